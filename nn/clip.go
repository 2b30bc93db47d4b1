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
	norm, scale, clip = clipOf(sum, maxNorm)
	return norm, scale, clip
}

// clipOf is ClipGradNorm's norm, factor and decision for the sum of squares sum. Each of
// its steps (√, comparison, +, ÷, rounding to float32) is a correctly rounded, monotone
// function of sum, so the factor never increases and the decision never turns back to
// false as sum grows.
func clipOf(sum float64, maxNorm float32) (norm float64, scale float32, clip bool) {
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
// squares in an order that runs in parallel lanes. The squares are exact in float64 and
// non-negative, so the rounding errors of that sum and of ClipGradNorm's, over n squares
// each, are below γ = n·2⁻⁵³/(1 - n·2⁻⁵³) of the true sum: ClipGradNorm's sum lies within
// a factor 1 ± 3γ of the fast one (for n < 2⁴⁰; the interval below is wider, 1 ± 8n·2⁻⁵³).
// The factor and the decision are monotone in the sum (clipOf), so when both ends of the
// interval give the same ones, so does ClipGradNorm's sum; they differ only when a
// float32 rounding boundary of the factor, or the limit, falls inside the interval (of
// relative width 2·10⁻⁹ for two million gradients, against float32's 6·10⁻⁸ between
// values), and then, or when the sum is not finite, it computes ClipFactor.
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
	if n < 1<<40 && !math.IsInf(sum, 0) && sum == sum {
		w := 8 * float64(n) * 0x1p-53
		_, scaleLo, clipLo := clipOf(sum*(1-w), maxNorm)
		_, scaleHi, clipHi := clipOf(sum*(1+w), maxNorm)
		if clipLo == clipHi && math.Float32bits(scaleLo) == math.Float32bits(scaleHi) {
			return scaleLo, clipLo
		}
	}
	_, scale, clip = ClipFactor(params, maxNorm)
	return scale, clip
}
