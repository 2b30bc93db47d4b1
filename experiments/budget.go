package experiments

import (
	"fmt"

	"loralab/method"
)

// SolveBudget chooses the size of a method setting — LoRA's rank, an adapter's bottleneck
// size, a prefix method's prefix length — so that its trainable-parameter count by the paper's
// formula is as close to budget as possible without going above it; when even the smallest
// size is above the budget it takes the smallest. This is how the paper's Table 5 compares
// target sets under one budget: 18 M parameters give r=8 on Wq alone, r=4 on Wq,Wv and r=2 on
// all four attention matrices.
//
// The other fields of spec (targets, layers, infix, drop_k) must already be set: the formula
// depends on them.
func SolveBudget(spec method.Spec, d method.Dims, budget int) (method.Spec, error) {
	kind, ok := method.Lookup(spec.Name)
	if !ok || kind.Size == "" {
		return spec, fmt.Errorf("method %s has no size a budget can solve", spec.Name)
	}
	key, _ := kind.Key(kind.Size)
	lo, hi := kind.SizeBounds(spec, d)
	best := lo
	for v := lo; v <= hi; v++ { // the formulas grow with the size: stop at the first overshoot
		spec.Set(key, v)
		n, err := method.PaperParams(spec, d)
		if err != nil {
			return spec, fmt.Errorf("budget %d: %w", budget, err)
		}
		if n > budget {
			break
		}
		best = v
	}
	spec.Set(key, best)
	return spec, nil
}
