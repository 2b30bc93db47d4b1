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
// the sizes: mr x nr = 6 x 16, kc = 256, mc = 144.
//
// Packing reads op(A) and op(B) once per use with whatever transposition and stride the
// caller has, and writes them in exactly the order the kernel reads them, so one kernel
// serves the four cases NN, NT, TN and TT, and the kernel's loads are unit-stride.
// Panels at the bottom and right edges are padded with zeros; tiles short of mr rows are
// stored row by row by the kernel itself, and tiles narrower than nr go through a
// 6 x 16 scratch tile, so edge elements get the same arithmetic as interior ones.
// Packing pays only when a packed panel is used many times, so the kernel takes operand
// strides and reads full panels of A in place when C has at most three column panels
// (n <= 48: LoRA's x A^T, say), and B in place when C has at most three row panels and
// op(B) = B.
//
// The micro-kernel (kernel_amd64.s) is AVX2/FMA assembly: per step of k it loads 16 values
// of B into two YMM registers, broadcasts 6 values of A with VBROADCASTSS and issues 12
// VFMADD231PS into 12 YMM accumulators. It is used when golang.org/x/sys/cpu reports AVX2
// and FMA. Elsewhere, and under the build tag purego, a Go kernel reads the same packed
// panels in 2 x 4 sub-tiles whose 8 accumulators stay in registers.
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
// alone, since handing work over costs more than it saves.
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
// TABLE
package gemm
