package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// newRand returns a deterministic generator for a test.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randLeaf returns a trainable tensor of normal values times scale, so that backward
// computes its gradient and the gradient check perturbs it.
func randLeaf(rng *rand.Rand, name string, scale float64, shape ...int) *Tensor {
	p := NewParam(name, shape...)
	for i := range p.Data {
		p.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return p
}

// awayFromZero moves every element of x at least margin away from zero, so that a finite
// difference does not straddle the kink of ReLU.
func awayFromZero(x *Tensor, margin float32) *Tensor {
	for i, v := range x.Data {
		if v >= 0 && v < margin {
			x.Data[i] = v + margin
		} else if v < 0 && v > -margin {
			x.Data[i] = v - margin
		}
	}
	return x
}

// gradCase is one graph for the finite-difference check: build records it on a tape and
// returns its output; leaves are the tensors whose gradients are checked.
type gradCase struct {
	name   string
	leaves []*Tensor
	build  func(tp *Tape) *Tensor
	// maxPerLeaf bounds the elements checked per leaf (0 means 24), to keep tests fast.
	maxPerLeaf int
}

// finite-difference settings: the step h, and the tolerance |a-n| <= gradAtol + gradRtol·|n|.
const (
	fdStep   = 1e-2
	gradAtol = 2e-3
	gradRtol = 2e-2
)

// checkGradients compares the gradients backward gives for the scalar L = Σ r⊙y, with y the
// graph's output and r a fixed random projection, against float64 central differences of L.
func checkGradients(t *testing.T, c gradCase) {
	t.Helper()
	if err := gradientMismatch(c); err != nil {
		t.Errorf("%s: %v", c.name, err)
	}
}

// gradientMismatch returns an error describing the first gradients that disagree.
func gradientMismatch(c gradCase) error {
	rng := newRand(7)
	tp := NewTape(1)
	y := c.build(tp)
	proj := make([]float32, y.Len())
	for i := range proj {
		proj[i] = float32(rng.NormFloat64())
	}
	for _, l := range c.leaves {
		l.ZeroGrad()
	}
	tp.backwardFrom(y, proj)
	analytic := make([][]float32, len(c.leaves))
	for i, l := range c.leaves {
		if l.Grad == nil {
			return fmt.Errorf("leaf %q got no gradient", l.Name)
		}
		analytic[i] = append([]float32(nil), l.Grad...)
	}
	loss := func() float64 {
		tp.Reset()
		tp.SetGrad(false)
		out := c.build(tp)
		var s float64
		for i, v := range out.Data {
			s += float64(v) * float64(proj[i])
		}
		return s
	}
	limit := c.maxPerLeaf
	if limit == 0 {
		limit = 24
	}
	var errs []string
	for li, leaf := range c.leaves {
		for _, i := range sampleIndices(rng, leaf.Len(), limit) {
			numeric := centralDifference(leaf, i, loss)
			if a := float64(analytic[li][i]); !gradClose(a, numeric) {
				errs = append(errs, fmt.Sprintf("%s[%d]: backward %.6g, finite difference %.6g", leaf.Name, i, a, numeric))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d gradients disagree, first: %v", len(errs), errs[:min(len(errs), 4)])
	}
	return nil
}

// centralDifference estimates dL/dx_i with the steps actually representable in float32.
func centralDifference(x *Tensor, i int, loss func() float64) float64 {
	orig := x.Data[i]
	x.Data[i] = orig + fdStep
	up, lp := float64(x.Data[i])-float64(orig), loss()
	x.Data[i] = orig - fdStep
	down, lm := float64(orig)-float64(x.Data[i]), loss()
	x.Data[i] = orig
	return (lp - lm) / (up + down)
}

func gradClose(analytic, numeric float64) bool {
	return math.Abs(analytic-numeric) <= gradAtol+gradRtol*math.Abs(numeric)
}

// sampleIndices returns all of [0,n) when n <= limit, otherwise limit distinct indices.
func sampleIndices(rng *rand.Rand, n, limit int) []int {
	if n <= limit {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	return rng.Perm(n)[:limit]
}

// mustPanic runs f and returns its panic message, failing the test if it does not panic.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic")
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}
