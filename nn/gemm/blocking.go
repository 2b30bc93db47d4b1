package gemm

// Register and cache blocking (BLIS/GotoBLAS notation), chosen for AMD Zen 3 (32 KiB L1d
// and 512 KiB L2 per core, 32 MiB L3 per CCD) and, being smaller than its caches, right
// for Zen 4/5 and recent Intel cores too.
//
// The micro-kernel keeps an mr x nr tile of C in registers. nr = 16 columns is shared by
// all kernels, so packed B is the same whichever kernel runs; mr is the kernel's own (see
// kernel.mr). The AVX2 kernel's 6 x 16 tile is 12 YMM accumulators, plus 2 registers for a
// row of the packed B panel and 2 for broadcasts of packed A, which is all 16 YMM
// registers of AVX2: per step of k it issues 12 FMAs for 8 loads, enough independent FMAs
// to cover their latency on two FMA pipes. The AVX-512 kernel's 16 x 16 tile is 16 ZMM
// accumulators, plus two registers for the row of B (its even and its odd columns, each
// duplicated) and two for values of A of two adjacent rows broadcast together, so per
// step of k it issues 16 FMAs for 10 loads (with A read in place a row stride apart, 16
// FMAs that broadcast A from memory, 17 loads, or, in 8 x 32 blocks, 16 FMAs for 10
// loads again). Its height of 16 divides the row counts of the models' products (token batches, widths,
// and LoRA ranks of 16 or more; lower ranks fit one partial panel), where 12 or 14 rows
// would leave a partial panel at every edge.
//
// maxMR bounds the mr of every kernel (the edge tile scratch is maxMR x nr).
//
// kc is the depth of one rank-kc update: a packed B micro-panel (kc x nr) and a packed A
// micro-panel (kc x mr) stay in L1 while the kernel runs (256 x 16 x 4 B = 16 KiB plus
// 6 or 16 KiB). A row chunk of at most mc rows of packed A (144 x 256 x 4 B = 144 KiB) stays
// in L2 while the kernel sweeps it against every B micro-panel of a column slab. The
// column slab of packed B (the nc of GotoBLAS, sized by packedBBudget in schedule.go)
// lives in L3.
//
// Only kc influences rounding: C is updated once per kc-deep slice of the k dimension, in
// increasing k order. mc and the slab width only change the order in which independent
// tiles are visited.
const (
	maxMR = 16
	nr    = 16
	kc    = 256
	mc    = 144 // a multiple of every kernel's mr
)
