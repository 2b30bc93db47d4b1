package baselines

import (
	"math/rand/v2"

	"loralab/model"
	"loralab/nn"
)

// adapterInitStd is the standard deviation of the down-projection's initial weights, the
// base model's own (GPT-2) initialisation scale.
const adapterInitStd = 0.02

// Adapter is a bottleneck adapter on a hidden-state matrix h [N, d]:
//
//	h + Up(act(Down(LN(h))))
//
// Down maps d -> r and Up maps r -> d, both with biases (2dr + r + d parameters). Norm
// (LN) is nil except in adapter_l, where it is a LayerNorm of its own on the adapter input.
// An Adapter is both a model.SublayerHook (on a sublayer's output, before its residual add)
// and a model.RowsHook (on a block's output): the variants differ in where they put it.
type Adapter struct {
	Norm     *model.LayerNorm
	Down, Up *model.Linear
	relu     bool    // act is ReLU rather than GELU
	eps      float32 // LayerNorm epsilon, the model's
}

// newAdapter returns an adapter named name (its tensors are name+".down.weight" and so on)
// for a model of configuration cfg and bottleneck r, with an input LayerNorm if withNorm and
// a ReLU if relu or if the model's own activation is ReLU (GELU otherwise). Down's weights
// are drawn from rng; Up and the biases are zero, so the adapter starts as the identity.
func newAdapter(name string, cfg model.Config, r int, withNorm, relu bool, rng *rand.Rand) *Adapter {
	d := cfg.DModel
	a := &Adapter{
		Down: newLinear(name+".down", d, r),
		Up:   newLinear(name+".up", r, d),
		relu: relu || cfg.Activation == "relu",
		eps:  cfg.LNEps,
	}
	for i := range a.Down.W.Data {
		a.Down.W.Data[i] = float32(rng.NormFloat64() * adapterInitStd)
	}
	if withNorm {
		a.Norm = &model.LayerNorm{G: nn.NewParam(name+".ln.weight", d), B: nn.NewParam(name+".ln.bias", d)}
		for i := range a.Norm.G.Data {
			a.Norm.G.Data[i] = 1
		}
	}
	return a
}

// newLinear returns a zero Linear in -> out with a bias.
func newLinear(name string, in, out int) *model.Linear {
	return &model.Linear{Name: name, W: nn.NewParam(name+".weight", out, in), B: nn.NewParam(name+".bias", out)}
}

// Forward returns h + Up(act(Down(LN(h)))).
func (a *Adapter) Forward(t *nn.Tape, h *nn.Tensor, ctx *model.Context) *nn.Tensor {
	x := h
	if a.Norm != nil {
		x = a.Norm.Forward(t, x, a.eps)
	}
	z := a.Down.Forward(t, x, ctx)
	if a.relu {
		z = t.ReLU(z)
	} else {
		z = t.GELU(z)
	}
	return t.Add(h, a.Up.Forward(t, z, ctx))
}

// Params lists the adapter's tensors: the LayerNorm's gain and bias (if any), then Down's
// and Up's weight and bias.
func (a *Adapter) Params() []*nn.Tensor {
	var ps []*nn.Tensor
	if a.Norm != nil {
		ps = append(ps, a.Norm.G, a.Norm.B)
	}
	return append(ps, a.Down.W, a.Down.B, a.Up.W, a.Up.B)
}
