package baselines

import (
	"math/rand/v2"

	"loralab/model"
	"loralab/nn"
)

// adapterInitStd is the standard deviation of the down-projection's initial weights, the
// base model's own (GPT-2) initialisation scale.
const adapterInitStd = 0.02

// Adapter is a bottleneck adapter, a model.SublayerHook on a sublayer output h [N, d]:
//
//	h + Up(ReLU(Down(LN(h))))
//
// Down maps d -> r and Up maps r -> d, both with biases (2dr + r + d parameters). Norm
// (LN) is nil except in adapter_l, where it is a LayerNorm of its own on the adapter input.
type Adapter struct {
	Norm     *model.LayerNorm
	Down, Up *model.Linear
	eps      float32 // LayerNorm epsilon, the model's
}

// newAdapter returns an adapter named name (its tensors are name+".down.weight" and so on)
// for width d and bottleneck r, with an input LayerNorm if withNorm. Down's weights are
// drawn from rng; Up and the biases are zero, so the adapter starts as the identity.
func newAdapter(name string, d, r int, withNorm bool, eps float32, rng *rand.Rand) *Adapter {
	a := &Adapter{
		Down: newLinear(name+".down", d, r),
		Up:   newLinear(name+".up", r, d),
		eps:  eps,
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

// Forward returns h + Up(ReLU(Down(LN(h)))).
func (a *Adapter) Forward(t *nn.Tape, h *nn.Tensor, ctx *model.Context) *nn.Tensor {
	x := h
	if a.Norm != nil {
		x = a.Norm.Forward(t, x, a.eps)
	}
	z := t.ReLU(a.Down.Forward(t, x, ctx))
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
