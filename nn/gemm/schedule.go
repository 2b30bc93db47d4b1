package gemm

import "sync/atomic"

// serialWork is the size m*n*k up to which a product runs on the calling goroutine alone:
// handing work to another goroutine costs microseconds, the time of the whole product
// there. LoRA's low-rank products (e.g. 16 x 768 x 8) and attention's per-head products
// (32 x 128 x 64 at most) stay within it; OpenBLAS draws its line at the same size.
const serialWork = 1 << 18

// packedBBudget bounds, in float32 values, the packed slab of op(B) a goroutine keeps:
// a slab is k deep and as many columns wide as fit (4 MiB: the whole of a 768 x 768 B).
const packedBBudget = 1 << 20

// packedABudget bounds, in float32 values, the rows of op(A) a goroutine keeps packed all
// of k deep (see job.keepA): 4 MiB, 64 rows of a k of 16384.
const packedABudget = 1 << 20

// chunksPerThread is how many chunks of rows each goroutine gets on average, so that a
// goroutine that the operating system pauses (the machine is shared) hands its remaining
// chunks to the others instead of holding up the whole product.
const chunksPerThread = 4

// minChunkTiles is the smallest chunk height, in micro-tile rows, for a kernel without a
// strip form: a packed B micro-panel that is loaded into L1 should serve a few tiles. A
// kernel with a strip form keeps the A micro-panel in L1 instead and streams the B
// panels, whatever the chunk height, so its chunks may be one tile high: a product of
// few row panels (128 x 128 x 128 on two goroutines) is then cut into row chunks that
// share one packed B, rather than into column slabs that each goroutine packs again
// along with its rows of A.
const minChunkTiles = 4

// schedule cuts C into chunks: column slabs of slabCols columns, each cut into row chunks
// of chunkRows rows. Chunk c is row chunk c mod rowChunks of column slab c / rowChunks,
// so goroutines that take chunks in order move through the slabs together and each packs
// a slab of op(B) once. Slab and chunk boundaries lie on the mr x nr micro-tile grid, and
// a chunk is computed by one goroutine from start to end, k slice by k slice, so which
// goroutine takes which chunk changes nothing in the arithmetic.
type schedule struct {
	m, n                int
	chunkRows, slabCols int
	rowChunks, colSlabs int
	workers             int // goroutines worth using, at most the threads asked for
}

// minSlabCols is the narrowest column slab made to create parallel work: narrower slabs
// would sweep too few B micro-panels per packed A chunk.
const minSlabCols = 4 * nr

// plan returns the schedule of an m x n x k product on up to threads goroutines, for a
// kernel whose tiles are mr rows high, with chunks at least minTiles tiles high where the
// rows allow.
func plan(m, n, k, threads, mr, minTiles int) schedule {
	if threads < 1 || m*n*k <= serialWork {
		threads = 1
	}
	if threads == 1 && m > 0 && n > 0 && m <= mc && (n <= nr || n <= packedBBudget/max(k, 1)/nr*nr) {
		// One chunk, one slab: what the steps below come to, without their divisions
		// (a small product's schedule costs a noticeable part of its time).
		return schedule{m: m, n: n, chunkRows: mc / mr * mr, slabCols: roundUp(n, nr),
			rowChunks: 1, colSlabs: 1, workers: 1}
	}
	s := schedule{m: m, n: n}
	wantChunks := chunksPerThread * threads

	// Column slabs: as wide as the packing budget allows.
	s.setSlabs(ceilDiv(n, max(nr, packedBBudget/max(k, 1)/nr*nr)))

	// Row chunks: mc rows alone; with several goroutines, enough chunks to balance the
	// load, but not so short that the packed B micro-panels are reused too little.
	tiles := mc / mr
	if threads > 1 {
		perChunk := ceilDiv(ceilDiv(m, mr)*s.colSlabs, wantChunks)
		tiles = min(tiles, max(perChunk, minTiles))
	}
	s.chunkRows = tiles * mr
	s.rowChunks = ceilDiv(m, s.chunkRows)

	// Too few rows for the goroutines (a short, wide product): cut the columns as well.
	// Every column slab repacks the rows of A, so only when the rows give fewer than
	// two chunks per goroutine.
	if threads > 1 && s.chunks() < 2*threads {
		s.setSlabs(max(s.colSlabs, min(ceilDiv(wantChunks, s.rowChunks), ceilDiv(n, minSlabCols))))
	}
	s.workers = max(1, min(threads, s.chunks()))
	return s
}

// rowCols is the width of a chunk of a one-row product: the row kernel's block of eight
// vectors.
const rowCols = 128

// planRow returns the schedule of a 1 x n x k product computed by a row kernel: chunks of
// rowCols columns, each read through all of k by one goroutine.
func planRow(n, k, threads int) schedule {
	if threads < 1 || n*k <= serialWork {
		threads = 1
	}
	s := schedule{m: 1, n: n, chunkRows: 1, rowChunks: 1, slabCols: rowCols}
	s.colSlabs = ceilDiv(n, rowCols)
	s.workers = max(1, min(threads, s.chunks()))
	return s
}

// setSlabs cuts the n columns into about count slabs of equal width on the nr grid.
func (s *schedule) setSlabs(count int) {
	s.slabCols = max(nr, roundUp(ceilDiv(s.n, max(count, 1)), nr))
	s.colSlabs = ceilDiv(s.n, s.slabCols)
}

// chunks is the number of chunks.
func (s schedule) chunks() int { return s.rowChunks * s.colSlabs }

// chunk returns the rectangle of chunk c and the index of its column slab.
func (s schedule) chunk(c int) (blk block, slab int) {
	slab = c / s.rowChunks
	i0 := c % s.rowChunks * s.chunkRows
	j0 := slab * s.slabCols
	return block{i0: i0, i1: min(s.m, i0+s.chunkRows), j0: j0, j1: min(s.n, j0+s.slabCols)}, slab
}

// directPanels is the number of micro-panels of the other operand at or below which a
// micro-panel of A or B is read in place rather than packed: packing costs one pass over
// the operand, which only pays when each packed panel is then used many times. Four
// panels cover LoRA's x A^T up to rank 64 (n <= 64).
const directPanels = 4

// stridedA is the size of A, in values, above which op(A) = A^T is packed even when C has
// few column panels, if it has more than one: read in place, each step of k reads 64
// bytes of a row of A^T a whole row apart, one page per step for a wide A, and a large
// A comes from memory for each of the strips; packed, it is read along its rows once and
// its panels serve the two to four tiles of a strip from L1 (TN_768x64x2048: 0.90 -> 0.95
// of OpenBLAS). With one column panel (n <= 16) there is nothing to share.
const stridedA = 1 << 17

// smallB is the size of op(B), in values, up to which B (op(B) = B, whole panels) is read
// in place whatever the number of row panels: 16 KiB stays in L1 beside the A panel, and
// packing it would cost more than the kernel's reads of it.
const smallB = 4096

// residentB and residentCols bound a B (op(B) = B, whole panels) that is read in place
// whatever the number of row panels, though larger than smallB: up to 2^16 values (256
// KiB, which stays in L2 while the strips read it again and again) and rows of at most
// 256 columns. Packing it would cost a pass over it, and on several goroutines a shared
// slab, which the goroutines must wait for before they start: with two goroutines,
// NN_128x128x128 went from 74 to about 125 GFLOPS per CPU, the model's TN_128x128x512 from
// 74 to 139, and NN_2048x256x256 gained 1 to 9%; on one goroutine the change is a few
// percent either way. Read in place, rows wider than 256 columns (1 KiB apart) lose to
// packed panels (NN_2048x768x64, 7%).
const (
	residentB    = 1 << 16
	residentCols = 256
)

// job is one product being computed: the problem, its schedule, how the operands are
// read, and the counter from which goroutines take chunks.
type job struct {
	pr    *problem
	sched schedule
	kern  kernel    // the micro-kernel, its tile height and its other forms
	row   rowKernel // the kernel's row form, set when it computes this product
	rowPr problem   // the product as one row, when row is set (see rowView)
	// col is the kernel's column form, set when it computes this product (n = 1, ldc = 1,
	// op(A) = A); the schedule's columns are then the rows of C.
	col colKernel
	// directA reads full micro-panels of A in place (C has few column panels), and the
	// partial one where edgeInPlace allows; directB reads B in place (C has few row
	// panels or op(B) is small, op(B) = B, and no partial column panel).
	directA, directB bool
	// keepA packs a chunk's rows of op(A) all of k deep, so that a goroutine that takes
	// several chunks of the same rows packs them once. With B read in place nothing else
	// is packed and the rows are few (C has at most four row panels), so the chunks
	// are slabs of columns of the same rows, and each would pack the same rows again.
	keepA bool
	// sharedB, when not nil, is one packed slab of all of op(B) that the goroutines pack
	// together (sharedSlab), bParts parts of sharedCols columns, instead of one slab each:
	// a product of a single column slab on several goroutines.
	sharedB      []float32
	bParts       int
	bNext, bDone atomic.Int64
	next         atomic.Int64
}

// sharedCols is the width of a part of a shared slab of op(B) (see job.sharedB).
const sharedCols = 8 * nr

// sharedMin is the size of op(B), in values, from which the goroutines of a product of
// one column slab pack it together into a shared slab (job.sharedB) rather than each a
// slab of its own. Sharing saves each goroutine part of the packing, but it makes them
// wait for one another's parts before they start, and each then reads the parts that the
// other cores wrote; below 2^19 values (2 MiB) that cost more than the packing it saves.
// On two goroutines, each packing its own: NT_128x128x128 +65% GFLOPS per CPU, the
// model's weight gradients TN_128x384x512 and TN_128x512x512 +58% and +42%, its
// NT_512x384x128 +16%; the large products that still share (768 x 768 values of op(B))
// are within 2% either way.
const sharedMin = 1 << 19

// start prepares the job for a validated problem with k > 0 on up to threads goroutines;
// *shared is the buffer for a shared slab of op(B), grown as needed.
// Whether an operand is packed changes where the kernel reads a value, never the value or
// the order of the arithmetic.
func (jb *job) start(pr *problem, kern kernel, threads int, shared *[]float32) {
	jb.pr, jb.kern = pr, kern
	jb.row, jb.directA, jb.directB, jb.keepA, jb.sharedB = nil, false, false, false, nil
	jb.rowPr, jb.col = problem{}, nil
	if pr.m == 1 || pr.n == 1 {
		if view, ok := rowView(pr); ok && kern.row != nil {
			jb.row, jb.rowPr = kern.row, view
			jb.sched = planRow(view.n, view.k, threads)
			jb.next.Store(0)
			return
		}
	}
	if pr.n == 1 && pr.ldc == 1 && !pr.transA && kern.col != nil {
		jb.col = kern.col
		jb.sched = planRow(pr.m, pr.k, threads)
		jb.next.Store(0)
		return
	}
	minTiles := minChunkTiles
	if kern.strip != nil {
		minTiles = 1
	}
	jb.sched = plan(pr.m, pr.n, pr.k, threads, kern.mr, minTiles)
	jb.directA = ceilDiv(pr.n, nr) <= directPanels &&
		!(pr.transA && pr.n > nr && pr.m*pr.k > stridedA)
	jb.directB = !pr.transB && pr.n%nr == 0 &&
		(ceilDiv(pr.m, kern.mr) <= directPanels || pr.k*pr.n <= smallB ||
			pr.n <= residentCols && pr.k*pr.n <= residentB)
	jb.keepA = jb.directB && roundUp(jb.sched.chunkRows, kern.mr)*pr.k <= packedABudget
	jb.sharedB, jb.bParts = nil, 0
	if !jb.directB && jb.sched.colSlabs == 1 && jb.sched.workers > 1 && pr.k*pr.n >= sharedMin {
		grow(shared, roundUp(pr.n, nr)*pr.k)
		jb.sharedB, jb.bParts = *shared, ceilDiv(pr.n, sharedCols)
	}
	jb.bNext.Store(0)
	jb.bDone.Store(0)
	jb.next.Store(0)
}

// rowView returns the product as a product of one row, C' = op(A') op(B'), and whether it
// is one that a row kernel computes (op(B') = B', which it reads in place): the problem
// itself when m = 1, and, when n = 1, the m values of C are adjacent (ldc = 1) and op(A)
// = A^T, its transpose C^T = op(B)^T op(A)^T = op(B)^T A, which is the same memory. The
// transpose sums the same terms in the same order (a product of two values is the same
// either way round), so it changes which kernel form runs, never a result. With op(A) = A
// the row kernel would read A down its columns; the column kernel reads its rows.
func rowView(pr *problem) (problem, bool) {
	switch {
	case pr.m == 1 && !pr.transB:
		return *pr, true
	case pr.n == 1 && pr.ldc == 1 && pr.transA:
		return problem{transA: !pr.transB, m: 1, n: pr.m, k: pr.k, alpha: pr.alpha,
			a: pr.b, lda: pr.ldb, b: pr.a, ldb: pr.lda, beta: pr.beta, c: pr.c, ldc: pr.m}, true
	}
	return problem{}, false
}

// ceilDiv is x/y rounded up.
func ceilDiv(x, y int) int { return (x + y - 1) / y }

// roundUp rounds x up to a multiple of q.
func roundUp(x, q int) int { return ceilDiv(x, q) * q }
