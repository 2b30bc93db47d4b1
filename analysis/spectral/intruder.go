package spectral

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxCosines measures how new the top directions of a fine-tuned matrix are. For each of the
// top-k left singular vectors y_i of the fine-tuned weight wft = W + ΔW, it returns
// max_j |<y_i, x_j>| over the top-baseK left singular vectors x_j of the base weight w
// (baseK = 0: all of them). All vectors have unit norm, so each value is the largest
// absolute cosine similarity, in [0, 1]; the sign of a singular vector is arbitrary, hence
// the absolute value.
//
// Shuttleworth et al. (2024) call y_i an intruder dimension when this value is below a
// threshold ε (CountBelow).
func MaxCosines(w, wft mat.Matrix, k, baseK int) ([]float64, error) {
	wr, wc := w.Dims()
	fr, fc := wft.Dims()
	if wr != fr || wc != fc {
		return nil, fmt.Errorf("spectral: intruders: W is %dx%d but the fine-tuned weight is %dx%d", wr, wc, fr, fc)
	}
	n := min(wr, wc)
	if baseK == 0 {
		baseK = n
	}
	if k < 1 || k > n || baseK < 1 || baseK > n {
		return nil, fmt.Errorf("spectral: intruders of a %dx%d matrix: k = %d and base k = %d, want both in [1, %d]", wr, wc, k, baseK, n)
	}
	x, err := leftVectors(w)
	if err != nil {
		return nil, fmt.Errorf("spectral: intruders: W: %w", err)
	}
	y, err := leftVectors(wft)
	if err != nil {
		return nil, fmt.Errorf("spectral: intruders: W + ΔW: %w", err)
	}
	var cos mat.Dense // cos[i][j] = <y_i, x_j>
	cos.Mul(y.Slice(0, wr, 0, k).T(), x.Slice(0, wr, 0, baseK))
	out := make([]float64, k)
	for i := range k {
		for j := range baseK {
			out[i] = max(out[i], math.Abs(cos.At(i, j)))
		}
	}
	return out, nil
}

// CountBelow counts the values below eps: the intruder dimensions among MaxCosines' values.
func CountBelow(values []float64, eps float64) int {
	n := 0
	for _, v := range values {
		if v < eps {
			n++
		}
	}
	return n
}
