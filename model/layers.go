package model

import (
	"slices"

	"loralab/nn"
)

// Linear is an affine map y = x W^T + b, plus the updates of its Deltas (additive) and its
// Scales (elementwise rescalings, see ScaleSite):
//
//	y = x W^T + b + sum_d d.Forward(x)            without Scales
//	x' = x ⊙ in,  y = ((x' W^T + sum_d d.Forward(x')) ⊙ rows + b) ⊙ out    with them
//
// W has shape [out, in] (the PyTorch and PEFT layout); B is [out] or nil.
type Linear struct {
	Name   string // e.g. "blocks.3.attn.q"; its tensors are Name+".weight" and Name+".bias"
	W      *nn.Tensor
	B      *nn.Tensor
	Deltas []Delta
	Scales []Scale
}

// newLinear returns a Linear with zero weights and, if bias, a zero bias.
func newLinear(name string, in, out int, bias bool) *Linear {
	l := &Linear{Name: name, W: nn.NewParam(name+".weight", out, in)}
	if bias {
		l.B = nn.NewParam(name+".bias", out)
	}
	return l
}

// In and Out are the input and output widths.
func (l *Linear) In() int  { return l.W.Shape[1] }
func (l *Linear) Out() int { return l.W.Shape[0] }

// Forward computes x W^T + b, adds every Delta's update (a sole LowRankDelta's inside the
// same op) and applies the Scales at their sites, in the order they were added at each site.
func (l *Linear) Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor {
	if len(l.Scales) == 0 {
		if len(l.Deltas) == 1 {
			if d, ok := l.Deltas[0].(LowRankDelta); ok {
				u, b, s := d.LowRank(t, x, ctx)
				return t.LinearLowRank(x, l.W, l.B, u, b, s)
			}
		}
		y := t.Linear(x, l.W, l.B)
		for _, d := range l.Deltas {
			y = t.Add(y, d.Forward(t, x, ctx))
		}
		return y
	}
	x = l.scale(t, x, ScaleInput, ctx)
	bias := l.B
	rows := slices.ContainsFunc(l.Scales, func(s Scale) bool { return s.Site() == ScaleRows })
	if rows {
		bias = nil // added after the row scales
	}
	y := t.Linear(x, l.W, bias)
	for _, d := range l.Deltas {
		y = t.Add(y, d.Forward(t, x, ctx))
	}
	if rows {
		y = l.scale(t, y, ScaleRows, ctx)
		if l.B != nil {
			y = t.AddVec(y, l.B)
		}
	}
	return l.scale(t, y, ScaleOutput, ctx)
}

// scale multiplies h by the factors of every Scale at site.
func (l *Linear) scale(t *nn.Tape, h *nn.Tensor, site ScaleSite, ctx *Context) *nn.Tensor {
	for _, s := range l.Scales {
		if s.Site() == site {
			h = t.MulVec(h, s.Factors(t, l, ctx))
		}
	}
	return h
}

// share returns a Linear over l's values without its Deltas (Model.Share).
func (l *Linear) share() *Linear {
	return &Linear{Name: l.Name, W: shareTensor(l.W), B: shareTensor(l.B)}
}

// params lists the base tensors, weight first.
func (l *Linear) params() []*nn.Tensor {
	if l.B == nil {
		return []*nn.Tensor{l.W}
	}
	return []*nn.Tensor{l.W, l.B}
}

// LayerNorm normalises each row to zero mean and unit variance, then scales by G and shifts
// by B (both [D]).
type LayerNorm struct {
	G, B *nn.Tensor
}

// newLayerNorm returns a LayerNorm with gain 1 and bias 0, named name.weight and name.bias.
func newLayerNorm(name string, d int) *LayerNorm {
	ln := &LayerNorm{G: nn.NewParam(name+".weight", d), B: nn.NewParam(name+".bias", d)}
	for i := range ln.G.Data {
		ln.G.Data[i] = 1
	}
	return ln
}

// Forward normalises x [N, D].
func (ln *LayerNorm) Forward(t *nn.Tape, x *nn.Tensor, eps float32) *nn.Tensor {
	return t.LayerNorm(x, ln.G, ln.B, eps)
}

// share returns a LayerNorm over ln's values, or nil for nil (Model.Share).
func (ln *LayerNorm) share() *LayerNorm {
	if ln == nil {
		return nil
	}
	return &LayerNorm{G: shareTensor(ln.G), B: shareTensor(ln.B)}
}

func (ln *LayerNorm) params() []*nn.Tensor { return []*nn.Tensor{ln.G, ln.B} }

// FoldScale multiplies the layer's weights by a Scale's factors v at site, so that the layer
// without that Scale computes what it computed with it (Deltas aside: a method with both
// folds its Delta first). ScaleInput scales W's columns, ScaleRows W's rows, ScaleOutput
// W's rows and the bias.
func (l *Linear) FoldScale(site ScaleSite, v []float32) {
	in := l.In()
	for o := range l.Out() {
		row := l.W.Data[o*in : (o+1)*in]
		if site == ScaleInput {
			for j := range row {
				row[j] *= v[j]
			}
			continue
		}
		for j := range row {
			row[j] *= v[o]
		}
		if site == ScaleOutput && l.B != nil {
			l.B.Data[o] *= v[o]
		}
	}
}
