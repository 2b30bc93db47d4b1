package gemm

import "runtime"

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
	// slab is the packed slab this goroutine reads during a call: packedB, or the job's
	// shared one.
	slab []float32
	// packedA is one kc-deep slice of a row chunk of op(A), as mr-row micro-panels.
	packedA []float32
	edge    [maxMR * nr]float32
	// colX and colA are op(B)'s one column made adjacent, and a block of rows of A short of
	// 16 padded with zero rows, for the column kernel (see colBlock).
	colX, colA []float32
}

// work takes chunks from the job until none is left. This is the GotoBLAS loop nest with
// its two outer loops (column slabs, GotoBLAS's nc; row chunks of at most mc rows) shared
// among goroutines: for each chunk, for each kc-deep slice of k in increasing order, pack
// the chunk's rows of op(A) and sweep its micro-tiles against the packed slab of op(B).
// With keepA, the rows are packed all of k deep and kept for the goroutine's next chunk of
// the same rows.
func (w *workspace) work(jb *job) {
	pr, s := jb.pr, jb.sched
	packedSlab, packedRows := -1, -1
	defer func() { w.slab = nil }() // drop the job's buffer
	for {
		c := int(jb.next.Add(1) - 1)
		if c >= s.chunks() {
			return
		}
		blk, slab := s.chunk(c)
		if jb.row != nil {
			rowBlock(jb, blk)
			continue
		}
		if jb.col != nil {
			w.colBlock(jb, blk)
			continue
		}
		if slab != packedSlab && !jb.directB {
			w.slab = jb.sharedSlab()
			if w.slab == nil {
				w.packSlab(pr, blk.j0, blk.j1-blk.j0)
				w.slab = w.packedB
			}
			packedSlab = slab
		}
		height := roundUp(blk.i1-blk.i0, jb.kern.mr)
		rows := c % s.rowChunks
		pack := !jb.keepA || rows != packedRows
		if jb.keepA {
			grow(&w.packedA, height*pr.k)
			packedRows = rows
		} else {
			grow(&w.packedA, height*min(kc, pr.k))
		}
		for pc := 0; pc < pr.k; pc += kc {
			st := depthSlice{blk: blk, pc: pc, depth: min(kc, pr.k-pc), beta: pr.beta}
			// Slices after the first add onto what the earlier ones left in C.
			if pc > 0 {
				st.beta = 1
			}
			st.packedA = w.packedA[:height*st.depth]
			if jb.keepA {
				st.packedA = w.packedA[height*pc : height*(pc+st.depth)]
			}
			if pack {
				w.packRows(jb, &st)
			}
			w.macroKernel(jb, &st)
		}
	}
}

// rowBlock computes the columns of blk in a product of one row (the job's row view of the
// problem, see rowView) with the job's row kernel, one kc-deep slice of k after another,
// as the tiles would.
func rowBlock(jb *job, blk block) {
	pr := &jb.rowPr
	aStep := 1
	if pr.transA {
		aStep = pr.lda
	}
	for pc := 0; pc < pr.k; pc += kc {
		beta := pr.beta
		if pc > 0 {
			beta = 1
		}
		jb.row(min(kc, pr.k-pc), pr.a[pc*aStep:], aStep, pr.b[pc*pr.ldb+blk.j0:], pr.ldb,
			pr.c[blk.j0:], pr.alpha, beta, blk.j1-blk.j0)
	}
}

// colBlock computes rows blk.j0..blk.j1-1 of a product of one column (op(A) = A, ldc = 1:
// the schedule's columns are the rows of C) with the job's column kernel, one kc-deep
// slice of k after another, as the tiles would. The kernel reads A in place and x, the
// column of op(B), as adjacent values: in place for op(B) = B^T or ldb = 1, otherwise
// copied once per chunk. Rows short of a block of 16 go through colEdge.
func (w *workspace) colBlock(jb *job, blk block) {
	pr := jb.pr
	x := pr.b
	if !pr.transB && pr.ldb != 1 {
		grow(&w.colX, pr.k)
		for p := range pr.k {
			w.colX[p] = pr.b[p*pr.ldb]
		}
		x = w.colX
	}
	rows := blk.j1 - blk.j0
	full := rows / 16 * 16
	for pc := 0; pc < pr.k; pc += kc {
		beta := pr.beta
		if pc > 0 {
			beta = 1
		}
		depth := min(kc, pr.k-pc)
		if full > 0 {
			jb.col(depth, pr.a[blk.j0*pr.lda+pc:], pr.lda, x[pc:], pr.c[blk.j0:], pr.alpha,
				beta, full/16)
		}
		if full < rows {
			w.colEdge(jb, blk.j0+full, rows-full, pc, depth, x[pc:], beta)
		}
	}
}

// colEdge runs the column kernel on a copy of the last rows < 16 rows from row i0, padded
// with zero rows, into a copy of their values of C, then copies the valid part back: the
// kernel reads and writes whole blocks of 16 rows.
func (w *workspace) colEdge(jb *job, i0, rows, pc, depth int, x []float32, beta float32) {
	pr := jb.pr
	grow(&w.colA, 16*kc)
	a := w.colA[:16*depth]
	clear(a)
	for i := range rows {
		copy(a[i*depth:(i+1)*depth], pr.a[(i0+i)*pr.lda+pc:])
	}
	var c [16]float32
	copy(c[:rows], pr.c[i0:])
	jb.col(depth, a, depth, x, c[:], pr.alpha, beta, 1)
	copy(pr.c[i0:i0+rows], c[:rows])
}

// depthSlice is one kc-deep slice of the k dimension for one chunk of C.
type depthSlice struct {
	blk       block
	pc, depth int       // the slice covers k indices pc..pc+depth-1
	beta      float32   // the caller's beta for the first slice, 1 for the others
	packedA   []float32 // the chunk's rows of op(A) for the slice, as packRows leaves them
}

// packRows packs the chunk's rows of op(A) for the slice: all of them, or with directA
// only the last, partial micro-panel, which the kernel cannot read in place.
func (w *workspace) packRows(jb *job, st *depthSlice) {
	pr := jb.pr
	i0, rows := st.blk.i0, st.blk.i1-st.blk.i0
	if jb.directA {
		full := rows / jb.kern.mr * jb.kern.mr
		i0, rows = i0+full, rows-full
		if rows > 0 && jb.edgeInPlace(i0, rows, st.pc, st.depth) {
			return
		}
	}
	if rows > 0 {
		packA(st.packedA, pr.transA, pr.a, pr.lda, i0, st.pc, rows, st.depth, jb.kern.mr)
	}
}

// packSlab packs columns j0..j0+cols-1 of op(B), every kc-deep slice of k, into packedB.
func (w *workspace) packSlab(pr *problem, j0, cols int) {
	width := roundUp(cols, nr)
	grow(&w.packedB, width*pr.k)
	for pc := 0; pc < pr.k; pc += kc {
		depth := min(kc, pr.k-pc)
		packB(w.packedB[width*pc:], pr.transB, pr.b, pr.ldb, pc, j0, depth, cols)
	}
}

// sharedSlab packs op(B) into the job's shared slab together with the other goroutines,
// sharedCols columns at a time, and returns the slab once all of it is packed; nil if the
// job packs no shared slab, or if a goroutine that took a part has not finished it after
// spinRounds polls (the operating system may have paused it), in which case the caller
// packs a slab of its own. Packing changes where the kernel reads op(B), not its values.
func (jb *job) sharedSlab() []float32 {
	if jb.sharedB == nil {
		return nil
	}
	pr := jb.pr
	width := roundUp(pr.n, nr)
	for {
		t := int(jb.bNext.Add(1) - 1)
		if t >= jb.bParts {
			break
		}
		j0 := t * sharedCols
		cols := min(sharedCols, pr.n-j0)
		for pc := 0; pc < pr.k; pc += kc {
			depth := min(kc, pr.k-pc)
			packB(jb.sharedB[width*pc+j0*depth:], pr.transB, pr.b, pr.ldb, pc, j0, depth, cols)
		}
		jb.bDone.Add(1)
	}
	for i := 0; jb.bDone.Load() < int64(jb.bParts); i++ {
		if i == spinRounds {
			return nil
		}
		runtime.Gosched()
	}
	return jb.sharedB
}

// grow makes *buf at least n long, keeping it when it is.
func grow(buf *[]float32, n int) {
	if len(*buf) < n {
		*buf = make([]float32, n)
	}
}

// macroKernel multiplies the slice's rows of A by its rows of B into the chunk of C, one
// mr x nr tile at a time. The B micro-panel stays in L1 while the inner loop streams the
// A micro-panels from L2.
func (w *workspace) macroKernel(jb *job, st *depthSlice) {
	if jb.kern.strip != nil {
		w.macroKernelStrips(jb, st)
		return
	}
	pr, mr := jb.pr, jb.kern.mr
	rows, cols := st.blk.i1-st.blk.i0, st.blk.j1-st.blk.j0
	for jr := 0; jr < cols; jr += nr {
		bPanel, bStep := w.panelB(jb, st, jr)
		width := min(nr, cols-jr)
		for ir := 0; ir < rows; ir += mr {
			aPanel, aRow, aStep := w.panelA(jb, st, ir)
			height := min(mr, rows-ir)
			off := (st.blk.i0+ir)*pr.ldc + st.blk.j0 + jr
			if width == nr {
				jb.kern.run(st.depth, aPanel, aRow, aStep, bPanel, bStep, pr.c[off:], pr.ldc, height,
					pr.alpha, st.beta)
				continue
			}
			w.edgeTile(jb, st, pr.c[off:], height, width, aPanel, aRow, aStep, bPanel, bStep)
		}
	}
}

// macroKernelStrips is macroKernel for a kernel with a strip form: for each micro-panel
// of A, one call multiplies it by all the micro-panels of B, the last one, if narrower
// than nr, stored under a mask. The A micro-panel stays in L1 while the B micro-panels
// stream from L2.
func (w *workspace) macroKernelStrips(jb *job, st *depthSlice) {
	pr, mr := jb.pr, jb.kern.mr
	rows, cols := st.blk.i1-st.blk.i0, st.blk.j1-st.blk.j0
	panels := ceilDiv(cols, nr)
	lastCols := cols - (panels-1)*nr
	b, bStep := w.panelB(jb, st, 0)
	bPanel := nr * st.depth // the packed micro-panels follow each other
	if jb.directB {
		bPanel = nr
	}
	for ir := 0; ir < rows; ir += mr {
		aPanel, aRow, aStep := w.panelA(jb, st, ir)
		height := min(mr, rows-ir)
		off := (st.blk.i0+ir)*pr.ldc + st.blk.j0
		if jb.kern.pair != nil && aRow > 1 && panels >= 2 {
			pairStrip(jb, st, aPanel, aRow, aStep, b, bStep, bPanel, pr.c[off:], height, panels,
				lastCols)
			continue
		}
		jb.kern.strip(st.depth, aPanel, aRow, aStep, b, bStep, bPanel, pr.c[off:], pr.ldc, height,
			pr.alpha, st.beta, panels, lastCols)
	}
}

// pairStrip is one strip of macroKernelStrips for an A panel read in place with aRow > 1
// (its values of one step of p a row apart): the panels of B two at a time through the
// pair kernel, eight rows of the strip at a time, and an odd last panel through the strip
// kernel. The arithmetic of every element is the strip kernel's.
func pairStrip(jb *job, st *depthSlice, a []float32, aRow, aStep int, b []float32, bStep,
	bPanel int, c []float32, height, panels, lastCols int) {
	pr := jb.pr
	ldc := pr.ldc
	t := 0
	for ; t+2 <= panels; t += 2 {
		cols := 2 * nr
		if t+2 == panels {
			cols = nr + lastCols
		}
		for h := 0; h < height; h += 8 {
			jb.kern.pair(st.depth, a[h*aRow:], aRow, aStep, b[t*bPanel:], bStep, bPanel,
				c[h*ldc+t*nr:], ldc, min(8, height-h), pr.alpha, st.beta, cols)
		}
	}
	if t < panels {
		jb.kern.strip(st.depth, a, aRow, aStep, b[t*bPanel:], bStep, bPanel, c[t*nr:], ldc, height,
			pr.alpha, st.beta, 1, lastCols)
	}
}

// panelA returns the micro-panel of A for rows ir..ir+mr-1 of the chunk and its strides
// (see microKernel): from the packed rows, or read in place when the job reads A
// directly and the panel is full.
func (w *workspace) panelA(jb *job, st *depthSlice, ir int) (a []float32, aRow, aStep int) {
	pr, mr := jb.pr, jb.kern.mr
	i := st.blk.i0 + ir
	switch {
	case !jb.directA:
		return st.packedA[ir*st.depth : (ir+mr)*st.depth], 1, mr
	case i+mr > st.blk.i1 && !jb.edgeInPlace(i, st.blk.i1-i, st.pc, st.depth):
		// the partial panel, packed alone by packRows
		return st.packedA[:mr*st.depth], 1, mr
	case pr.transA:
		return pr.a[st.pc*pr.lda+i:], 1, pr.lda
	default:
		return pr.a[i*pr.lda+st.pc:], pr.lda, 1
	}
}

// edgeInPlace reports whether the kernel reads the partial micro-panel of h < mr rows of
// A from row i in place (with directA), for the slice of depth values of k from pc: when
// the rows the kernel reads (mr, or the kernel's halfRows when h is at most that) lie
// within the caller's slice of A. The rows past h are read but never stored: each row of
// a tile is its own sums.
func (jb *job) edgeInPlace(i, h, pc, depth int) bool {
	pr, reads := jb.pr, jb.kern.mr
	if h <= jb.kern.halfRows {
		reads = jb.kern.halfRows
	}
	last := (i+reads-1)*pr.lda + pc + depth - 1
	if pr.transA {
		last = (pc+depth-1)*pr.lda + i + reads - 1
	}
	return last < len(pr.a)
}

// panelB returns the micro-panel of B for columns jr..jr+nr-1 of the chunk, followed by
// those to its right, and its row stride: from the packed slab, or read in place when the
// job reads B directly.
func (w *workspace) panelB(jb *job, st *depthSlice, jr int) (b []float32, bStep int) {
	pr := jb.pr
	if jb.directB {
		return pr.b[st.pc*pr.ldb+st.blk.j0+jr:], pr.ldb
	}
	width := roundUp(st.blk.j1-st.blk.j0, nr)
	return w.slab[width*st.pc+jr*st.depth : width*(st.pc+st.depth)], nr
}

// edgeTile runs the kernel on a copy of a tile narrower than nr (height x width), so that
// edge elements get exactly the arithmetic of interior ones without the kernel writing
// past the edge of C, then copies the valid part back. The padding of the packed B panel
// is zero, so the extra columns are harmless. (Short tiles need no copy: the kernel stores
// only the rows asked for.)
func (w *workspace) edgeTile(jb *job, st *depthSlice, c []float32, height, width int,
	aPanel []float32, aRow, aStep int, bPanel []float32, bStep int) {
	ldc := jb.pr.ldc
	tile := w.edge[:jb.kern.mr*nr]
	clear(tile)
	if st.beta != 0 {
		for i := range height {
			copy(tile[i*nr:i*nr+width], c[i*ldc:i*ldc+width])
		}
	}
	jb.kern.run(st.depth, aPanel, aRow, aStep, bPanel, bStep, tile, nr, height, jb.pr.alpha, st.beta)
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
