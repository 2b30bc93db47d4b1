package nn

import (
	"fmt"
	"math"
	"testing"

	"loralab/nn/gemm"
)

// TestHeadMatmulIsGemm checks attention's in-place per-head products against package
// gemm, bit for bit, over the shapes attention gives them and around them (rows, columns
// up to 32 and depths up to 64, A transposed or not, strides wider than the matrices),
// alpha 1 and attention's scale, beta 0 (C full of NaN, which must not be read), 1 and
// another value, among values with zeros, -0 and subnormals.
func TestHeadMatmulIsGemm(t *testing.T) {
	if !haveHeadMatmul {
		t.Log("variant skipped: in-place head products (no AVX-512, a purego build, or gemm's portable kernel forced): checking gemm against itself")
	}
	mm := gemm.NewPool(1)
	rng := newRand(61)
	gen := randValues(rng, 1)
	for _, m := range []int{1, 2, 3, 4, 5, 8, 13, 31, 32, 33} {
		for _, n := range []int{1, 5, 16, 17, 31, 32} {
			for _, k := range []int{1, 2, 7, 16, 32, 33, 64} {
				for _, transA := range []bool{false, true} {
					for _, alpha := range []float32{1, float32(1 / math.Sqrt(32))} {
						for _, beta := range []float32{0, 1, 0.5} {
							lda := k + 3
							if transA {
								lda = m + 2
							}
							ldb, ldc := n+5, n+7
							a := make([]float32, lda*max(m, k))
							b := make([]float32, ldb*k)
							for i := range a {
								a[i] = gen(i)
							}
							for i := range b {
								b[i] = gen(i)
							}
							c0 := make([]float32, ldc*m+3)
							for i := range c0 {
								c0[i] = gen(i)
								if beta == 0 && i%3 == 0 {
									c0[i] = float32(math.NaN())
								}
							}
							want, got := append([]float32(nil), c0...), append([]float32(nil), c0...)
							mm.Sgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
							headMatmul(mm, transA, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
							for i := range want {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(want[i] != want[i] && got[i] != got[i]) {
									t.Fatalf("%s: element %d: %v, gemm %v", fmt.Sprintf("m=%d n=%d k=%d transA=%v alpha=%v beta=%v", m, n, k, transA, alpha, beta), i, got[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}
