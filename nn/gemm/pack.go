package gemm

// Packing copies a block of op(A) or op(B) into the contiguous order in which the
// micro-kernel reads it, so that the kernel streams both operands with unit stride whatever
// the transposition and leading dimension of the caller's matrices. Rows or columns beyond
// the edge of the matrix are filled with zeros, so edge tiles run the same kernel.

// packA copies the rows x depth block of op(A) whose top-left element is (i0, p0) into dst
// as ceil(rows/mr) micro-panels. Micro-panel q holds rows q*mr..q*mr+mr-1 and stores, for
// each p in 0..depth-1, the mr values op(A)[i][p] contiguously.
func packA(dst []float32, transA bool, a []float32, lda, i0, p0, rows, depth, mr int) {
	if transA {
		packATrans(dst, a, lda, i0, p0, rows, depth, mr)
		return
	}
	for q := 0; q < rows; q += mr {
		packAPanel(dst[q*depth:(q+mr)*depth], a, lda, i0+q, p0, min(mr, rows-q), depth, mr)
	}
}

// packATrans packs rows of op(A) = A^T, where A is stored k x m. The values of one p for
// all the rows are adjacent in memory, so it walks the source one stored row (one p) at a
// time, reading it with unit stride and handing mr values to each micro-panel; walking
// panel by panel instead would touch a new cache line, and often a new page, per value.
// The kernels' heights (6 and 16) copy through fixed-size arrays, without a memmove call.
func packATrans(dst, a []float32, lda, i0, p0, rows, depth, mr int) {
	full := rows / mr * mr
	for p := range depth {
		src := a[(p0+p)*lda+i0:][:rows]
		for q := 0; q < full; q += mr {
			d := dst[q*depth+p*mr:]
			switch mr {
			case 6:
				*(*[6]float32)(d) = *(*[6]float32)(src[q:])
			case 16:
				*(*[16]float32)(d) = *(*[16]float32)(src[q:])
			default:
				copy(d[:mr], src[q:])
			}
		}
		if full < rows {
			d := dst[full*depth+p*mr:][:mr]
			n := copy(d, src[full:])
			clear(d[n:])
		}
	}
}

// packAPanel packs h <= mr rows of a row-major A (op(A) = A): a transpose, reading the
// source rows in step. Full groups of six rows, the common case, name their rows so that
// the loop has no inner loop and no bounds checks; the rows left over go one at a time.
func packAPanel(panel, a []float32, lda, i0, p0, h, depth, mr int) {
	panel = panel[:depth*mr]
	if h < mr {
		clear(panel)
	}
	r := 0
	for ; r+6 <= h; r += 6 {
		pack6Rows(panel[r:], mr, a[(i0+r)*lda+p0:], lda, depth)
	}
	for ; r < h; r++ {
		for p, v := range a[(i0+r)*lda+p0:][:depth] {
			panel[p*mr+r] = v
		}
	}
}

// pack6Rows interleaves six rows of depth values (row stride lda) into dst, value p of
// row r going to dst[p*mr+r].
func pack6Rows(dst []float32, mr int, a []float32, lda, depth int) {
	r0 := a[:depth]
	r1 := a[lda:][:depth]
	r2 := a[2*lda:][:depth]
	r3 := a[3*lda:][:depth]
	r4 := a[4*lda:][:depth]
	r5 := a[5*lda:][:depth]
	for p := range r0 {
		d := (*[6]float32)(dst[p*mr:])
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
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
// values per p (a fixed-size array assignment for full panels).
func packBPanel(panel, b []float32, ldb, p0, j0, depth, w int) {
	for p := range depth {
		dst := (*[nr]float32)(panel[p*nr:])
		src := b[(p0+p)*ldb+j0:]
		if w == nr {
			// Through a local value: a direct array assignment between two pointers
			// may overlap as far as the compiler knows, and becomes a memmove call.
			row := *(*[nr]float32)(src)
			*dst = row
			continue
		}
		n := copy(dst[:w], src[:w])
		clear(dst[n:])
	}
}

// packBPanelTrans packs w <= nr columns of op(B) = B^T, where B is stored n x k: a
// transpose. Full panels are transposed in 8 x 8 blocks (with AVX, eight vector loads,
// shuffles and stores per block); the last depth mod 8 values of p and partial panels go
// value by value.
func packBPanelTrans(panel, b []float32, ldb, p0, j0, depth, w int) {
	panel = panel[:depth*nr]
	p := 0
	if w == nr {
		for ; p+8 <= depth; p += 8 {
			for half := 0; half < nr; half += 8 {
				transpose8x8(panel[p*nr+half:], nr, b[(j0+half)*ldb+p0+p:], ldb)
			}
		}
	}
	if p == depth {
		return
	}
	clear(panel[p*nr:])
	for c := range w {
		src := b[(j0+c)*ldb+p0:][:depth]
		for q := p; q < depth; q++ {
			panel[q*nr+c] = src[q]
		}
	}
}
