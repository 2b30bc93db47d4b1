package lora

import (
	"loralab/model"
	"loralab/nn"
)

// Linear is the LoRA update of one model.Linear, W0 x + s·B·A x, as a model.Delta: its
// Forward returns the second term for a batch of inputs x [N, d_in].
type Linear struct {
	// Target is the adapted layer; its weight W0 stays frozen.
	Target *model.Linear
	// A [r, d_in] and B [d_out, r] are the trainable factors, named Target.Name+".lora_A"
	// and ".lora_B" (e.g. blocks.3.attn.q.lora_A).
	A, B *nn.Tensor
	// Scale is s, Dropout the rate of the dropout on the LoRA input (training only).
	Scale   float32
	Dropout float32

	dropoutSite uint64 // SubSeed label of this update's dropout mask
}

// newLinear returns the update of target at rank r, with A drawn by init from a generator
// seeded by seed and the target's name, and B zero.
func newLinear(target *model.Linear, r int, scale, dropout float32, aInit string, seed uint64) *Linear {
	d := &Linear{
		Target:  target,
		A:       nn.NewParam(target.Name+".lora_A", r, target.In()),
		B:       nn.NewParam(target.Name+".lora_B", target.Out(), r),
		Scale:   scale,
		Dropout: dropout,
	}
	initA(d.A.Data, r, target.In(), aInit, seed, d.A.Name)
	return d
}

// Forward computes s·B·A·dropout(x) for x [N, d_in] as two thin products, never forming B·A:
//
//	u = dropout(x) Aᵀ      [N, r]
//	delta = s · u Bᵀ       [N, d_out]
//
// Dropout is on only in a training pass (ctx.Train and a tape in training mode); its mask
// derives from ctx.Seed and this update's own site.
func (d *Linear) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	u, b, s := d.LowRank(t, x, ctx)
	return t.Scale(t.Linear(u, b, nil), s)
}

// LowRank returns u = dropout(x) Aᵀ, B and s, so that the target layer adds s·u Bᵀ inside
// its own product (model.LowRankDelta).
func (d *Linear) LowRank(t *nn.Tape, x *nn.Tensor, ctx *model.Context) (u, b *nn.Tensor, s float32) {
	if ctx != nil && ctx.Train && d.Dropout > 0 {
		x = t.Dropout(x, d.Dropout, model.SubSeed(ctx.Seed, d.dropoutSite))
	}
	return t.Linear(x, d.A, nil), d.B, d.Scale
}

// Delta returns ΔW = s·B·A [d_out, d_in], the dense update that Merge adds to W0.
func (d *Linear) Delta() *nn.Tensor {
	w := nn.New(d.Target.Out(), d.Target.In())
	nn.MatMulAdd(w, d.Scale, d.B, d.A, false, false)
	return w
}
