package lora

import (
	"slices"

	"loralab/model"
)

// folded is an update that Merge folded into its layer's weight and took out of the layer's
// Deltas: the weight as it was, and where the update sat, so that Unmerge puts both back
// exactly. LoRA's own Merge keeps mergedWeight; the variants (VeRA, DoRA) use this.
type folded struct {
	target *model.Linear
	delta  model.Delta
	base   []float32
	slot   int
}

// fold runs merge(i) on each target's weight, after copying it, and takes delta i out of
// target i's Deltas.
func fold(targets []*model.Linear, deltas []model.Delta, merge func(i int)) []folded {
	out := make([]folded, len(targets))
	for i, t := range targets {
		out[i] = folded{target: t, delta: deltas[i], base: slices.Clone(t.W.Data), slot: slices.Index(t.Deltas, deltas[i])}
		merge(i)
		if s := out[i].slot; s >= 0 {
			t.Deltas = slices.Delete(t.Deltas, s, s+1)
		}
	}
	return out
}

// unfold restores the weights and Deltas that fold changed, in reverse order.
func unfold(fs []folded) {
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		copy(f.target.W.Data, f.base)
		if f.slot >= 0 {
			f.target.Deltas = slices.Insert(f.target.Deltas, f.slot, f.delta)
		}
	}
}
