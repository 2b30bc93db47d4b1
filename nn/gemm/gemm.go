// Package gemm multiplies float32 matrices: C = alpha*op(A)*op(B) + beta*C, row-major.
//
// This is the placeholder portable kernel; the packed AVX2/FMA kernel replaces it.
package gemm

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where op(X) is X or
// X transposed. op(A) is m x k, op(B) is k x n and C is m x n; lda, ldb, ldc are the row
// strides of A, B and C as stored. threads bounds the goroutines used; results are
// bit-identical for any value of threads.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, threads int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
