package lora

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// InitPiSSA starts LoRA from the principal part of W (Meng et al., 2024, PiSSA): with the
// singular value decomposition W = U S Vᵀ and its r largest singular values,
//
//	B = U_r √(S_r/s),  A = √(S_r/s) V_rᵀ,  so that s·B·A = U_r S_r V_rᵀ,
//
// and the frozen residual W − s·B·A holds the other singular triplets. Dividing S_r by s is
// PEFT's convention (init_lora_weights "pissa"): the adapter holds the principal part
// whatever alpha is. Training then moves the directions that carry most of W.
const InitPiSSA = "pissa"

func init() {
	registerFactorInit(InitPiSSA, func(w []float32, out, in, r int, s float32) (a, b []float32) {
		return svdFactors(w, out, in, r, s, false)
	})
}

// svdFactors returns A [r, in] and B [out, r] of the r largest singular triplets of W [out,
// in] (bottom: the r smallest), split as B = U_r √(S_r/s) and A = √(S_r/s) V_rᵀ. gonum's
// SVD is deterministic and single-threaded; a singular vector's sign is arbitrary, but
// B·A does not depend on it.
func svdFactors(w []float32, out, in, r int, s float32, bottom bool) (a, b []float32) {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(out, in, widen(w)), mat.SVDThin) {
		panic("lora: SVD of an adapted weight did not converge") // finite weights: cannot happen
	}
	values := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	first := 0
	if bottom {
		first = len(values) - r
	}
	a, b = make([]float32, r*in), make([]float32, out*r)
	for k := range r {
		root := math.Sqrt(values[first+k] / float64(s))
		for j := range in {
			a[k*in+j] = float32(root * v.At(j, first+k))
		}
		for i := range out {
			b[i*r+k] = float32(root * u.At(i, first+k))
		}
	}
	return a, b
}

// widen copies float32 values into float64.
func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
