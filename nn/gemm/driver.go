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

// block is a rectangle of C, rows [i0, i1) and columns [j0, j1). i0 is a multiple of mr
// and j0 of nr, so the blocks of a partition share one global grid of micro-tiles.
type block struct {
	i0, i1, j0, j1 int
}

// workspace holds the packing buffers of one goroutine. It grows to the largest block it
// has seen and is then reused, so steady-state calls allocate nothing.
type workspace struct {
	packedA []float32 // mc x kc block of op(A), as micro-panels of mr rows
	packedB []float32 // kc x nc block of op(B), as micro-panels of nr columns
	edge    [mr * nr]float32
}

// grow makes the packing buffers large enough for the given block sizes.
func (w *workspace) grow(rowsA, colsB, depth int) {
	if need := roundUp(rowsA, mr) * depth; len(w.packedA) < need {
		w.packedA = make([]float32, need)
	}
	if need := roundUp(colsB, nr) * depth; len(w.packedB) < need {
		w.packedB = make([]float32, need)
	}
}

// roundUp rounds x up to a multiple of q.
func roundUp(x, q int) int { return (x + q - 1) / q * q }

// run computes the block blk of C with kernel kern: the five loops of GotoBLAS. The
// outer loop walks nc-wide column slabs of C; for each kc-deep slice of k (in increasing
// order) it packs a kc x nc block of op(B), then for each mc-tall row slab packs an
// mc x kc block of op(A) and sweeps the micro-tiles.
func (w *workspace) run(pr *problem, blk block, kern microKernel) {
	w.grow(min(mc, blk.i1-blk.i0), min(nc, blk.j1-blk.j0), min(kc, pr.k))
	for jc := blk.j0; jc < blk.j1; jc += nc {
		cols := min(nc, blk.j1-jc)
		for pc := 0; pc < pr.k; pc += kc {
			depth := min(kc, pr.k-pc)
			// Slices after the first add onto what the earlier ones left in C.
			beta := pr.beta
			if pc > 0 {
				beta = 1
			}
			packB(w.packedB, pr.transB, pr.b, pr.ldb, pc, jc, depth, cols)
			for ic := blk.i0; ic < blk.i1; ic += mc {
				rows := min(mc, blk.i1-ic)
				packA(w.packedA, pr.transA, pr.a, pr.lda, ic, pc, rows, depth)
				w.macroKernel(pr, ic, jc, rows, cols, depth, beta, kern)
			}
		}
	}
}

// macroKernel multiplies the packed rows x depth block of A by the packed depth x cols
// block of B into C at (ic, jc), one mr x nr tile at a time. The B micro-panel stays in
// L1 while the loop over A micro-panels streams the packed A block from L2.
func (w *workspace) macroKernel(pr *problem, ic, jc, rows, cols, depth int, beta float32, kern microKernel) {
	for jr := 0; jr < cols; jr += nr {
		bPanel := w.packedB[jr*depth : (jr+nr)*depth]
		width := min(nr, cols-jr)
		for ir := 0; ir < rows; ir += mr {
			aPanel := w.packedA[ir*depth : (ir+mr)*depth]
			height := min(mr, rows-ir)
			off := (ic+ir)*pr.ldc + jc + jr
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

// scaleC sets the block of C to beta*C (to zero when beta is 0, without reading C). It is
// the whole product when k is 0 or alpha is 0.
func scaleC(pr *problem, blk block) {
	for i := blk.i0; i < blk.i1; i++ {
		row := pr.c[i*pr.ldc+blk.j0 : i*pr.ldc+blk.j1]
		if pr.beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= pr.beta
		}
	}
}

// compute does the whole work of one block: a plain scaling of C when the product term
// vanishes, the packed loops otherwise.
func (w *workspace) compute(pr *problem, blk block, kern microKernel) {
	if pr.k == 0 || pr.alpha == 0 {
		scaleC(pr, blk)
		return
	}
	w.run(pr, blk, kern)
}
