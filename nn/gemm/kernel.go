package gemm

// microKernel computes one mr x nr tile of C, or its first rows rows, from an mr x kc
// panel of A and a kc x nr panel of B:
//
//	C[i][j] = alpha * sum_{p<kc} A[i][p] * B[p][j] + beta * C[i][j]   (i < rows, j < nr)
//
// where A[i][p] is a[i*aRow+p*aStep], B[p][j] is b[p*bStep+j] and C[i][j] is c[i*ldc+j].
// A packed panel has aRow = 1, aStep = mr and bStep = nr; the strides also let the kernel
// read a caller's matrix in place when packing would cost more than it saves. The sum runs
// in increasing p, and the arithmetic of an element depends neither on rows nor on the
// strides. When beta is zero, C is not read, so NaN or Inf in the old C does not leak into
// the result (as in BLAS). Callers guarantee kc >= 1, 1 <= rows <= mr, all mr rows of the A
// panel and all nr columns of the B panel in bounds, and len(c) >= (rows-1)*ldc+nr.
type microKernel func(kc int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc, rows int, alpha, beta float32)

// kernel is a micro-kernel with the name benchmarks and tests report it by.
type kernel struct {
	name string
	run  microKernel
}

// portableKernel runs everywhere; see kernelPortable.
var portableKernel = kernel{name: "portable", run: kernelPortable}
