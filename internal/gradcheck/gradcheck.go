// Package gradcheck is a test helper: it compares the gradients that a tape's backward pass
// gives trainable tensors with float64 central finite differences of the float32 loss. The
// model, LoRA and baseline tests share it so that every differentiable path of the project is
// checked the same way.
package gradcheck

import (
	"math"
	"math/rand/v2"
	"testing"

	"loralab/nn"
)

// Finite-difference settings: the step h added to and subtracted from one element, and the
// tolerance |analytic - numeric| <= Atol + Rtol |numeric|. The step is large for float32
// because the loss is evaluated in float32: a smaller one would drown in rounding.
const (
	Step = 2e-3
	Atol = 1e-3
	Rtol = 3e-2
)

// maxReported bounds the mismatches reported one by one, so that a broken backward does not
// flood the test log.
const maxReported = 8

// Check runs loss on a fresh tape, back-propagates it, and compares the gradient of each of
// params with the central difference (L(x+h) - L(x-h)) / 2h, measured on the loss recomputed
// with gradients off. It checks up to perParam elements of every tensor whose gradient is
// nonzero, and one whose gradient is zero if there is any (its finite difference must then
// vanish too); a tensor whose gradient is zero everywhere is reported, because it is not
// wired into the loss. loss must be deterministic: it builds the same graph on every call
// (dropout seeded from a fixed seed).
func Check(t testing.TB, params []*nn.Tensor, loss func(*nn.Tape) *nn.Tensor, perParam int) {
	t.Helper()
	tp := nn.NewTape(1)
	nn.ZeroGrads(params)
	tp.Backward(loss(tp))
	value := func() float64 {
		tp.Reset()
		tp.SetGrad(false)
		return float64(loss(tp).Data[0])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for _, p := range params {
		picked, anyNonzero := sampleIndices(rng, p.Grad, perParam)
		if !anyNonzero {
			t.Errorf("%s: gradient is zero everywhere", p.Name)
		}
		for _, i := range picked {
			numeric := CentralDifference(p, i, value)
			analytic := float64(p.Grad[i])
			if Close(analytic, numeric) {
				continue
			}
			bad++
			if bad <= maxReported {
				t.Errorf("%s[%d]: backward %.6g, finite difference %.6g", p.Name, i, analytic, numeric)
			}
		}
	}
	if bad > maxReported {
		t.Errorf("%d gradients disagree in all, the first %d shown", bad, maxReported)
	}
}

// CentralDifference estimates dL/dx_i by central differences with the steps actually
// representable in float32 at x_i (x_i ± Step rounds), and restores x_i.
func CentralDifference(x *nn.Tensor, i int, loss func() float64) float64 {
	orig := x.Data[i]
	x.Data[i] = orig + Step
	up, lossUp := float64(x.Data[i])-float64(orig), loss()
	x.Data[i] = orig - Step
	down, lossDown := float64(orig)-float64(x.Data[i]), loss()
	x.Data[i] = orig
	return (lossUp - lossDown) / (up + down)
}

// Close reports whether an analytic gradient agrees with a finite difference within the
// package tolerance.
func Close(analytic, numeric float64) bool {
	return math.Abs(analytic-numeric) <= Atol+Rtol*math.Abs(numeric)
}

// sampleIndices picks, in random order, up to n elements whose gradient is nonzero and one
// whose gradient is zero, if any. Sampling uniformly instead would often check only zeros
// (embedding rows of absent tokens, positions beyond the batch, unused prefix rows) and make
// the check vacuous. anyNonzero reports whether some gradient is nonzero.
func sampleIndices(rng *rand.Rand, grad []float32, n int) (picked []int, anyNonzero bool) {
	var zero []int
	for _, i := range rng.Perm(len(grad)) {
		switch {
		case grad[i] != 0 && len(picked) < n:
			picked = append(picked, i)
		case grad[i] == 0:
			zero = append(zero, i)
		}
		anyNonzero = anyNonzero || grad[i] != 0
	}
	return append(picked, zero[:min(1, len(zero))]...), anyNonzero
}
