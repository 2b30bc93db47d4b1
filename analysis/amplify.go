package analysis

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Amplification is one column of the paper's Table 7 (Section 7.3) for one weight matrix W
// and its LoRA update ΔW = s·B·A at rank r: how strongly W already has the directions ΔW
// adds. For U (d_out x r) and V (d_in x r) with orthonormal columns, the projection of W is
// ||U^T W V||_F (the paper writes V as r x d_in and the product U^T W V^T).
type Amplification struct {
	Rank int
	// ProjDeltaW, ProjW and ProjRandom are ||U^T W V||_F with U, V the top-r left and right
	// singular vectors of ΔW, of W, and uniformly random.
	ProjDeltaW, ProjW, ProjRandom float64
	NormW, NormDeltaW             float64 // ||W||_F and ||ΔW||_F
	// Factor is the amplification factor ||ΔW||_F / ||U^T W V||_F, U, V from ΔW: how much
	// larger ΔW is along its directions than W is.
	Factor float64
}

// DeltaW is the LoRA update s·B·A for B (d_out x r) and A (r x d_in).
func DeltaW(b, a mat.Matrix, s float64) (*mat.Dense, error) {
	out, rb := b.Dims()
	ra, in := a.Dims()
	if rb != ra {
		return nil, fmt.Errorf("analysis: ΔW = s·B·A: B is %dx%d but A is %dx%d (ranks differ)", out, rb, ra, in)
	}
	var dw mat.Dense
	dw.Mul(b, a)
	dw.Scale(s, &dw)
	return &dw, nil
}

// Amplify computes the amplification study of W (d_out x d_in) and ΔW (same shape) at rank
// r. The random projection uses subspaces drawn from seed.
func Amplify(w, dw mat.Matrix, r int, seed uint64) (Amplification, error) {
	wr, wc := w.Dims()
	dr, dc := dw.Dims()
	if wr != dr || wc != dc {
		return Amplification{}, fmt.Errorf("analysis: amplification: W is %dx%d but ΔW is %dx%d", wr, wc, dr, dc)
	}
	uD, vD, err := topSingular(dw, r)
	if err != nil {
		return Amplification{}, fmt.Errorf("analysis: amplification: ΔW: %w", err)
	}
	uW, vW, err := topSingular(w, r)
	if err != nil {
		return Amplification{}, fmt.Errorf("analysis: amplification: W: %w", err)
	}
	rng := newRand(seed, 0xa3b1)
	uR, vR := randomOrthonormal(wr, r, rng), randomOrthonormal(wc, r, rng)
	a := Amplification{
		Rank:       r,
		ProjDeltaW: projectionNorm(w, uD, vD),
		ProjW:      projectionNorm(w, uW, vW),
		ProjRandom: projectionNorm(w, uR, vR),
		NormW:      mat.Norm(w, 2),
		NormDeltaW: mat.Norm(dw, 2),
	}
	a.Factor = a.NormDeltaW / a.ProjDeltaW
	return a, nil
}

// projectionNorm is ||U^T W V||_F.
func projectionNorm(w mat.Matrix, u, v *mat.Dense) float64 {
	var uw, p mat.Dense
	uw.Mul(u.T(), w)
	p.Mul(&uw, v)
	return mat.Norm(&p, 2)
}
