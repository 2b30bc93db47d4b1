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
// registers for the whole kc-long loop (the two panels live in L1). See blocking.go for
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
// op(B) = B. The packs walk the source along its stored rows; 8 x 8 blocks are transposed
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
//     that broadcast their value of A from memory (embedded broadcast). It prefetches the
//     rows of its C tile before the loop and, when it reads B or A^T in place (a row
//     stride apart, which the hardware prefetchers do not follow), their rows 16 steps
//     ahead.
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
// The two assembly kernels compute every element the same way (one fused multiply-add per
// term, p increasing, C updated as alpha*sum + beta*C with the same two roundings), so
// they give bit-identical results (tested): which of them a machine has changes the speed
// only. The portable kernel rounds differently (a multiply and an add where the assembly
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
// OpenBLAS; under the tag the benchmarks also measure it.
//
// # Performance
//
// Measured on the development machine: AMD EPYC (family 26, Zen 5; 2 cores, AVX2, FMA and
// AVX-512, of which the kernel uses AVX2 and FMA), Go 1.26, OpenBLAS 0.3.21 (Debian
// libopenblas0-pthread), gonum v0.17.0 native blas32, 2 threads each. The machine is
// shared with other jobs (load average 6 to 11 during the runs), so every round runs the
// three implementations back to back on one case, six rounds, and the benchmarks report
// GFLOPS-per-CPU (flops per second of CPU time the process used, spinning included)
// besides wall-clock GFLOPS, which swings with the load:
//
//	go test -c -tags openblas -o gemm.test ./nn/gemm
//	for i in 1 2 3 4 5 6; do for c in NN_128x128x128 NN_1024x768x768 ... TN_16x768x8; do
//	  ./gemm.test -test.run '^$' -test.bench "Gemm(Gonum|OpenBLAS)?\$/^$c\$" -test.benchtime 0.5s
//	done; done > bench.txt
//	benchstat -col .name -filter .unit:GFLOPS-per-CPU bench.txt
//
// Medians of six, GFLOPS-per-CPU (benchstat: no significant difference from OpenBLAS in
// any case, p >= 0.065):
//
//	case               OpenBLAS    gemm   gonum   gemm/OpenBLAS   gemm/gonum
//	NN_128x128x128        76.2     73.9    16.1        0.97           4.6
//	NN_1024x768x768      118.3    105.7    14.8        0.89           7.1
//	NN_2048x256x256      101.1    100.3    15.1        0.99           6.6
//	NN_16x768x8           73.3     75.8    10.4        1.03           7.3
//	NT_128x128x128        63.5     75.4    17.6        1.19           4.3
//	NT_1024x768x768      118.8    109.2    16.8        0.92           6.5
//	NT_2048x256x256       72.1    106.6    16.3        1.48           6.5
//	NT_16x768x8           56.4     57.9     3.0        1.03          19.3
//	TN_128x128x128        76.0     71.3    16.1        0.94           4.4
//	TN_1024x768x768       99.4    101.0    13.6        1.02           7.4
//	TN_2048x256x256      105.3    106.4    14.6        1.01           7.3
//	TN_16x768x8           73.2     76.1     9.6        1.04           7.9
//	geomean               83.8     86.5    12.6        1.03           6.8
//
// Wall-clock GFLOPS in the same runs (geomeans: OpenBLAS 49.6, gemm 41.1, gonum 6.4) track
// the load rather than the code: at load 11, NN_1024x768x768 had medians of 34 (gemm) and
// 79 (OpenBLAS) GFLOPS with spreads of +-73% and +-90%. On the idle machine at the start of the session (an earlier build with the
// same micro-kernel and blocking), `go test -bench Gemm ./nn/gemm` gave 229 GFLOPS for
// gemm and 31 for gonum at 1024x768x768 (7.4x), and OpenBLAS gave 247 a few minutes
// later (gemm 0.93x): both near the AVX2 peak of two cores, 2 x 2 FMA pipes x 8 lanes x
// 2 flops per cycle, about 230 GFLOPS at 3.6 GHz. The portable kernel
// (BenchmarkGemmPortable) reaches about 8 GFLOPS at 1024x768x768.
package gemm
