package gemm

// Packing copies a block of op(A) or op(B) into the contiguous order in which the
// micro-kernel reads it, so that the kernel streams both operands with unit stride whatever
// the transposition and leading dimension of the caller's matrices. Rows or columns beyond
// the edge of the matrix are filled with zeros, so edge tiles run the same kernel.

// packA copies the rows x depth block of op(A) whose top-left element is (i0, p0) into dst
// as ceil(rows/mr) micro-panels. Micro-panel q holds rows q*mr..q*mr+mr-1 and stores, for
// each p in 0..depth-1, the mr values op(A)[i][p] contiguously.
func packA(dst []float32, transA bool, a []float32, lda, i0, p0, rows, depth int) {
	for q := 0; q < rows; q += mr {
		panel := dst[q*depth : (q+mr)*depth]
		h := min(mr, rows-q)
		if transA {
			packAPanelTrans(panel, a, lda, i0+q, p0, h, depth)
		} else {
			packAPanel(panel, a, lda, i0+q, p0, h, depth)
		}
	}
}

// packAPanel packs h <= mr rows of a row-major A (op(A) = A): each source row is read with
// unit stride and scattered into every mr-th slot of the panel.
func packAPanel(panel, a []float32, lda, i0, p0, h, depth int) {
	for r := range mr {
		if r >= h {
			for p := range depth {
				panel[p*mr+r] = 0
			}
			continue
		}
		src := a[(i0+r)*lda+p0:][:depth]
		for p, v := range src {
			panel[p*mr+r] = v
		}
	}
}

// packAPanelTrans packs h <= mr rows of op(A) = A^T, where A is stored k x m: the mr values
// of one p are adjacent in memory, so each step is a short contiguous copy.
func packAPanelTrans(panel, a []float32, lda, i0, p0, h, depth int) {
	for p := range depth {
		dst := panel[p*mr : p*mr+mr]
		n := copy(dst[:h], a[(p0+p)*lda+i0:][:h])
		clear(dst[n:])
	}
}

// packB copies the depth x cols block of op(B) whose top-left element is (p0, j0) into dst
// as ceil(cols/nr) micro-panels. Micro-panel q holds columns q*nr..q*nr+nr-1 and stores,
// for each p in 0..depth-1, the nr values op(B)[p][j] contiguously.
func packB(dst []float32, transB bool, b []float32, ldb, p0, j0, depth, cols int) {
	for q := 0; q < cols; q += nr {
		panel := dst[q*depth : (q+nr)*depth]
		w := min(nr, cols-q)
		if transB {
			packBPanelTrans(panel, b, ldb, p0, j0+q, depth, w)
		} else {
			packBPanel(panel, b, ldb, p0, j0+q, depth, w)
		}
	}
}

// packBPanel packs w <= nr columns of a row-major B (op(B) = B): one contiguous copy of w
// values per p.
func packBPanel(panel, b []float32, ldb, p0, j0, depth, w int) {
	for p := range depth {
		dst := panel[p*nr : p*nr+nr]
		n := copy(dst[:w], b[(p0+p)*ldb+j0:][:w])
		clear(dst[n:])
	}
}

// packBPanelTrans packs w <= nr columns of op(B) = B^T, where B is stored n x k: each
// source row (one column of op(B)) is read with unit stride and scattered into every nr-th
// slot of the panel, which is small enough (kc x nr) to stay in L1 while it is written.
func packBPanelTrans(panel, b []float32, ldb, p0, j0, depth, w int) {
	for c := range nr {
		if c >= w {
			for p := range depth {
				panel[p*nr+c] = 0
			}
			continue
		}
		src := b[(j0+c)*ldb+p0:][:depth]
		for p, v := range src {
			panel[p*nr+c] = v
		}
	}
}
