package nn

import "math"

// ClipGradNorm scales the gradients of the trainable params down so that their joint L2
// norm is at most maxNorm, and returns the norm before clipping (accumulated in float64).
// maxNorm <= 0 only measures. As in PyTorch, the factor is maxNorm/(norm+1e-6).
func ClipGradNorm(params []*Tensor, maxNorm float32) float64 {
	norm, scale, clip := ClipFactor(params, maxNorm)
	if clip {
		ScaleGrads(params, scale)
	}
	return norm
}

// ClipFactor returns what ClipGradNorm computes without rescaling anything: the norm,
// the factor it would scale the gradients by, and whether it would (the factor is 1 when
// not). An optimizer step can then apply the factor itself (AdamW.StepScaled).
func ClipFactor(params []*Tensor, maxNorm float32) (norm float64, scale float32, clip bool) {
	var sum float64
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		sum = kern.sumSquares(sum, p.Grad)
	}
	norm = math.Sqrt(sum)
	if maxNorm > 0 && norm > float64(maxNorm) {
		return norm, float32(float64(maxNorm) / (norm + 1e-6)), true
	}
	return norm, 1, false
}

// ScaleGrads multiplies the gradients of the trainable params by scale, in float32.
func ScaleGrads(params []*Tensor, scale float32) {
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		scaleTo(p.Grad, scale, p.Grad)
	}
}

// ZeroGrads clears the gradients of params, e.g. after an optimizer step.
func ZeroGrads(params []*Tensor) {
	for _, p := range params {
		p.ZeroGrad()
	}
}

// ClipScale returns the factor ClipGradNorm would scale the gradients by and whether it
// would, bit for bit, computing the norm in ClipGradNorm's order (a chain of additions,
// one element after another) only when the answer depends on it. It first adds the
// squares in an order that runs in parallel lanes; the rounding errors of that sum and
// of ClipGradNorm's, n squares each, exact in float64 and non-negative, are below
// n·2⁻⁵³ of the true sum (for n < 2⁴⁰), so a fast sum below maxNorm²·(1 - 8n·2⁻⁵³)
// proves ClipGradNorm's sum below maxNorm² (exact in float64), hence its norm, a
// correctly rounded square root, at most maxNorm: no clipping. Otherwise (near or over
// the limit, or not finite) it computes ClipFactor.
func ClipScale(params []*Tensor, maxNorm float32) (scale float32, clip bool) {
	if maxNorm <= 0 {
		return 1, false
	}
	var sum float64
	n := 0
	for _, p := range params {
		if !p.Trainable {
			continue
		}
		sum += sumSquaresAnyOrder(p.Grad)
		n += len(p.Grad)
	}
	limit := float64(maxNorm) * float64(maxNorm)
	if n < 1<<40 && sum < limit*(1-8*float64(n)*0x1p-53) {
		return 1, false
	}
	_, scale, clip = ClipFactor(params, maxNorm)
	return scale, clip
}
