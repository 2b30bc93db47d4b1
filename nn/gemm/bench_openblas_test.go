//go:build openblas && cgo

package gemm

import "testing"

// BenchmarkGemmOpenBLAS measures the system OpenBLAS (cblas_sgemm) on the cases of
// BenchmarkGemm, with OpenBLAS's default thread count (one per core).
func BenchmarkGemmOpenBLAS(b *testing.B) {
	runBench(b, func(o operands) {
		pr := problem{transA: o.transA, transB: o.transB, m: o.m, n: o.n, k: o.k, alpha: o.alpha,
			a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: o.beta, c: o.c, ldc: o.ldc}
		openBLASSgemm(&pr)
	})
}
