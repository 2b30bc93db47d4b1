package lora

import (
	"errors"
	"fmt"
	"slices"

	"loralab/model"
	"loralab/nn"
)

// Merge and unmerge errors.
var (
	ErrMerged    = errors.New("lora: already merged")
	ErrNotMerged = errors.New("lora: not merged")
)

// mergedWeight remembers the base weight one Linear update was folded into.
type mergedWeight struct {
	update *Linear
	base   []float32 // W0 as it was before the merge
	slot   int       // the update's index in Target.Deltas
}

// Merge folds every Linear update into its base weight, W ← W0 + s·B·A, and takes the
// update out of the layer's Deltas, so that inference costs exactly what the base model
// costs (the paper's "no additional inference latency"). The embedding update, if any,
// stays an active hook: folding it into the token embedding would also change the decoder's
// tied LM head, and in the encoder it acts after the embedding LayerNorm.
//
// Merge keeps a copy of every W0 for Unmerge. Restoring by subtraction, (W0 + ΔW) - ΔW,
// would not give W0 back bit for bit: the sum is rounded to float32, losing the low bits of
// W0 wherever ΔW's exponent is larger, and subtracting cannot recover them.
func (l *LoRA) Merge() error {
	if l.model == nil {
		return fmt.Errorf("lora: merge %s: not applied to a model", l.spec.Label())
	}
	if l.bank != nil {
		return fmt.Errorf("lora: merge %s: the adapter belongs to a Bank; merge through Bank.Merge", l.spec.Label())
	}
	if l.merged != nil {
		return fmt.Errorf("lora: merge %s: %w", l.spec.Label(), ErrMerged)
	}
	l.merged = foldInto(l.linears)
	for i := range l.merged {
		mw := &l.merged[i]
		mw.slot = slices.IndexFunc(mw.update.Target.Deltas, func(d model.Delta) bool { return d == model.Delta(mw.update) })
		if mw.slot >= 0 {
			mw.update.Target.Deltas = slices.Delete(mw.update.Target.Deltas, mw.slot, mw.slot+1)
		}
	}
	return nil
}

// Unmerge restores every base weight W0 exactly, from the copy Merge kept, and puts each
// update back into its layer's Deltas where it was.
func (l *LoRA) Unmerge() error {
	if l.bank != nil {
		return fmt.Errorf("lora: unmerge %s: the adapter belongs to a Bank; unmerge through Bank.Unmerge", l.spec.Label())
	}
	if l.merged == nil {
		return fmt.Errorf("lora: unmerge %s: %w", l.spec.Label(), ErrNotMerged)
	}
	restore(l.merged)
	for i := len(l.merged) - 1; i >= 0; i-- { // reverse order, so every slot is as it was
		mw := l.merged[i]
		if mw.slot >= 0 {
			mw.update.Target.Deltas = slices.Insert(mw.update.Target.Deltas, mw.slot, model.Delta(mw.update))
		}
	}
	l.merged = nil
	return nil
}

// Merged reports whether the updates are folded into the base weights.
func (l *LoRA) Merged() bool { return l.merged != nil }

// foldInto adds s·B·A to the weight of every update, W ← W + s·B·A (one GEMM each, computed
// by nn/gemm), and returns the weights as they were. The slots are left at -1.
func foldInto(updates []*Linear) []mergedWeight {
	saved := make([]mergedWeight, len(updates))
	for i, d := range updates {
		w := d.Target.W
		saved[i] = mergedWeight{update: d, base: slices.Clone(w.Data), slot: -1}
		nn.MatMulAdd(w, d.Scale, d.B, d.A, false, false)
	}
	return saved
}

// restore copies the saved base weights back.
func restore(saved []mergedWeight) {
	for _, mw := range saved {
		copy(mw.update.Target.W.Data, mw.base)
	}
}
