package nn

import "math"

// ClipGradNorm scales the gradients of the trainable params down so that their joint L2
// norm is at most maxNorm, and returns the norm before clipping (accumulated in float64).
// maxNorm <= 0 only measures. As in PyTorch, the factor is maxNorm/(norm+1e-6).
func ClipGradNorm(params []*Tensor, maxNorm float32) float64 {
	var sum float64
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		sum = kern.sumSquares(sum, p.Grad)
	}
	norm := math.Sqrt(sum)
	if maxNorm > 0 && norm > float64(maxNorm) {
		scale := float32(float64(maxNorm) / (norm + 1e-6))
		for _, p := range params {
			if !p.Trainable {
				continue
			}
			scaleTo(p.Grad, scale, p.Grad)
		}
	}
	return norm
}

// ZeroGrads clears the gradients of params, e.g. after an optimizer step.
func ZeroGrads(params []*Tensor) {
	for _, p := range params {
		p.ZeroGrad()
	}
}
