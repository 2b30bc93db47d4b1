//go:build !amd64 || purego

package nn

import "loralab/nn/gemm"

const haveHeadMatmul = false

// headMatmul is mm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc).
func headMatmul(mm *gemm.Pool, transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	mm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
