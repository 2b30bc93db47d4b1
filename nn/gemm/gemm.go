package gemm

import (
	"fmt"
	"sync"
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices, where op(X) is X or
// X transposed. op(A) is m x k, op(B) is k x n and C is m x n; lda, ldb, ldc are the row
// strides of A, B and C as stored. threads bounds the goroutines used; results are
// bit-identical for any value of threads. When beta is 0, C is not read. C must not
// overlap A or B. Under the build tag openblas the product is computed by the system
// OpenBLAS instead (cblas_sgemm), with OpenBLAS's own fixed thread count, and threads is
// ignored.
//
// Sgemm starts its goroutines and allocates its packing buffers on every call; code that
// multiplies repeatedly should keep a Pool instead. Invalid sizes or too-short slices
// panic with a message naming the argument, as in BLAS.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, threads int) {
	pr := problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	pr.validate()
	if m == 0 || n == 0 {
		return
	}
	if openBLASBuilt {
		openBLASSgemm(&pr)
		return
	}
	sgemmOnce(&pr, bestKernel(), threads)
}

// sgemmOnce computes a validated product with short-lived goroutines.
func sgemmOnce(pr *problem, kern kernel, threads int) {
	if pr.k == 0 || pr.alpha == 0 {
		scaleC(pr)
		return
	}
	jb := new(job)
	var shared []float32
	jb.start(pr, kern, threads, &shared)
	var wg sync.WaitGroup
	for range jb.sched.workers - 1 {
		wg.Go(func() {
			var ws workspace
			ws.work(jb)
		})
	}
	var ws workspace
	ws.work(jb)
	wg.Wait()
}

// validate panics if the sizes, strides or slice lengths of the problem are inconsistent.
func (pr *problem) validate() {
	if pr.m < 0 || pr.n < 0 || pr.k < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d n=%d k=%d", pr.m, pr.n, pr.k))
	}
	rowsA, colsA := pr.m, pr.k
	if pr.transA {
		rowsA, colsA = pr.k, pr.m
	}
	rowsB, colsB := pr.k, pr.n
	if pr.transB {
		rowsB, colsB = pr.n, pr.k
	}
	checkMatrix("A", "lda", pr.a, rowsA, colsA, pr.lda)
	checkMatrix("B", "ldb", pr.b, rowsB, colsB, pr.ldb)
	checkMatrix("C", "ldc", pr.c, pr.m, pr.n, pr.ldc)
}

// checkMatrix panics unless x can hold a rows x cols row-major matrix (as stored) with
// row stride ld; name and ldName are the matrix and stride as the caller knows them.
func checkMatrix(name, ldName string, x []float32, rows, cols, ld int) {
	if ld < cols {
		panic(fmt.Sprintf("gemm: %s = %d is less than the %d columns of %s as stored",
			ldName, ld, cols, name))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("gemm: %s has %d elements, want at least %d for %d x %d with %s = %d",
			name, len(x), need, rows, cols, ldName, ld))
	}
}
