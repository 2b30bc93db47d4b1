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
// once. The packs walk the source along its stored rows; 8 x 8 blocks are transposed
// with AVX shuffles (transpose_amd64.s) where available: op(B) = B^T, and op(A) = A into
// the AVX-512 kernel's 16-row panels.
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
//     accumulators, reading a row of B per step; the last columns go under a mask.
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
// The two assembly kernels, and the AVX-512 kernel's strip and row forms, compute every
// element the same way (one fused multiply-add per term, p increasing, C updated as
// alpha*sum + beta*C with the same two roundings), so they give bit-identical results
// (tested): which of them a machine has, and which form a product's shape picks, changes
// the speed only. The portable kernel rounds differently (a multiply and an add where the assembly
// fuses them).
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
// Products below m*n*k = 2^18 (LoRA's 16 x 768 x 8, for one) run on the calling goroutine
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
// OPENBLAS_CORETYPE=SkylakeX, 2 threads each. The machine is shared with other jobs (load
// average 4.6 to 8.6 during the run), so every round runs the three implementations back
// to back on one case, six rounds, and the benchmarks report GFLOPS-per-CPU (flops per
// second of CPU time the process used, spinning included) besides wall-clock GFLOPS,
// which swings with the load:
//
//	go test -c -tags openblas -o gemm.test ./nn/gemm
//	export OPENBLAS_CORETYPE=SkylakeX
//	for i in 1 2 3 4 5 6; do for c in NN_1024x768x768 NN_128x128x128 ... TN_8x768x2048; do
//	  ./gemm.test -test.run '^$' -test.bench "Gemm(AVX512|AVX2|OpenBLAS)\$/^$c\$" -test.benchtime 0.3s
//	done; done > bench.txt
//	benchstat -col .name -filter .unit:GFLOPS-per-CPU bench.txt
//
// The cases are the 12 transformer shapes and, for LoRA at d = 768 on 2048 tokens with
// ranks r = 1, 8 and 64, its six products: x A^T (NT_2048xrx768), h B^T (NT_2048x768xr),
// dh A (NN_2048x768xr), dy B (NN_2048xrx768), dh^T x (TN_rx768x2048) and dy^T h
// (TN_768xrx2048). Medians of six, GFLOPS-per-CPU; the spreads are wide (benchstat: +-10
// to 60 %; OpenBLAS's up to +-80 %), so a * marks the ratios that benchstat finds
// significant (p <= 0.041); the others have p >= 0.065:
//
//	case               OpenBLAS  avx512  avx2-fma  avx512/OpenBLAS  avx512/avx2
//	NN_1024x768x768        89.6    79.1      56.3       0.88           1.41*
//	NN_128x128x128         34.3    46.7      41.2       1.36           1.13
//	NN_2048x256x256        74.9    76.3      59.5       1.02           1.28*
//	NN_16x768x8            71.1    43.9      29.8       0.62*          1.47*
//	NT_1024x768x768        80.7    70.3      56.4       0.87           1.25*
//	NT_128x128x128         51.4    40.1      34.6       0.78           1.16
//	NT_2048x256x256        87.8    72.8      54.9       0.83           1.33*
//	NT_16x768x8            22.6    29.0      20.8       1.28*          1.40*
//	TN_1024x768x768       100.7    59.4      49.6       0.59           1.20
//	TN_128x128x128         38.3    33.3      27.7       0.87           1.20
//	TN_2048x256x256        82.4    74.6      54.6       0.91           1.37
//	TN_16x768x8            72.5    41.1      32.2       0.57*          1.28*
//	NT_2048x1x768           3.3     3.9       3.4       1.20           1.17
//	NT_2048x8x768          19.3    31.9      27.1       1.65*          1.18*
//	NT_2048x64x768         73.1    80.4      63.7       1.10           1.26*
//	NT_2048x768x1           3.8     4.8       3.4       1.28*          1.40*
//	NT_2048x768x8          20.3    30.4      25.3       1.50           1.20
//	NT_2048x768x64         73.9    70.6      57.0       0.96           1.24*
//	NN_2048x768x1           3.3     4.5       3.1       1.37*          1.43*
//	NN_2048x768x8          17.8    30.2      24.8       1.70*          1.22*
//	NN_2048x768x64         59.7    73.8      60.7       1.24           1.22
//	NN_2048x1x768           3.2     3.7       3.4       1.14           1.11
//	NN_2048x8x768          18.4    30.6      25.9       1.66*          1.18*
//	NN_2048x64x768         67.8    76.3      62.8       1.13           1.22
//	TN_1x768x2048           3.7     2.9       3.3       0.80*          0.90*
//	TN_8x768x2048          16.3    23.0      18.4       1.41*          1.25
//	TN_64x768x2048         54.7    53.6      32.6       0.98           1.64*
//	TN_768x1x2048           3.1     3.1       2.2       0.98           1.39*
//	TN_768x8x2048          14.8    25.6      17.3       1.74*          1.48*
//	TN_768x64x2048         60.9    73.3      52.0       1.20           1.41*
//	geomean                27.2    29.1      22.9       1.07           1.27
//
// Wall-clock geomeans in the same run: OpenBLAS 27.1, avx512 28.7, avx2-fma 20.8 GFLOPS
// (avx512/avx2 1.38); the medians range from 2.5 to 127 GFLOPS. The AVX-512 kernel alone
// on panels in L1 (BenchmarkMicroKernel, one goroutine) reached 113 to 140 GFLOPS per CPU
// against 64 to 73 for the AVX2 kernel in the same runs (load 14 to 17).
//
// Where the products fall short of OpenBLAS: the small 16 x 768 x 8 products with
// op(B) = B (NN, TN: 0.6x), which run on one goroutine and cost one kernel call per
// 16 x 16 tile of eight steps; TN_1x768x2048, a matrix-vector product in disguise whose
// 16-row tile does one useful row; and the large TN products and NT_2048x256x256, whose
// shortfall was not significant in the run above but was in two quieter ones (load 2.9 to
// 3.4, same commands, six rounds of OpenBLAS and avx512 only): TN_1024x768x768 64.0 vs
// 93.6 (0.68x), TN_64x768x2048 53.5 vs 73.3 (0.73x), NT_2048x256x256 74.3 vs 93.3
// (0.80x), TN_16x768x8 43.7 vs 73.3 (0.60x), NN_16x768x8 44.2 vs 68.9 (0.64x); in that
// run avx512 was ahead on NT_16x768x8 (1.54x), NN_2048x768x8 (1.24x) and TN_8x768x2048
// (1.21x). Products with k or n from 1 to 64 are otherwise at or above OpenBLAS.
package gemm
