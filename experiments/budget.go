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
	lo, hi, err := sizeRange(spec, d)
	if err != nil {
		return spec, err
	}
	best := lo
	for v := lo; v <= hi; v++ { // the formulas grow with the size: stop at the first overshoot
		setSize(&spec, v)
		n, err := method.PaperParams(spec, d)
		if err != nil {
			return spec, fmt.Errorf("budget %d: %w", budget, err)
		}
		if n > budget {
			break
		}
		best = v
	}
	setSize(&spec, best)
	return spec, nil
}

// sizeRange is the range of sizes the method allows on a model of dimensions d.
func sizeRange(spec method.Spec, d method.Dims) (lo, hi int, err error) {
	switch solvedKey(spec.Name) {
	case "rank", "size":
		return 1, d.DModel, nil
	case "prefix":
		return max(0, 1-spec.Infix), d.MaxLen - 1 - spec.Infix, nil
	}
	return 0, 0, fmt.Errorf("method %s has no size a budget can solve", spec.Name)
}

// setSize sets the field a budget solves.
func setSize(spec *method.Spec, v int) {
	switch solvedKey(spec.Name) {
	case "rank":
		spec.Rank = v
	case "size":
		spec.Size = v
	case "prefix":
		spec.Prefix = v
	}
}

// solvedValue reads the field a budget solves.
func solvedValue(spec method.Spec) int {
	switch solvedKey(spec.Name) {
	case "rank":
		return spec.Rank
	case "size":
		return spec.Size
	}
	return spec.Prefix
}
