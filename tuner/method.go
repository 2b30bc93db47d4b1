// Package tuner is the seam between the fine-tuning methods and everything that trains,
// evaluates and benchmarks them: the Method interface, the registry of constructors (each
// method registers its kind and constructor from its own file, see Register), and what every
// method shares: parameter counts, saving and loading what a run trained.
package tuner

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/nn"
)

// ErrCannotMerge is returned by Merge and Unmerge of methods whose update cannot be folded
// into the base weights (adapters and prefixes add computation at inference).
var ErrCannotMerge = errors.New("method cannot be merged into the base weights")

// Method turns a pretrained model into a trainable one. It is the one seam between the
// methods (packages lora and baselines) and everything that trains, evaluates, sweeps and
// reports: those see only this interface.
//
// The life of a Method: Apply once to a freshly loaded base model; train the tensors of
// Trainable (plus the task head, which the trainer owns); Save them; Merge for inference where
// the method allows.
type Method interface {
	// Spec is the setting this method was built from.
	Spec() method.Spec
	// Apply injects the method's modules into m (Deltas, hooks, slot vectors), initialised
	// from seed, and sets which base tensors are trainable: it freezes every base tensor it
	// does not train. The task head is left to the trainer.
	Apply(m *model.Model, seed uint64) error
	// Trainable lists, in a fixed order and with unique names, every tensor the method
	// trains, base tensors included (FT, BitFit) and the task head excluded.
	Trainable() []*nn.Tensor
	// Slots is how many prefix and infix slot positions each input needs (prefix methods);
	// zero for the others.
	Slots() (prefix, infix int)
	// Merge folds the update into the base weights so inference costs what the base costs
	// (LoRA: W <- W + s B A); Unmerge restores the base weights. Methods that cannot merge
	// return ErrCannotMerge; methods with nothing to merge (FT, BitFit) return nil.
	Merge() error
	Unmerge() error
}

// Count returns the counts of meth applied to m.
func Count(meth Method, m *model.Model) (method.Counts, error) {
	var c method.Counts
	for _, t := range meth.Trainable() {
		c.Trainable += t.Len()
	}
	for _, t := range HeadParams(m) {
		c.Head += t.Len()
	}
	p, err := method.PaperParams(meth.Spec(), model.DimsOf(m.Cfg))
	c.Paper = p
	return c, err
}

// HeadParams are the task head's tensors (encoder classification/regression head), empty
// for a model without a head. The decoder's LM head is tied to the token embedding.
func HeadParams(m *model.Model) []*nn.Tensor {
	if m.Head == nil {
		return nil
	}
	var ps []*nn.Tensor
	for _, l := range []*model.Linear{m.Head.Dense, m.Head.Out} {
		ps = append(ps, l.W)
		if l.B != nil {
			ps = append(ps, l.B)
		}
	}
	return ps
}

// Save writes only what a run trained — the method's tensors and the head — to a safetensors
// file at path, with the method's setting in the metadata. It returns the file size.
func Save(path string, meth Method, head []*nn.Tensor) (int64, error) {
	var named []safetensors.Named
	seen := map[string]bool{}
	for _, t := range savedTensors(meth, head) {
		if seen[t.Name] {
			return 0, fmt.Errorf("tuner: save %s: two tensors named %q", path, t.Name)
		}
		seen[t.Name] = true
		named = append(named, safetensors.Named{Name: t.Name, Shape: t.Shape, DType: safetensors.F32, Data: t.Data})
	}
	meta := map[string]string{"method": meth.Spec().Name, "setting": meth.Spec().Label()}
	if err := safetensors.WriteFile(path, named, meta); err != nil {
		return 0, fmt.Errorf("tuner: save: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("tuner: save: %w", err)
	}
	return st.Size(), nil
}

// Load reads a file written by Save into the tensors of meth (already applied to its model)
// and head, checking that every tensor is there with its shape.
func Load(path string, meth Method, head []*nn.Tensor) error {
	f, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("tuner: load: %w", err)
	}
	for _, t := range savedTensors(meth, head) {
		data, err := f.Float32(t.Name, t.Shape)
		if err != nil {
			return fmt.Errorf("tuner: load %s: %w", path, err)
		}
		copy(t.Data, data)
	}
	return nil
}

// LRScaler is a method whose tensors train at different learning rates (LoRA+: B at a
// multiple of A's rate): the trainer multiplies the scheduled rate of each tensor t of
// Trainable by LRScale(t). Methods that do not implement it train every tensor at the rate.
type LRScaler interface {
	LRScale(t *nn.Tensor) float32
}

// LRScale is the factor of meth's learning rate for its tensor t: 1 unless meth is an
// LRScaler.
func LRScale(meth Method, t *nn.Tensor) float32 {
	if s, ok := meth.(LRScaler); ok {
		return s.LRScale(t)
	}
	return 1
}

// savedTensors lists what Save writes and Load reads: the method's tensors, then the head's.
func savedTensors(meth Method, head []*nn.Tensor) []*nn.Tensor {
	return append(slices.Clone(meth.Trainable()), head...)
}
