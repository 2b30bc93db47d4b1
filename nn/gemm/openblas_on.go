//go:build openblas && cgo

package gemm

import "loralab/nn/gemm/internal/openblas"

// openBLASBuilt reports that this build routes Sgemm through the system OpenBLAS.
const openBLASBuilt = true

// openBLASSgemm computes a validated product with OpenBLAS. OpenBLAS's results depend on
// its thread count, so it keeps its own fixed count (see openblas.Sgemm) and the callers'
// threads setting is ignored: results stay independent of it.
func openBLASSgemm(pr *problem) {
	openblas.Sgemm(pr.transA, pr.transB, pr.m, pr.n, pr.k, pr.alpha, pr.a, pr.lda, pr.b, pr.ldb,
		pr.beta, pr.c, pr.ldc)
}
