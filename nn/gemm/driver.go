package gemm

// problem is one Sgemm call: C = alpha*op(A)*op(B) + beta*C with op(A) m x k and op(B)
// k x n, all row-major. It is validated before any work starts.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
}

// block is a rectangle of C, rows [i0, i1) and columns [j0, j1).
type block struct {
	i0, i1, j0, j1 int
}

// workspace holds the packing buffers of one goroutine. It grows to the largest product it
// has seen and is then reused, so steady-state calls allocate nothing.
type workspace struct {
	// packedB is one column slab of op(B), all k deep: for each kc-deep slice in turn,
	// the slab's nr-column micro-panels. It stays packed while the goroutine takes row
	// chunks of the same slab.
	packedB []float32
	// packedA is one kc-deep slice of a row chunk of op(A), as mr-row micro-panels.
	packedA []float32
	edge    [mr * nr]float32
}

// work takes chunks from the job until none is left. This is the GotoBLAS loop nest with
// the two outer loops (column slabs of nc columns, row chunks of mc rows) shared among
// goroutines: for each chunk, for each kc-deep slice of k in increasing order, pack the
// chunk's rows of op(A) and sweep its micro-tiles against the packed slab of op(B).
func (w *workspace) work(jb *job) {
	pr, s := jb.pr, jb.sched
	packedSlab := -1
	for {
		c := int(jb.next.Add(1) - 1)
		if c >= s.chunks() {
			return
		}
		blk, slab := s.chunk(c)
		cols := blk.j1 - blk.j0
		if slab != packedSlab {
			w.packSlab(pr, blk.j0, cols)
			packedSlab = slab
		}
		w.grow(&w.packedA, roundUp(blk.i1-blk.i0, mr)*min(kc, pr.k))
		for pc := 0; pc < pr.k; pc += kc {
			depth := min(kc, pr.k-pc)
			// Slices after the first add onto what the earlier ones left in C.
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			packA(w.packedA, pr.transA, pr.a, pr.lda, blk.i0, pc, blk.i1-blk.i0, depth)
			bSlice := w.packedB[roundUp(cols, nr)*pc:]
			w.macroKernel(pr, blk, depth, bSlice, beta, jb.kern)
		}
	}
}

// packSlab packs columns j0..j0+cols-1 of op(B), every kc-deep slice of k, into packedB.
func (w *workspace) packSlab(pr *problem, j0, cols int) {
	width := roundUp(cols, nr)
	w.grow(&w.packedB, width*pr.k)
	for pc := 0; pc < pr.k; pc += kc {
		depth := min(kc, pr.k-pc)
		packB(w.packedB[width*pc:], pr.transB, pr.b, pr.ldb, pc, j0, depth, cols)
	}
}

// grow makes *buf at least n long, keeping it when it is.
func (w *workspace) grow(buf *[]float32, n int) {
	if len(*buf) < n {
		*buf = make([]float32, n)
	}
}

// macroKernel multiplies the packed rows of A (one kc-deep slice of the chunk blk) by the
// packed slice of B into C, one mr x nr tile at a time. The B micro-panel stays in L1
// while the inner loop streams the A micro-panels from L2.
func (w *workspace) macroKernel(pr *problem, blk block, depth int, packedB []float32, beta float32, kern microKernel) {
	rows, cols := blk.i1-blk.i0, blk.j1-blk.j0
	for jr := 0; jr < cols; jr += nr {
		bPanel := packedB[jr*depth : (jr+nr)*depth]
		width := min(nr, cols-jr)
		for ir := 0; ir < rows; ir += mr {
			aPanel := w.packedA[ir*depth : (ir+mr)*depth]
			height := min(mr, rows-ir)
			off := (blk.i0+ir)*pr.ldc + blk.j0 + jr
			if width == nr {
				kern(depth, aPanel, bPanel, pr.c[off:], pr.ldc, height, pr.alpha, beta)
				continue
			}
			w.edgeTile(pr.c[off:], pr.ldc, height, width, depth, aPanel, bPanel, beta, pr.alpha, kern)
		}
	}
}

// edgeTile runs the kernel on a copy of a tile narrower than nr (height x width), so that
// edge elements get exactly the arithmetic of interior ones without the kernel writing
// past the edge of C, then copies the valid part back. The padding of the packed B panel
// is zero, so the extra columns are harmless. (Short tiles need no copy: the kernel stores
// only the rows asked for.)
func (w *workspace) edgeTile(c []float32, ldc, height, width, depth int, aPanel, bPanel []float32,
	beta, alpha float32, kern microKernel) {
	tile := w.edge[:]
	clear(tile)
	if beta != 0 {
		for i := range height {
			copy(tile[i*nr:i*nr+width], c[i*ldc:i*ldc+width])
		}
	}
	kern(depth, aPanel, bPanel, tile, nr, height, alpha, beta)
	for i := range height {
		copy(c[i*ldc:i*ldc+width], tile[i*nr:i*nr+width])
	}
}

// scaleC sets C to beta*C (to zero when beta is 0, without reading C). It is the whole
// product when k is 0 or alpha is 0.
func scaleC(pr *problem) {
	for i := range pr.m {
		row := pr.c[i*pr.ldc : i*pr.ldc+pr.n]
		if pr.beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= pr.beta
		}
	}
}
