package analysis

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"gonum.org/v1/gonum/mat"

	"loralab/experiments/record"
	"loralab/method"
	"loralab/model/target"
)

// Update is what fine-tuning did to one weight matrix of a block: the pretrained W and the
// change ΔW, both d_out x d_in, so that the fine-tuned weight is W + ΔW. ΔW is always the
// fine-tuned weight less the base weight, whatever the method keeps frozen in W's place.
type Update struct {
	Module string // e.g. "blocks.2.attn.q"
	Layer  int
	Matrix string     // q, k, v, o, fc1, fc2
	W      *mat.Dense // nil when read without a base (the subspace of LoRA's A needs none)
	DeltaW *mat.Dense
	// Rank is the setting's r, the number of directions the subspace and amplification
	// analyses take; 0 for a method without one (FT, (IA)³).
	Rank int
	// A is LoRA's trained A (r x d_in) when ΔW = s·B·A was read from the factors; nil when
	// ΔW was read by merging.
	A *mat.Dense
}

// errNoUpdate says that a run's method changes no weight matrix that can be read as W + ΔW:
// adapters and prefixes add computation instead (they cannot merge), BitFit changes only
// biases.
var errNoUpdate = errors.New("no update of a weight matrix")

// loadUpdates reads the updates of the block matrices a run changed, from the files a run
// (or one of its kept steps, record.StepDir) leaves in dir, against the pretrained weights in
// the checkpoint base (a model.safetensors file).
//
// Plain LoRA's update is read from its adapter, ΔW = s·B·A, in float64 from the factors
// (readsFactors). Every other method takes the generic path: the base model is loaded, the
// method applied and its trained tensors loaded from dir's checkpoint, the method merged
// into the weights, and the base subtracted, ΔW = merge(W, θ) - W. For full fine-tuning
// that is W_ft - W0; for LoRA initialised from W (PiSSA, OLoRA, MiLoRA), whose frozen
// weight is the residual W - s·B₀·A₀, it is s·(B·A - B₀·A₀), about 0 at step 0; DoRA,
// VeRA and (IA)³ are not s·B·A at all. A method added later needs no change here as long
// as it can merge.
func loadUpdates(merge Merger, res record.Result, dir, base string) ([]Update, error) {
	spec := methodSpec(res)
	if readsFactors(spec, dir) {
		return loraUpdates(spec, dir, base)
	}
	ups, err := mergedUpdates(merge, spec, uint64(res.Seed), filepath.Join(dir, record.CheckpointFile), base)
	for i := range ups {
		ups[i].Rank = spec.Rank
	}
	return ups, err
}

// readsFactors says whether the update of a run of setting spec is s·B·A of the factors it
// saved in dir: a method whose kind has a Scale that is not 0 for the setting (plain LoRA,
// rsLoRA, LoRA+), with its adapter file present.
func readsFactors(spec method.Spec, dir string) bool {
	if _, ok := factorScale(spec, spec.Rank); !ok {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, record.AdapterFile))
	return err == nil
}

// loraUpdates is ΔW = s·B·A of every block matrix of a LoRA adapter, with W from base when
// base is not "".
func loraUpdates(spec method.Spec, dir, base string) ([]Update, error) {
	ad, err := LoadRunAdapter(dir)
	if err != nil {
		return nil, err
	}
	var out []Update
	for _, p := range ad {
		if p.Layer < 0 {
			continue // the embedding's update is not a block matrix
		}
		var w *mat.Dense
		if base != "" {
			if w, err = LoadBaseWeight(base, p.Module); err != nil {
				return nil, err
			}
		}
		s, _ := factorScale(spec, p.Rank())
		dw, err := DeltaW(p.B, p.A, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Module, err)
		}
		out = append(out, Update{Module: p.Module, Layer: p.Layer, Matrix: p.Matrix, W: w, DeltaW: dw, Rank: p.Rank(), A: p.A})
	}
	sortUpdates(out)
	return out, nil
}

// Merger rebuilds a run's method on the pretrained weights in base, loads what it trained
// from checkpoint and merges it, returning the matrices it changed before and after, or nil
// for a method that cannot merge (adapters, prefixes). Package analysis/merge provides one
// (merge.Matrices); analysis itself does not link the training engine.
type Merger func(spec method.Spec, seed uint64, checkpoint, base string) ([]target.Merged, error)

// mergedUpdates is ΔW = merge(W, θ) - W of every block matrix the merge changed.
func mergedUpdates(merge Merger, spec method.Spec, seed uint64, checkpoint, base string) ([]Update, error) {
	if merge == nil {
		return nil, fmt.Errorf("%s: the merged update needs the training engine, and no analysis.Options.Merge was given", spec.Label())
	}
	if base == "" {
		return nil, fmt.Errorf("%s: the merged update needs the base checkpoint, and the run names none", spec.Label())
	}
	ms, err := merge(spec, seed, checkpoint, base)
	if err != nil {
		return nil, err
	}
	var out []Update
	for _, m := range ms {
		layer, matrix := parseModule(m.Module)
		if layer < 0 {
			continue // the task head or the embedding: not a block matrix
		}
		w := denseFromFloat32(m.Out, m.In, m.Before)
		dw := denseFromFloat32(m.Out, m.In, m.After)
		dw.Sub(dw, w) // exact: each float32 difference is computed in float64
		out = append(out, Update{Module: m.Module, Layer: layer, Matrix: matrix, W: w, DeltaW: dw})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", spec.Label(), errNoUpdate)
	}
	sortUpdates(out)
	return out, nil
}

// sortUpdates orders updates by layer, then in the block's order of matrices.
func sortUpdates(us []Update) {
	order := map[string]int{}
	for i, m := range blockMatrices() {
		order[m] = i
	}
	slices.SortFunc(us, func(a, b Update) int {
		if a.Layer != b.Layer {
			return a.Layer - b.Layer
		}
		return order[a.Matrix] - order[b.Matrix]
	})
}

// findUpdate returns the update of a matrix ("q") in a block, and whether there is one.
func findUpdate(us []Update, layer int, matrix string) (Update, bool) {
	for _, u := range us {
		if u.Layer == layer && u.Matrix == matrix {
			return u, true
		}
	}
	return Update{}, false
}

// updateLayers lists the blocks in which matrix was updated, ascending.
func updateLayers(us []Update, matrix string) []int {
	var out []int
	for _, u := range us {
		if u.Matrix == matrix {
			out = append(out, u.Layer)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
