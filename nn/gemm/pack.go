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
// The kernels' heights (6 and 16) copy through fixed-size arrays held in a local value:
// an assignment from one array pointer to another may overlap as far as the compiler
// knows and becomes a memmove call per micro-panel row.
//
// For 16-row panels with AVX-512 the full panels are copied by copyPanels16 (64-byte
// moves, in the same order).
func packATrans(dst, a []float32, lda, i0, p0, rows, depth, mr int) {
	full := rows / mr * mr
	if mr == 16 && hasPack16 && full > 0 {
		copyPanels16(dst, a[p0*lda+i0:], lda, depth, full/16)
		if full == rows {
			return
		}
		full, i0, rows, dst = 0, i0+full, rows-full, dst[full*depth:]
	}
	for p := range depth {
		src := a[(p0+p)*lda+i0:][:rows]
		for q := 0; q < full; q += mr {
			d := dst[q*depth+p*mr:]
			switch mr {
			case 6:
				v := *(*[6]float32)(src[q:])
				*(*[6]float32)(d) = v
			case 16:
				v := *(*[16]float32)(src[q:])
				*(*[16]float32)(d) = v
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
// source rows in step. Full groups of eight rows (when mr is a multiple of 8) go through
// 8 x 8 transposes, groups of six name their rows so that the loop has no inner loop and
// no bounds checks, and the rows left over go one at a time.
func packAPanel(panel, a []float32, lda, i0, p0, h, depth, mr int) {
	panel = panel[:depth*mr]
	if h < mr {
		clear(panel)
	}
	r := 0
	if mr == 16 && h == 16 && hasPack16 && depth >= 16 {
		// Whole 16 x 16 blocks transposed in AVX-512 registers, the last depth mod 16
		// values of p as below.
		blocks := depth / 16
		packTrans16(panel, a[i0*lda+p0:], lda, blocks)
		if p := blocks * 16; p < depth {
			for ; r < 16; r += 8 {
				pack8Rows(panel[p*mr+r:], mr, a[(i0+r)*lda+p0+p:], lda, depth-p)
			}
		}
		return
	}
	if mr%8 == 0 {
		for ; r+8 <= h; r += 8 {
			pack8Rows(panel[r:], mr, a[(i0+r)*lda+p0:], lda, depth)
		}
	}
	for ; r+6 <= h; r += 6 {
		pack6Rows(panel[r:], mr, a[(i0+r)*lda+p0:], lda, depth)
	}
	for ; r < h; r++ {
		for p, v := range a[(i0+r)*lda+p0:][:depth] {
			panel[p*mr+r] = v
		}
	}
}

// pack8Rows interleaves eight rows of depth values (row stride lda) into dst, value p of
// row r going to dst[p*mr+r], in 8 x 8 transposes; the last depth mod 8 values go one at
// a time.
func pack8Rows(dst []float32, mr int, a []float32, lda, depth int) {
	p := 0
	for ; p+8 <= depth; p += 8 {
		transpose8x8(dst[p*mr:], mr, a[p:], lda)
	}
	for ; p < depth; p++ {
		d := (*[8]float32)(dst[p*mr:])
		for r := range d {
			d[r] = a[r*lda+p]
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
	if !transB {
		packBRows(dst, b, ldb, p0, j0, depth, cols)
		return
	}
	for q := 0; q < cols; q += nr {
		panel := dst[q*depth : (q+nr)*depth]
		packBPanelTrans(panel, b, ldb, p0, j0+q, depth, min(nr, cols-q))
	}
}

// packBRows packs a row-major B (op(B) = B) one stored row at a time, handing nr values
// to each micro-panel (a fixed-size array assignment for full panels): the source is read
// along its rows, as the hardware prefetchers expect, rather than nr values per row down
// one panel after another, which touches a new cache line and often a new page per value
// when the product is too thin to keep B in cache.
//
// With AVX-512 the full panels are copied by copyPanels16 (64-byte moves, same order).
func packBRows(dst, b []float32, ldb, p0, j0, depth, cols int) {
	full := cols / nr * nr
	if hasPack16 && full > 0 {
		copyPanels16(dst, b[p0*ldb+j0:], ldb, depth, full/nr)
		if full == cols {
			return
		}
		full, j0, cols, dst = 0, j0+full, cols-full, dst[full*depth:]
	}
	for p := range depth {
		src := b[(p0+p)*ldb+j0:][:cols]
		for q := 0; q < full; q += nr {
			// Through a local value: a direct array assignment between two pointers
			// may overlap as far as the compiler knows, and becomes a memmove call.
			row := *(*[nr]float32)(src[q:])
			*(*[nr]float32)(dst[q*depth+p*nr:]) = row
		}
		if full < cols {
			d := (*[nr]float32)(dst[full*depth+p*nr:])
			n := copy(d[:], src[full:])
			clear(d[n:])
		}
	}
}

// packBPanelTrans packs w <= nr columns of op(B) = B^T, where B is stored n x k: a
// transpose. With AVX-512 a full panel goes in 16 x 16 blocks transposed in registers;
// otherwise, and for the depth left over, each group of eight columns goes in 8 x 8
// blocks (with AVX, eight vector loads, shuffles and stores per block); the last depth
// mod 8 values of p and the columns short of a group of eight go value by value.
func packBPanelTrans(panel, b []float32, ldb, p0, j0, depth, w int) {
	panel = panel[:depth*nr]
	if w < nr {
		clear(panel)
	}
	p := 0
	if w == nr && hasPack16 && depth >= 16 {
		packTrans16(panel, b[j0*ldb+p0:], ldb, depth/16)
		p = depth / 16 * 16
	}
	end := p + (depth-p)/8*8 // p < end goes in 8 x 8 blocks, for groups of eight columns
	groups := w / 8 * 8
	for c := 0; c < groups; c += 8 {
		for q := p; q < end; q += 8 {
			transpose8x8(panel[q*nr+c:], nr, b[(j0+c)*ldb+p0+q:], ldb)
		}
	}
	if end == depth && groups == w {
		return
	}
	for c := range w {
		src := b[(j0+c)*ldb+p0:][:depth]
		from := end
		if c >= groups {
			from = p
		}
		for q := from; q < depth; q++ {
			panel[q*nr+c] = src[q]
		}
	}
}
