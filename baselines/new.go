package baselines

import (
	"fmt"

	"loralab/method"
)

// New returns the baseline that spec names, not yet applied to a model. Settings that
// depend on the model's shape (adapter size, drop_k, prefix lengths against max_len) are
// checked by Apply, which knows the model.
func New(spec method.Spec) (method.Method, error) {
	switch spec.Name {
	case method.FT:
		return &subset{base: base{spec: spec}, pick: allBaseTensors}, nil
	case method.FTTop2:
		return &subset{base: base{spec: spec}, pick: topTwoBlocks}, nil
	case method.BitFit:
		return &subset{base: base{spec: spec}, pick: biases}, nil
	case method.AdapterH, method.AdapterL, method.AdapterP, method.AdapterD:
		if spec.Size < 1 {
			return nil, fmt.Errorf("baselines: %s: adapter size %d, want >= 1", spec.Label(), spec.Size)
		}
		if spec.DropK < 0 || (spec.DropK > 0 && spec.Name != method.AdapterD) {
			return nil, fmt.Errorf("baselines: %s: drop_k %d, want 0 (or >= 0 for %s)", spec.Label(), spec.DropK, method.AdapterD)
		}
		return &adapters{base: base{spec: spec}, layout: adapterLayouts[spec.Name]}, nil
	case method.PrefixEmbed, method.PrefixLayer:
		if spec.Prefix < 0 || spec.Infix < 0 || spec.Prefix+spec.Infix == 0 {
			return nil, fmt.Errorf("baselines: %s: want prefix >= 0, infix >= 0 and prefix+infix >= 1", spec.Label())
		}
		return &prefix{base: base{spec: spec}, everyLayer: spec.Name == method.PrefixLayer}, nil
	}
	return nil, fmt.Errorf("baselines: unknown method %q (want %s, %s, %s, %s, %s, %s, %s, %s or %s)", spec.Name,
		method.FT, method.FTTop2, method.BitFit, method.PrefixEmbed, method.PrefixLayer,
		method.AdapterH, method.AdapterL, method.AdapterP, method.AdapterD)
}
