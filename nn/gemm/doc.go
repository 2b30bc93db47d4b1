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
// stored row by row by the kernel itself, and tiles narrower than nr go through an
// mr x 16 scratch tile, so edge elements get the same arithmetic as interior ones.
// Packing pays only when a packed panel is used many times, so the kernel takes operand
// strides and reads full panels of A in place when C has at most four column panels
// (n <= 64: LoRA's x A^T, say), and B in place when C has at most four row panels and
// op(B) = B. A product of one row (m = 1: a vector times a matrix, LoRA's rank-1 dA =
// dh^T x) packs nothing where the kernel has a row form (below): each value of B is used
// once. Nor does a product of one column whose m values of C are adjacent (n = 1 and ldc
// = 1: LoRA's rank-1 x A^T and dy B): with op(A) = A^T it is computed as its transpose
// C^T = op(B)^T A, a product of one row, which is the same memory and the same sums in
// the same order; with op(A) = A by the kernel's column form, which reads the rows of A
// in place (C with ldc > 1 goes through the tiles). The packs walk the source along its
// stored rows; 8 x 8 blocks are transposed with AVX shuffles (transpose_amd64.s) where
// available: op(B) = B^T, and op(A) = A into the AVX-512 kernel's 16-row panels.
//
// # Kernels
//
// Three micro-kernels share the packed B layout; the first one the CPU supports runs, as
// reported by golang.org/x/sys/cpu (which also checks that the operating system saves the
// vector registers):
//
//   - avx512 (kernel_avx512_amd64.s), with AVX-512F: a 16 x 16 tile in 16 ZMM
//     accumulators, one per row; per step of k one 64-byte load of B and 16 VFMADD231PS
//     that broadcast their value of A from memory (embedded broadcast). When the 16
//     values of A are adjacent (a packed panel, or A^T read in place) each FMA addresses
//     its value by a displacement from one register: with an index register, Intel cores
//     split each of these FMAs into two micro-ops, and the front end, which the other
//     hyperthread shares, rather than the FMA units would set the pace. One call
//     computes a strip of tiles (one A panel against all the B panels of a chunk), so that
//     only the first tile pays for the call and its set-up; while a tile runs it
//     prefetches the rows of the next tile of C, and, when it reads B or A^T in place (a
//     row stride apart, which the hardware prefetchers do not follow), their rows 16 steps
//     ahead. A tile of fewer than 32 steps with beta = 0 does not prefetch C (its stores go
//     to the store buffer), and one of 16 steps or fewer no rows ahead. Its row
//     form (row_avx512_amd64.s) computes a C of one row in blocks of 128 columns, eight
//     accumulators, reading a row of B per step; the last columns go under a mask. Its
//     column form (col_avx512_amd64.s) computes a C of one column from a row-major A in
//     blocks of 16 rows, one accumulator whose lanes are the rows: per 16 steps it loads
//     64 bytes of each row, transposes the 16 x 16 block in registers (unpacks, then
//     128-bit lane shuffles) and runs 16 FMAs in order of p that broadcast the vector's
//     value from memory; the last k mod 16 steps load under a mask, and a block short of
//     16 rows runs on a zero-padded copy.
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
// The two assembly kernels, and the AVX-512 kernel's strip, row and column forms, compute
// every element the same way (one fused multiply-add per term, p increasing, C updated as
// alpha*sum + beta*C with the same two roundings), so they give bit-identical results
// (tested): which of them a machine has, and which form a product's shape picks, changes
// the speed only. The portable kernel rounds differently (a multiply and an add where the assembly
// fuses them).
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
// When C is a single column slab, the goroutines pack op(B) together into one shared slab,
// 128 columns at a time, and each waits for the parts the others took before it uses the
// slab; one that polls too long (the other goroutine paused) packs a slab of its own.
// With B read in place, a goroutine packs its rows of op(A) once, all of k deep, for all
// its chunks (slabs of columns of the same rows). Where an operand is packed changes
// where the kernel reads it, never the arithmetic. Products below m*n*k = 2^18 (LoRA's 16 x 768 x 8, for one) run on the calling goroutine
// alone, since handing work over costs more than it saves. The guarantee is per kernel,
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
// on the Xeon below (family 6, model 207) it falls back to its Prescott (SSE3) kernels,
// so comparisons set OPENBLAS_CORETYPE=SkylakeX, its AVX-512 kernels (OPENBLAS_VERBOSE=2
// prints the choice).
//
// # Performance
//
// Measured on the development machine: Intel Xeon (family 6, model 207; 2 cores, AVX2,
// FMA and AVX-512), Go 1.26, OpenBLAS 0.3.21 (Debian libopenblas0-pthread) with
// OPENBLAS_CORETYPE=SkylakeX. The machine is shared with other jobs (a pretraining job
// and other sessions' tests: load average 5.1 to 6.5 during the run, 14 to 23 in the
// hour before), which moves wall times by a factor of two within seconds, so
// BenchmarkGemmVsOpenBLAS alternates this package and OpenBLAS on each case in slices of
// 20 ms of process CPU time, nine rounds, and reports medians of GFLOPS-per-CPU (flops
// per second of the CPU time the process used, spinning included) and of the ratio per
// round (above 1 where this package is faster). One thread each, then two each; the AVX2
// kernel was run against OpenBLAS in the same way, so avx512/avx2 is the ratio of the
// two ratios:
//
//	go test -c -tags openblas -o gemm.test ./nn/gemm
//	export OPENBLAS_CORETYPE=SkylakeX
//	OPENBLAS_NUM_THREADS=1 LORALAB_GEMM_KERNEL=avx512 ./gemm.test -test.run '^$' \
//	    -test.bench GemmVsOpenBLAS -test.benchtime 9x -test.cpu 1    # then avx2-fma
//	OPENBLAS_NUM_THREADS=2 LORALAB_GEMM_KERNEL=avx512 ./gemm.test -test.run '^$' \
//	    -test.bench GemmVsOpenBLAS -test.benchtime 9x -test.cpu 2
//
// The cases are the 12 transformer shapes and, for LoRA at d = 768 on 2048 tokens with
// ranks r = 1, 8 and 64, its six products: x A^T (NT_2048xrx768), h B^T (NT_2048x768xr),
// dh A (NN_2048x768xr), dy B (NN_2048xrx768), dh^T x (TN_rx768x2048) and dy^T h
// (TN_768xrx2048). GFLOPS-per-CPU:
//
//	                   1 thread:                                   2 threads:
//	case                OpenBLAS  avx512  ratio    avx2    avx512/  OpenBLAS  avx512  ratio
//	                                                          avx2
//	NN_128x128x128          69.8    87.0   1.27    53.0       1.92      49.0    25.1   0.90
//	NN_1024x768x768        100.5    88.1   0.87    45.1       1.80      62.2    29.1   0.72
//	NN_2048x256x256        102.8    93.8   0.93    59.7       1.37      56.2    98.4   1.29
//	NN_16x768x8             51.9    53.0   1.07    25.6       2.86      53.4    53.2   1.09
//	NT_128x128x128          59.5    83.8   1.41    43.1       1.92      19.3    36.0   1.87
//	NT_1024x768x768         97.9    87.3   0.91    42.5       2.07      79.0    31.9   0.48
//	NT_2048x256x256         88.0    83.1   0.94    52.5       1.78      45.4    87.0   0.94
//	NT_16x768x8             16.0    28.3   1.70    17.1       1.97      23.7    41.6   1.64
//	TN_128x128x128          66.4    73.2   1.02    33.8       2.02      18.0    38.4   2.11
//	TN_1024x768x768         93.3    82.9   0.89    42.0       1.98      64.2    68.8   1.08
//	TN_2048x256x256         87.5    66.0   0.74    52.0       1.53      32.9    75.2   1.89
//	TN_16x768x8             44.5    49.2   1.13    24.8       3.23      52.2    47.7   0.96
//	NT_2048x1x768            4.4     3.7   0.86     3.1       1.21       2.1     1.8   0.81
//	NT_2048x768x1            4.7     7.1   1.51     1.4       4.66       1.0     4.8   5.33
//	NN_2048x768x1            4.6     7.0   1.50     1.4       4.68       1.0     4.5   4.40
//	NN_2048x1x768            4.5     3.6   0.84     3.4       1.17       1.2     2.3   1.87
//	TN_1x768x2048            4.0     8.7   2.24     4.7       2.05       1.3     5.3   3.40
//	TN_768x1x2048            4.1     3.3   0.88     2.0       1.77       2.5     2.7   1.09
//	NT_2048x8x768           29.6    33.6   1.14    20.8       1.33       8.8     7.2   0.84
//	NT_2048x768x8           29.9    47.5   1.57     9.7       4.51      10.6    11.2   1.04
//	NN_2048x768x8           30.8    46.2   1.51    12.1       3.77      11.0    23.2   1.67
//	NN_2048x8x768           29.5    28.7   0.99    24.1       1.27       8.8     6.7   0.72
//	TN_8x768x2048           24.9    30.5   1.24    26.1       1.36       8.9     7.2   0.94
//	TN_768x8x2048           27.9    26.1   0.94    16.7       1.72       4.1    13.4   3.27
//	NT_2048x64x768          88.3   103.7   1.13    51.9       1.59      26.3    48.1   1.80
//	NT_2048x768x64         104.3   116.3   1.12    48.2       1.92      27.0    69.4   2.73
//	NN_2048x768x64          88.5    95.8   1.16    47.5       1.65      81.2    87.1   1.06
//	NN_2048x64x768          76.0    67.0   0.90    60.2       1.23      38.0    20.0   0.53
//	TN_64x768x2048          70.4    65.6   0.92    28.2       1.97      38.7    19.0   0.70
//	TN_768x64x2048          66.6    55.3   0.86    36.9       1.53      49.4    15.8   0.38
//	geomean                 33.9    37.1   1.10    19.3       1.95      15.3    19.4   1.28
//
// On one thread, the steadier figure (repeated runs of a case agree within about 10%),
// the AVX-512 kernel is ahead of OpenBLAS on 16 of the 30 cases and at 0.99 on one more,
// 1.10 in the geometric mean, and 1.95 times as fast as the AVX2 kernel. It is behind
// (0.74 to 0.94) on the square products of 768 and 256, the products with one output
// column (n = 1: the 16 x 16 tile computed 16 columns for one, as the m = 1 products did
// before the row kernel; they now have the row and column forms, below), TN_768x8x2048,
// NN_2048x64x768, TN_64x768x2048 and
// TN_768x64x2048; in earlier one-thread runs of the same code the square products
// ranged from 0.85 to 1.13 and TN_64x768x2048 from 0.92 to 1.10. On two threads the
// spread between runs (OpenBLAS's own figures for one case change by factors of two to
// five between runs) hides any difference below about 1.5x.
//
// The changes measured one at a time on one thread, each alternated with OpenBLAS in one
// run (median ratios to OpenBLAS, before -> after): FMAs that address A by displacement:
// NN_1024x768x768 0.73 -> 0.91, NT_1024x768x768 0.71 -> 1.01, TN_1024x768x768 0.59 ->
// 0.84, NT_2048x256x256 0.79 -> 1.05, TN_64x768x2048 0.89 -> 1.01; strips of tiles and
// no prefetches for short tiles: NN_16x768x8 0.63 -> 0.95, TN_16x768x8 0.57 -> 0.87 (two
// runs each); the row kernel: TN_1x768x2048 0.99 -> 2.64.
//
// The forms for one column (the transposed product on the row kernel for op(A) = A^T,
// the column kernel for op(A) = A), measured with the first command above (avx512, one
// thread, all 30 cases before and after, load average 2.1 to 3.4): NT_2048x1x768 1.02 ->
// 2.14, NN_2048x1x768 0.99 -> 1.88, TN_768x1x2048 0.84 -> 1.98 (GFLOPS-per-CPU 6.0, 5.3,
// 3.7 -> 9.9, 10.4, 9.9), geometric mean of the three 0.95 -> 2.00; in a run of the
// n = 1 cases alone, 2.28, 2.04 and 2.23, and in a second run of all 30 (load 2.4 to 2.6)
// 2.19, 2.26 and 2.44. The other 27 cases, whose code did not change, moved as runs do
// (geometric mean 1.13 -> 1.11 and 1.10; NN_1024x768x768 0.93 -> 0.77 with OpenBLAS's own
// figure 101 -> 151 GFLOPS-per-CPU, then 0.96). The n = 1 rows of the table above are
// from before.
package gemm
