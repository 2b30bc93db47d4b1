package model

import (
	"math"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/nn"
)

// vecScale is a Scale by a free trainable vector at one site.
type vecScale struct {
	site ScaleSite
	v    *nn.Tensor
}

func (s *vecScale) Site() ScaleSite                                      { return s.site }
func (s *vecScale) Factors(_ *nn.Tape, _ *Linear, _ *Context) *nn.Tensor { return s.v }

// rowDelta adds x A^T (a dense additive update, trainable A).
type rowDelta struct{ a *nn.Tensor }

func (d *rowDelta) Forward(t *nn.Tape, x *nn.Tensor, _ *Context) *nn.Tensor {
	return t.Linear(x, d.a, nil)
}

func param(name string, seed float64, shape ...int) *nn.Tensor {
	p := nn.NewParam(name, shape...)
	for i := range p.Data {
		p.Data[i] = float32(math.Sin(seed*float64(i+1)) * 0.8)
	}
	return p
}

// TestScaleSites checks every site against the formula of Linear, element by element, with a
// Delta present, and the gradients of the scale vectors, the Delta and the input.
func TestScaleSites(t *testing.T) {
	const n, in, out = 3, 4, 5
	x := param("x", 0.7, n, in)
	l := &Linear{Name: "l", W: param("w", 1.3, out, in), B: param("b", 2.1, out)}
	l.W.SetTrainable(false)
	l.B.SetTrainable(false)
	delta := &rowDelta{a: param("a", 0.4, out, in)}
	cin, crows, cout := param("in", 0.9, in), param("rows", 1.7, out), param("out", 2.9, out)
	l.Deltas = []Delta{delta}
	l.Scales = []Scale{&vecScale{ScaleOutput, cout}, &vecScale{ScaleInput, cin}, &vecScale{ScaleRows, crows}}

	y := l.Forward(nn.NewTape(1), x, &Context{})
	for r := range n {
		for o := range out {
			var s float64
			for i := range in {
				xi := float64(x.Data[r*in+i]) * float64(cin.Data[i])
				s += xi * float64(l.W.Data[o*in+i]+delta.a.Data[o*in+i])
			}
			want := (s*float64(crows.Data[o]) + float64(l.B.Data[o])) * float64(cout.Data[o])
			if got := float64(y.Data[r*out+o]); math.Abs(got-want) > 1e-5 {
				t.Fatalf("y[%d,%d] = %g, want %g", r, o, got, want)
			}
		}
	}
	gradcheck.Check(t, []*nn.Tensor{x, cin, crows, cout, delta.a}, func(tp *nn.Tape) *nn.Tensor {
		h := l.Forward(tp, x, &Context{})
		return tp.MSE(tp.Linear(h, param("head", 3.3, 1, out), nil), []float32{0.3, -0.2, 0.5})
	}, 8)
}

// TestFoldScale checks that a layer with its scale folded in computes what it computed with
// the scale, at each site.
func TestFoldScale(t *testing.T) {
	const n, in, out = 2, 3, 4
	x := param("x", 0.3, n, in)
	for _, site := range []ScaleSite{ScaleInput, ScaleRows, ScaleOutput} {
		l := &Linear{Name: "l", W: param("w", 1.1, out, in), B: param("b", 0.6, out)}
		size := out
		if site == ScaleInput {
			size = in
		}
		v := param("v", 2.3, size)
		l.Scales = []Scale{&vecScale{site, v}}
		want := l.Forward(nn.NewTape(1), x, &Context{}).Data
		l.FoldScale(site, v.Data)
		l.Scales = nil
		got := l.Forward(nn.NewTape(1), x, &Context{}).Data
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5 {
				t.Fatalf("site %d: folded output %v, want %v", site, got, want)
			}
		}
	}
}
