//go:build amd64 && !purego

package nn

import (
	"os"
	"strings"

	"loralab/nn/gemm"
)

// haveHeadMatmul says whether headMatmul may multiply in place: the CPU has AVX-512 (so
// package gemm runs its AVX-512 kernel, or the AVX2 one, whose results are the same), and
// LORALAB_GEMM_KERNEL does not force gemm's portable kernel, which rounds differently.
var haveHeadMatmul = haveAVX512 && !strings.Contains(os.Getenv("LORALAB_GEMM_KERNEL"), "portable")

//go:noescape
func headMatmulAVX512(k int, a *float32, aRow, aStep int, b *float32, ldb int, c *float32, ldc int, rows, n int, alpha, beta float32, betaZero bool)

// headMatmul is mm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) for
// attention's per-head products whose B is read by rows: with AVX-512, for n ≤ 32
// columns and a depth k of at most 64 (one of gemm's kc slices), it multiplies in place
// with gemm's arithmetic, bit for bit, without packing either operand (at these sizes the
// packing costs as much as the product); otherwise it calls gemm.
func headMatmul(mm *gemm.Pool, transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !haveHeadMatmul || n < 1 || n > 32 || k < 1 || k > 64 || m < 1 {
		mm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	aRow, aStep := lda, 1
	if transA {
		aRow, aStep = 1, lda
	}
	_ = a[(m-1)*aRow+(k-1)*aStep]
	_ = b[(k-1)*ldb+n-1]
	_ = c[(m-1)*ldc+n-1]
	headMatmulAVX512(k, &a[0], aRow, aStep, &b[0], ldb, &c[0], ldc, m, n, alpha, beta, beta == 0)
}
