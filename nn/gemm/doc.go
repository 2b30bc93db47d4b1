// Package gemm multiplies float32 matrices: C = alpha*op(A)*op(B) + beta*C, row-major,
// where op(X) is X or its transpose. It is the one place where loralab spends most of its
// time, so it is written like a BLAS: packed operands, cache blocking, an assembly
// micro-kernel, and goroutines.
//
// # Use
//
// Sgemm is the one-call form. Code that multiplies repeatedly (a training step) keeps a
// Pool: its worker goroutines and packing buffers persist, so a warmed-up call starts no
// goroutine and allocates nothing.
//
//	pool := gemm.NewPool(runtime.GOMAXPROCS(0))
//	defer pool.Close()
//	pool.Sgemm(false, true, n, out, in, 1, x, in, w, in, 0, y, out) // y = x W^T
//
// # Blocking
//
// The structure is GotoBLAS's (as in BLIS). For each column slab of C (the slab of op(B)
// is packed once, all of k, into nr-column micro-panels: it lives in L3), each row chunk
// of at most mc rows, and each kc-deep slice of k in increasing order, the chunk's rows of
// op(A) are packed into mr-row micro-panels (they live in L2), and the micro-kernel
// multiplies one A micro-panel by one B micro-panel into one mr x nr tile of C, kept in
// registers for the whole kc-long loop (the two panels live in L1); a B micro-panel
// serves all the A micro-panels of the chunk in turn, or, for a kernel with a strip form,
// an A micro-panel all the B micro-panels of the slab. See blocking.go for
// the sizes: nr = 16, kc = 256 and mc = 144 for every kernel, mr = 16 for the AVX-512
// kernel and 6 for the others.
//
// Packing reads op(A) and op(B) once per use with whatever transposition and stride the
// caller has, and writes them in exactly the order the kernel reads them, so one kernel
// serves the four cases NN, NT, TN and TT, and the kernel's loads are unit-stride.
// Panels at the bottom and right edges are padded with zeros; tiles short of mr rows are
// stored row by row by the kernel itself, and tiles narrower than nr are stored under a
// mask by the AVX-512 kernel (the last tile of its strip) and through an mr x 16 scratch
// tile by the others, so edge elements get the same arithmetic as interior ones.
// Packing pays only when a packed panel is used many times, so the kernel takes operand
// strides and reads full panels of A in place when C has at most four column panels
// (n <= 64: LoRA's x A^T, say; but op(A) = A^T of more than 2^17 values is packed when
// C has two to four column panels: read in place, each step of k would read 64 bytes a
// row of A^T apart), the partial panel too when the rows the kernel reads lie within the
// caller's A (the AVX-512 kernel reads eight rows for a tile of at most eight), and B in
// place when op(B) = B and C has at most four row panels, or B has at most 4096 values
// (16 KiB, which stays in L1), or at most 2^16 values in rows of at most 256 columns (256
// KiB, which stays in L2 while the strips read it again and again: packed, it would cost
// a pass over it and, on several goroutines, a shared slab they wait for; wider rows lose
// read in place). A product of one row (m = 1: a vector times a matrix, LoRA's rank-1 dA =
// dh^T x) packs nothing where the kernel has a row form (below): each value of B is used
// once. Nor does a product of one column whose m values of C are adjacent (n = 1 and ldc
// = 1: LoRA's rank-1 x A^T and dy B): with op(A) = A^T it is computed as its transpose
// C^T = op(B)^T A, a product of one row, which is the same memory and the same sums in
// the same order; with op(A) = A by the kernel's column form, which reads the rows of A
// in place (C with ldc > 1 goes through the tiles). The packs walk the source along its
// stored rows. With AVX-512 (pack_amd64.s) the 16-wide panels are made by 16 x 16
// transposes in registers (op(B) = B^T, and op(A) = A into the AVX-512 kernel's 16-row
// panels: sixteen 64-byte loads, unpacks and lane shuffles, sixteen stores) and by 64-byte
// copies (op(B) = B and op(A) = A^T, four panels at a time all k deep, so that the writes
// go to four sequential streams rather than one page per panel per source row); what is
// left (partial panels, depths short of 16) and other CPUs go through 8 x 8 blocks
// transposed with AVX shuffles (transpose_amd64.s) where available, or Go.
//
// # Kernels
//
// Three micro-kernels share the packed B layout; the first one the CPU supports runs, as
// reported by golang.org/x/sys/cpu (which also checks that the operating system saves the
// vector registers):
//
//   - avx512 (kernel_avx512_amd64.s), with AVX-512F: a 16 x 16 tile in 16 ZMM
//     accumulators, 16 FMAs per step of k. When the 16 values of A are adjacent (a packed
//     panel, or A^T read in place) it loads the row of B twice, its even and its odd
//     columns each duplicated into both lanes of a pair (VMOVSLDUP, VMOVSHDUP), and
//     broadcasts the values of A of two adjacent rows at once (VBROADCASTSD), each to two
//     VFMADD231PS: ten loads for the sixteen FMAs. The two accumulators of a pair of rows
//     hold them interleaved, and two VPERMT2PS per pair put the rows back before the
//     stores. Sixteen FMAs that each broadcast their value of A from memory (embedded
//     broadcast) plus the load of B, seventeen loads, held the FMA rate of Zen 5 to 94%
//     (210 against 223 GFLOPS in a loop on L1 data), and the large products to 0.90-0.94 of
//     OpenBLAS. That form, one accumulator per row, remains for an A read in place along
//     its rows (a row stride apart), through index registers. One call
//     computes a strip of tiles (one A panel against all the B panels of a chunk), so that
//     only the first tile pays for the call and its set-up; while a tile runs it
//     prefetches the rows of the next tile of C, and, when it reads B or A^T in place (a
//     row stride apart, which the hardware prefetchers do not follow), their rows 16 steps
//     ahead. A tile of fewer than 64 steps with beta = 0 does not prefetch C (its stores go
//     to the store buffer), and one of 16 steps or fewer no rows ahead. A tile of at most
//     eight rows (the last panel of 24 rows, say) runs eight accumulators only, half the
//     FMAs, and reads eight rows of A; the last tile of a strip narrower than 16 columns
//     reads and writes C under a mask register instead of going through a scratch tile.
//     Its row
//     form (row_avx512_amd64.s) computes a C of one row in blocks of 128 columns, eight
//     accumulators, reading a row of B per step; the last columns go under a mask. Its
//     column form (col_avx512_amd64.s) computes a C of one column from a row-major A in
//     blocks of 16 rows, one accumulator whose lanes are the rows: per 16 steps it loads
//     64 bytes of each row, transposes the 16 x 16 block in registers (unpacks, then
//     128-bit lane shuffles) and runs 16 FMAs in order of p that broadcast the vector's
//     value from memory; the last k mod 16 steps load under a mask, and a block short of
//     16 rows runs on a zero-padded copy. Its pair form (pair_avx512_amd64.s) takes the
//     strips of an A read in place along its rows that have two B panels or more: blocks
//     of 8 x 32, eight rows of A against two B panels side by side, 16 accumulators, each
//     value of A broadcast once for two FMAs (ten loads for sixteen FMAs again); an odd
//     last panel goes through the strip kernel.
//   - avx2-fma (kernel_amd64.s), with AVX2 and FMA3: a 6 x 16 tile in 12 YMM accumulators;
//     per step two loads of B, six VBROADCASTSS of A and 12 VFMADD231PS.
//   - portable (kernel_portable.go), everywhere and under the build tag purego: Go that
//     reads the same panels in 2 x 4 sub-tiles whose 8 accumulators stay in registers.
//
// The environment variable LORALAB_GEMM_KERNEL (EnvKernel) forces one by name, e.g. to run
// the AVX2 kernel on an AVX-512 machine or to compare them; naming a kernel the CPU lacks
// makes the first product panic. The tests run every kernel the CPU supports, whatever
// the variable says, and log the ones they skip with the reason; BenchmarkGemmAVX512,
// BenchmarkGemmAVX2 and BenchmarkGemmPortable measure one kernel each.
//
// The two assembly kernels, and the AVX-512 kernel's strip, pair, row and column forms,
// compute every element the same way (one fused multiply-add per term, p increasing, C
// updated as alpha*sum + beta*C with the same two roundings), so they give bit-identical
// results (tested): which of them a machine has, and which form a product's shape picks,
// changes the speed only. The portable kernel rounds differently (a multiply and an add
// where the assembly fuses them).
//
// The AVX2 and portable kernels have no row or column form: their products of one row or
// one column (m = 1, or n = 1 with any ldc and either op(A)) run on the tiles like any
// other shape, a whole mr x 16 tile per block of which C keeps one row or one column (edge
// tiles as above). The AVX2 kernel's results are bit-identical to the AVX-512 forms'
// (TestAssemblyKernelsAgree); the portable kernel's carry its own rounding.
//
// # Threads and determinism
//
// The chunks of C (row chunks of column slabs, on the mr x nr grid) are handed out to the
// goroutines through an atomic counter, so a goroutine that the operating system pauses
// does not hold up the others. Each chunk is computed from start to end by one goroutine:
// every element of C is the kernel's sum over k in increasing order within each kc slice,
// added to C slice after slice in increasing order, whichever goroutine computed it and
// however many there are. The results are therefore bit-identical for any thread count
// (the tests check 1, 2, 3 and 7), and for any assignment of chunks to goroutines.
//
// When C is a single column slab and op(B) has 2^19 values or more, the goroutines pack
// op(B) together into one shared slab, 128 columns at a time, and each waits for the parts
// the others took before it uses the slab; one that polls too long (the other goroutine
// paused) packs a slab of its own. A smaller op(B) each goroutine packs for itself: the
// waits, and the reads of parts that other cores wrote, would cost more than the packing
// saved.
// With B read in place, a goroutine packs its rows of op(A) once, all of k deep, for all
// its chunks (slabs of columns of the same rows). Where an operand is packed changes
// where the kernel reads it, never the arithmetic. Products up to m*n*k = 2^18 (LoRA's 16 x 768 x 8, attention's
// per-head products; OpenBLAS draws its line at the same size) run on the calling
// goroutine alone, without handing anything to the pool's workers, since handing work
// over costs more than it saves. With the AVX-512 kernel's strips a chunk may be a
// single tile high, so that a product of few row panels on two goroutines (128 x 128 x
// 128) is cut into row chunks that share one packed B rather than into column slabs
// that each goroutine packs again with its rows of A. The guarantee is per kernel,
// and the two assembly kernels agree with each other; the portable kernel rounds
// differently, so a CPU without AVX2/FMA, or a purego build, gives slightly different
// results.
//
// # OpenBLAS
//
// With the build tag openblas (cgo and the system OpenBLAS: apt-get install
// libopenblas-dev), Sgemm and Pool.Sgemm call cblas_sgemm instead. OpenBLAS's results
// change with its thread count, so it keeps its own fixed one (OPENBLAS_NUM_THREADS, or
// one per core) and the threads argument is ignored. Default builds and tests never need
// OpenBLAS; under the tag the benchmarks also measure it (BenchmarkGemmOpenBLAS).
// Debian's OpenBLAS 0.3.21 picks its kernels by CPU model and does not know recent ones:
// on the AMD EPYC below (family 26, Zen 5) it takes its Haswell (AVX2) kernels, and on an
// earlier Xeon (family 6, model 207) its Prescott (SSE3) ones, so comparisons set
// OPENBLAS_CORETYPE=SkylakeX, its AVX-512 kernels (OPENBLAS_VERBOSE=2 prints the choice).
// On two threads they also set OPENBLAS_THREAD_TIMEOUT=4: by default OpenBLAS's idle
// threads spin for 2^28 cycles before they sleep, which in a measurement of process CPU
// time (below) charges OpenBLAS for spinning through this package's slices and the gaps
// between calls; with 4, the smallest value it takes, they sleep almost at once.
//
// # Performance
//
// Measured on the development machine: AMD EPYC (family 26, model 2, Zen 5; 2 cores,
// AVX-512F/BW/DQ/VL, a virtual machine), Go 1.26, OpenBLAS 0.3.21 (Debian
// libopenblas0-pthread) with OPENBLAS_CORETYPE=SkylakeX. The machine is shared with other
// jobs (other sessions' builds and tests; the study jobs are paused while a benchmark
// runs: load average 1.4 before the two runs of the table, 2.0 after them), which moves
// wall times by a factor of two within seconds, so BenchmarkGemmVsOpenBLAS alternates
// this package and OpenBLAS on each case in slices of 20 ms of process CPU time, nine
// rounds, and reports medians of GFLOPS-per-CPU (flops
// per second of the CPU time the process used, spinning included) and of the ratio per
// round (above 1 where this package is faster):
//
//	go test -c -tags openblas -o gemm.test ./nn/gemm
//	export OPENBLAS_CORETYPE=SkylakeX LORALAB_GEMM_KERNEL=avx512
//	OPENBLAS_NUM_THREADS=1 ./gemm.test -test.run '^$' -test.bench GemmVsOpenBLAS \
//	    -test.benchtime 9x -test.cpu 1
//	OPENBLAS_NUM_THREADS=2 OPENBLAS_THREAD_TIMEOUT=4 ./gemm.test -test.run '^$' \
//	    -test.bench GemmVsOpenBLAS -test.benchtime 9x -test.cpu 2
//
// The cases are the 12 transformer shapes; for LoRA at d = 768 on 2048 tokens with
// ranks r = 1, 8 and 64, its six products: x A^T (NT_2048xrx768), h B^T (NT_2048x768xr),
// dh A (NN_2048x768xr), dy B (NN_2048xrx768), dh^T x (TN_rx768x2048) and dy^T h
// (TN_768xrx2048); and attention's products per head and block of queries: the scores
// q K^T (NT_rows x keys x dh), P V (NN_rows x dh x keys) and P^T dO (TN_keys x dh x rows)
// for 32 queries against 128 keys with heads of 32 and 64, the first causal block (32
// keys), and a sequence of 24 tokens. Each binary (this package before and after the
// changes of the "before" column, built from the same benchmark file) ran twice,
// alternating, in one invocation at each thread count; the table gives the means of the
// two passes (geometric for the ratios). GFLOPS-per-CPU:
//
//	                   1 thread:                        2 threads:
//	case                OpenBLAS    ours  ratio  before   OpenBLAS    ours  ratio  before
//	NN_128x128x128       143.6   174.9   1.20    1.09       39.9   110.3   2.63    2.48
//	NN_1024x768x768      188.6   185.7   0.99    0.88      140.6   167.4   1.19    0.90
//	NN_2048x256x256      182.4   184.6   1.01    0.94      115.0   194.6   1.70    1.09
//	NN_16x768x8           57.2    58.1   0.98    0.95       57.4    57.4   0.98    0.97
//	NT_128x128x128       132.8   160.9   1.20    1.10       47.6   102.5   2.58    0.91
//	NT_1024x768x768      188.3   183.1   0.97    0.87      137.3   162.1   1.23    0.92
//	NT_2048x256x256      184.6   189.8   1.03    0.90      137.8   198.7   1.44    1.08
//	NT_16x768x8           33.3    41.4   1.24    1.17       37.5    46.7   1.24    1.19
//	TN_128x128x128       138.2   168.2   1.21    1.04       58.8   133.4   2.21    1.72
//	TN_1024x768x768      185.0   182.9   0.99    0.89      174.3   177.7   1.02    0.90
//	TN_2048x256x256      158.4   163.1   1.03    0.94      132.8   195.8   1.43    1.11
//	TN_16x768x8           55.9    55.9   0.98    0.96       62.8    63.0   0.99    0.96
//	NT_2048x1x768          9.2    21.9   2.38    2.67        7.2    19.5   2.77    2.41
//	NT_2048x768x1         11.3    28.4   2.90    3.40        2.3    18.6   7.98    2.24
//	NN_2048x768x1         11.3    28.6   2.95    4.82        2.3    19.3   8.03    3.76
//	NN_2048x1x768          9.4    22.8   2.40    2.46        7.2    20.9   2.90    2.45
//	TN_1x768x2048          7.4    30.6   4.08    4.05        7.2    30.0   4.33    3.44
//	TN_768x1x2048          7.3    31.3   4.35    4.65        6.3    30.2   4.74    4.08
//	NT_2048x8x768         52.8    66.9   1.27    1.28       17.0    74.8   3.92    2.50
//	NT_2048x768x8         69.1   124.3   1.78    2.07       20.9   122.8   5.90    2.84
//	NN_2048x768x8         72.4   127.3   1.78    2.14       20.9   123.2   5.81    4.56
//	NN_2048x8x768         53.5    67.5   1.27    1.21       16.3    75.1   4.63    5.11
//	TN_8x768x2048         56.9   113.2   2.03    2.00       30.0    72.3   2.49    2.84
//	TN_768x8x2048         51.1    70.2   1.38    1.15       15.7    69.0   4.35    2.43
//	NT_2048x64x768       141.8   177.8   1.25    1.09       93.1   196.8   2.16    1.81
//	NT_2048x768x64       156.4   178.3   1.14    1.14      102.9   196.1   1.92    1.31
//	NN_2048x768x64       161.3   189.2   1.17    1.11      105.0   203.7   1.94    1.31
//	NN_2048x64x768       149.3   188.0   1.25    1.07       93.5   204.3   2.19    1.44
//	TN_64x768x2048       140.2   172.8   1.23    1.08      125.5   159.8   1.29    1.11
//	TN_768x64x2048       144.3   154.1   1.07    0.96       92.6   143.9   1.56    1.17
//	NT_32x128x32          53.1    67.1   1.26    1.23       54.1    71.2   1.30    1.23
//	NN_32x32x128          70.9    73.5   1.03    0.95       79.6    81.5   1.02    0.96
//	TN_128x32x32          81.0    79.5   0.99    0.91       81.0    78.4   0.96    0.94
//	NT_32x128x64          63.2    81.0   1.31    1.27       73.2    98.9   1.35    1.31
//	NN_32x64x128         110.3   107.8   1.00    0.91      113.2   115.7   1.02    0.94
//	TN_128x64x32         112.1   111.3   1.00    0.90      118.3   114.4   0.97    0.91
//	NT_32x32x32           23.5    25.4   1.08    1.08       26.5    28.9   1.09    1.07
//	NN_32x32x32           27.8    27.5   0.99    1.01       30.3    30.6   1.01    1.01
//	TN_32x32x32           28.0    27.5   0.98    1.00       31.5    31.2   0.99    1.00
//	NT_24x24x32           15.4    15.3   0.98    1.00       17.4    17.4   1.00    1.00
//	NN_24x32x24           17.1    17.0   0.99    0.99       19.0    19.0   1.01    1.03
//	TN_24x32x24           17.1    16.5   0.97    0.99       19.0    19.1   1.00    1.01
//	geomean                              1.32    1.29                      1.89    1.50
//
// On one thread all 42 cases are at 0.95 of OpenBLAS or above (33 before), 1.32 in the
// geometric mean (1.29); on two threads all 42 too (35 before), 1.89 (1.50). The lowest
// on one thread are NT_1024x768x768 and TN_24x32x24, 0.97: the kernel now runs the large
// products at about the FMA rate, and what is left is mostly packing (about 5% of their
// time), which OpenBLAS pays too. On two threads the lowest are the attention products
// TN_128x32x32 0.96 and TN_128x64x32 0.97 (run on one goroutine). In this run OpenBLAS's
// two-thread figures for the large products were low (140 GFLOPS per CPU for
// NN_1024x768x768); in one an hour earlier, with the same kernels and the same
// two-thread code except that the goroutines shared the packing of every op(B) (below),
// OpenBLAS reached 164 to 171 on the three 1024 x 768 x 768 products and the ratios were
// 1.00, 1.04 and 1.05. Repeated runs of a case move by 0.02 to 0.04 on one thread; on two,
// OpenBLAS's own figure for a case sometimes drops by a factor of two to four for a whole
// run (its threads then wait on each other), which is where the ratios of 3 to 8 come
// from.
//
// The measure charges each product's call with a getrusage system call (about 1.5 us on
// this virtual machine), and its first accesses after it: for the smallest products
// that is most of the time (NT_24x24x32 takes 0.7 us alone, OpenBLAS 0.4 us), so their
// ratios are much closer to 1 than those of the products alone (BenchmarkGemmAVX512 and
// BenchmarkGemmOpenBLAS measure those).
//
// What the changes of the table's "before" and "after" did (from runs like the above,
// each alternating the two binaries, or, where stated, two settings alternating in one
// process): the AVX-512 kernel's pairs of rows (DSTEP: ten loads for sixteen FMAs instead
// of seventeen) took the large products on one thread from 0.87-0.94 to 0.97-1.03, and
// the attention products with A^T read in place, TN_128x32x32 and TN_128x64x32, from
// 0.90-0.91 to 0.99-1.00; the pair form, for A read in place along its rows,
// NN_32x32x128 0.95 -> 1.03, NN_32x64x128 0.91 -> 1.00 and NN_2048x64x768 1.07 -> 1.25.
// On two threads, in one process: B of up to 2^16 values in rows of up to 256 columns
// read in place, NN_128x128x128 from about 70 to about 125 GFLOPS per CPU; op(B) below
// 2^19 values packed by each goroutine for itself rather than shared, NT_128x128x128
// +65%. The model's own
// products (not in the table: 512 tokens, k = 128 with n = 128, 384 and 512, k = 512
// with n = 128, and the weight gradients TN with k = 512), measured like the table: on
// one thread from 0.95-1.12 of OpenBLAS to 1.03-1.26, on two from 0.81-1.74 (94 to 157
// GFLOPS per CPU) to 1.13-1.92 (144 to 199 GFLOPS per CPU; TN_128x128x512 from 94 to 163,
// TN_128x512x512 from 104 to 144).
//
// Earlier changes, one thread, before -> after: partial panels of A read in place, a
// small B read in place, the masked last tile and the eight-row tiles: NT_24x24x32 0.89
// -> 0.95, NN_24x32x24 0.92 -> 0.97, TN_24x32x24 0.87 -> 0.97; op(A) = A^T packed above 2^17
// values: TN_768x64x2048 0.90 -> 0.95; copyPanels16's four streams instead of one per
// panel: the geometric mean of the nine square products 0.94 -> 0.97;
// no prefetch of C under 64 steps with beta = 0: TN_128x64x32 0.89 -> 0.94; on two
// threads, serial products up to 2^18 (was below; an earlier table's before and after):
// NT_32x128x64 0.54 -> 1.26 and TN_128x64x32 0.32 -> 0.92, and chunks one tile high:
// NT_128x128x128 0.87 -> 1.12.
// Earlier measurements on an Intel Xeon (before these changes, 30 cases) are in the git
// history of this file.
package gemm
