// Package merge rebuilds a finished run's method on its pretrained weights, loads what the
// run trained and merges it into the weights, so that the analyses of the update ΔW can read
// any method that merges, not only LoRA's factors. It links the training engine; package
// analysis does not, and receives Matrices through analysis.Options.Merge.
package merge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/target"
	"loralab/tuner"
)

// Matrices applies the method of spec (seeded as the run was) to the base weights (a
// model.safetensors file or its folder), loads the tensors the run saved in checkpoint,
// merges them, and returns every block or embedding matrix whose values changed, before and
// after. A method that cannot merge gives nil and no error.
func Matrices(spec method.Spec, seed uint64, checkpoint, base string) ([]target.Merged, error) {
	if info, err := os.Stat(base); err == nil && info.IsDir() {
		base = filepath.Join(base, model.WeightsFile)
	}
	pristine, _, err := model.LoadWeights(base)
	if err != nil {
		return nil, err
	}
	m := pristine.Clone()
	meth, err := tuner.New(spec)
	if err != nil {
		return nil, err
	}
	if err := meth.Apply(m, seed); err != nil {
		return nil, fmt.Errorf("apply %s: %w", spec.Label(), err)
	}
	if err := tuner.Load(checkpoint, meth, nil); err != nil {
		return nil, err
	}
	if err := meth.Merge(); errors.Is(err, tuner.ErrCannotMerge) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("merge %s: %w", spec.Label(), err)
	}
	var out []target.Merged
	before := pristine.Linears()
	for i, l := range m.Linears() {
		if slices.Equal(l.W.Data, before[i].W.Data) {
			continue
		}
		out = append(out, target.Merged{Module: strings.TrimSuffix(l.W.Name, ".weight"), Out: l.Out(), In: l.In(),
			Before: before[i].W.Data, After: l.W.Data})
	}
	return out, nil
}
