package gemm

// microKernel computes one mr x nr tile of C, or its first rows rows, from a packed A
// micro-panel and a packed B micro-panel of depth kc:
//
//	C[i][j] = alpha * sum_{p<kc} a[p*mr+i] * b[p*nr+j] + beta * C[i][j]   (i < rows, j < nr)
//
// where C[i][j] is c[i*ldc+j]. The sum runs in increasing p, and the arithmetic of an
// element does not depend on rows. When beta is zero, C is not read, so NaN or Inf in the
// old C does not leak into the result (as in BLAS). Callers guarantee kc >= 1,
// 1 <= rows <= mr, len(a) >= kc*mr, len(b) >= kc*nr and len(c) >= (rows-1)*ldc+nr.
type microKernel func(kc int, a, b, c []float32, ldc, rows int, alpha, beta float32)

// kernel is a micro-kernel with the name benchmarks and tests report it by.
type kernel struct {
	name string
	run  microKernel
}

// portableKernel runs everywhere; see kernelPortable.
var portableKernel = kernel{name: "portable", run: kernelPortable}
