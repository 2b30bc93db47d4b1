package gradcheck

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"loralab/nn"
)

// recorder is a testing.TB that collects the errors Check reports instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// linearProblem is a small classifier: cross-entropy of x W^T + b against fixed labels, plus
// a tensor that the loss never reads.
type linearProblem struct {
	x        *nn.Tensor
	w, b     *nn.Tensor
	unused   *nn.Tensor
	labels   []int32
	gradMult float32 // scales the loss only while gradients are on: a wrong backward
}

func newLinearProblem() *linearProblem {
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(t *nn.Tensor) *nn.Tensor {
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64())
		}
		return t
	}
	return &linearProblem{
		x:        fill(nn.New(4, 5)),
		w:        fill(nn.NewParam("w", 3, 5)),
		b:        fill(nn.NewParam("b", 3)),
		unused:   fill(nn.NewParam("unused", 2)),
		labels:   []int32{0, 2, 1, 2},
		gradMult: 1,
	}
}

func (p *linearProblem) loss(tp *nn.Tape) *nn.Tensor {
	l := tp.CrossEntropy(tp.Linear(p.x, p.w, p.b), p.labels, -1, 0)
	if tp.GradEnabled() && p.gradMult != 1 {
		l = tp.Scale(l, p.gradMult)
	}
	return l
}

// TestCheck runs the checker on a correct backward, on a backward that is off by a factor
// and on a tensor outside the loss, and checks what it reports.
func TestCheck(t *testing.T) {
	cases := []struct {
		name     string
		gradMult float32
		params   func(p *linearProblem) []*nn.Tensor
		want     []string // substrings, each of some reported error; none means no error
	}{
		{"correct", 1, func(p *linearProblem) []*nn.Tensor { return []*nn.Tensor{p.w, p.b} }, nil},
		{"off by 10%", 1.1, func(p *linearProblem) []*nn.Tensor { return []*nn.Tensor{p.w, p.b} },
			[]string{"w[", "b[", "backward", "finite difference"}},
		{"not in the loss", 1, func(p *linearProblem) []*nn.Tensor { return []*nn.Tensor{p.w, p.unused} },
			[]string{"unused: gradient is zero everywhere"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newLinearProblem()
			p.gradMult = c.gradMult
			rec := &recorder{TB: t}
			Check(rec, c.params(p), p.loss, 4)
			if len(c.want) == 0 && len(rec.errs) > 0 {
				t.Errorf("reported %q, want nothing", rec.errs)
			}
			all := strings.Join(rec.errs, "\n")
			for _, w := range c.want {
				if !strings.Contains(all, w) {
					t.Errorf("reported %q, want an error containing %q", rec.errs, w)
				}
			}
		})
	}
}

// TestCentralDifference checks the estimate on a cubic, whose central difference with step h
// is exactly f'(x) + h^2 (for f = x^3), and that the element is restored.
func TestCentralDifference(t *testing.T) {
	for _, x0 := range []float32{-1.5, 0, 0.25, 3} {
		x := nn.FromData([]float32{7, x0}, 2)
		got := CentralDifference(x, 1, func() float64 { v := float64(x.Data[1]); return v * v * v })
		up := float64(x0+Step) - float64(x0) // the steps float32 can represent
		down := float64(x0) - float64(x0-Step)
		a, b := float64(x0)+up, float64(x0)-down
		want := (a*a*a - b*b*b) / (up + down)
		if got != want {
			t.Errorf("x=%g: central difference %.12g, want %.12g", x0, got, want)
		}
		if x.Data[1] != x0 || x.Data[0] != 7 {
			t.Errorf("x=%g: tensor left as %v", x0, x.Data)
		}
	}
}

// TestSampleIndices checks that nonzero gradients are preferred, capped at n, and that one
// zero is added when there is one.
func TestSampleIndices(t *testing.T) {
	cases := []struct {
		grad        []float32
		n           int
		wantNonzero int
		wantZero    int
		wantAny     bool
	}{
		{[]float32{0, 1, 0, 2, 3, 0}, 2, 2, 1, true},
		{[]float32{0, 1, 0, 2, 3, 0}, 5, 3, 1, true},
		{[]float32{4, 1, 2}, 2, 2, 0, true},
		{[]float32{0, 0, 0}, 2, 0, 1, false},
		{nil, 2, 0, 0, false},
	}
	for _, c := range cases {
		picked, anyNonzero := sampleIndices(rand.New(rand.NewPCG(1, 1)), c.grad, c.n)
		nonzero, zero := 0, 0
		seen := map[int]bool{}
		for _, i := range picked {
			if seen[i] {
				t.Errorf("grad %v: index %d picked twice", c.grad, i)
			}
			seen[i] = true
			if c.grad[i] != 0 {
				nonzero++
			} else {
				zero++
			}
		}
		if nonzero != c.wantNonzero || zero != c.wantZero || anyNonzero != c.wantAny {
			t.Errorf("grad %v n=%d: %d nonzero, %d zero, any %v; want %d, %d, %v",
				c.grad, c.n, nonzero, zero, anyNonzero, c.wantNonzero, c.wantZero, c.wantAny)
		}
	}
}
