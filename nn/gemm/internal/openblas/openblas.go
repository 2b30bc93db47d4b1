//go:build openblas && cgo

// Package openblas calls the system OpenBLAS (cblas_sgemm) through cgo. It is built only
// with the openblas build tag; package gemm routes through it under that tag. It lives in
// its own package because Go does not allow cgo and Go assembly in one package.
//
// Building needs the OpenBLAS headers and library (Debian: apt-get install libopenblas-dev).
package openblas

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices with cblas_sgemm.
// The caller has validated the arguments and m, n > 0.
//
// OpenBLAS uses its own, process-wide thread count (all cores, or OPENBLAS_NUM_THREADS).
// It is deliberately not set per call: OpenBLAS's results change with its thread count,
// so a fixed count is what keeps results independent of the callers' thread settings.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, cblasTrans(transA), cblasTrans(transB),
		C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), firstElement(a), C.blasint(max(lda, 1)),
		firstElement(b), C.blasint(max(ldb, 1)),
		C.float(beta), firstElement(c), C.blasint(max(ldc, 1)))
}

// cblasTrans converts a transposition flag to its CBLAS constant.
func cblasTrans(trans bool) C.enum_CBLAS_TRANSPOSE {
	if trans {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}

// firstElement returns a C pointer to x[0], or nil for an empty slice, which OpenBLAS
// never dereferences because the matrix has no elements.
func firstElement(x []float32) *C.float {
	if len(x) == 0 {
		return nil
	}
	return (*C.float)(&x[0])
}
