package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kernels lists every micro-kernel this build can run on this CPU, whatever EnvKernel
// says, and logs the kernels of the build that this CPU cannot run, with the reason.
func kernels(t testing.TB) []kernel {
	var run []kernel
	for _, c := range candidates() {
		if !c.ok {
			t.Logf("kernel %s skipped: %s", c.name, c.missing)
			continue
		}
		run = append(run, c.kernel)
	}
	return run
}

// randomSlice returns n values uniform in [-1, 1) from a seeded generator.
func randomSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	return x
}

// operands is one test problem: matrices as stored, with their strides.
type operands struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// newOperands fills A, B and C with random values; pad is added to every leading dimension
// and the padding is filled with values that must never influence the result.
func newOperands(rng *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float32) operands {
	rowsA, colsA := m, k
	if transA {
		rowsA, colsA = k, m
	}
	rowsB, colsB := k, n
	if transB {
		rowsB, colsB = n, k
	}
	o := operands{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		lda: colsA + pad, ldb: colsB + pad, ldc: n + pad}
	o.a = randomSlice(rng, rowsA*o.lda)
	o.b = randomSlice(rng, rowsB*o.ldb)
	o.c = randomSlice(rng, m*o.ldc)
	return o
}

// problem returns the operands as a problem of this package.
func (o operands) problem() *problem {
	return &problem{transA: o.transA, transB: o.transB, m: o.m, n: o.n, k: o.k, alpha: o.alpha,
		a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: o.beta, c: o.c, ldc: o.ldc}
}

// at returns op(X)[i][j] of a row-major X with stride ld.
func at(x []float32, ld int, trans bool, i, j int) float64 {
	if trans {
		return float64(x[j*ld+i])
	}
	return float64(x[i*ld+j])
}

// reference computes alpha*op(A)*op(B) + beta*C in float64 and, for each element, an error
// bound for a float32 computation: a k-term dot product accumulated in float32, scaled by
// alpha and added to beta*C, is within (k+3) * eps * (|alpha| sum|a||b| + |beta||c|).
func reference(o operands) (want, bound []float64) {
	want = make([]float64, o.m*o.n)
	bound = make([]float64, o.m*o.n)
	const eps = 1.0 / (1 << 23)
	for i := range o.m {
		for j := range o.n {
			var sum, abs float64
			for p := range o.k {
				x := at(o.a, o.lda, o.transA, i, p) * at(o.b, o.ldb, o.transB, p, j)
				sum += x
				abs += math.Abs(x)
			}
			alpha, beta := float64(o.alpha), float64(o.beta)
			old := 0.0
			if o.beta != 0 {
				old = float64(o.c[i*o.ldc+j])
			}
			want[i*o.n+j] = alpha*sum + beta*old
			bound[i*o.n+j] = float64(o.k+3)*eps*(math.Abs(alpha)*abs+math.Abs(beta*old)) + 1e-30
		}
	}
	return want, bound
}

// checkAgainst fails t for every element of got (m x n, stride ldc) outside the bound, and
// for any change to the padding columns of C.
func checkAgainst(t *testing.T, o operands, got []float32, want, bound []float64) {
	t.Helper()
	bad := 0
	for i := range o.m {
		for j := range o.n {
			g := float64(got[i*o.ldc+j])
			if w := want[i*o.n+j]; math.Abs(g-w) > bound[i*o.n+j] || math.IsNaN(g) {
				if bad++; bad <= 5 {
					t.Errorf("C[%d][%d] = %g, want %g (bound %.3g)", i, j, g, w, bound[i*o.n+j])
				}
			}
		}
		for j := o.n; j < o.ldc && i < o.m; j++ {
			if got[i*o.ldc+j] != o.c[i*o.ldc+j] {
				t.Fatalf("padding C[%d][%d] changed from %g to %g", i, j, o.c[i*o.ldc+j], got[i*o.ldc+j])
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d elements wrong in all", bad)
	}
}

// transName is the BLAS-style name of a transposition case: NN, NT, TN or TT.
func transName(transA, transB bool) string {
	s := [2]string{"N", "T"}
	name := s[0]
	if transA {
		name = s[1]
	}
	if transB {
		return name + s[1]
	}
	return name + s[0]
}

// pair is one element of a cross product.
type pair[X, Y any] struct {
	x X
	y Y
}

// cross returns every pair of an element of xs and one of ys, xs in the outer loop.
func cross[X, Y any](xs []X, ys []Y) []pair[X, Y] {
	var out []pair[X, Y]
	for _, x := range xs {
		for _, y := range ys {
			out = append(out, pair[X, Y]{x, y})
		}
	}
	return out
}
