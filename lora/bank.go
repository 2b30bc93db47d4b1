package lora

import (
	"errors"
	"fmt"
	"slices"

	"loralab/method"
	"loralab/model"
)

// NoAdapter, as an entry of model.Batch.AdapterIDs, runs that sequence on the base model.
const NoAdapter = -1

// Bank serves several named LoRA adapters from one frozen base model: the paper's point that
// many task-specific adapters can share a base in memory and be switched cheaply. Each adapter
// has an ID, its index in the order of Add. The bank installs one dispatcher per adapted
// Linear (and one embedding hook), which applies
//
//   - the active adapter (Activate) to the whole batch, or
//   - when the batch has AdapterIDs, to each sequence b the adapter AdapterIDs[b] (NoAdapter
//     for the base model): a mixed batch, always unmerged.
//
// Merge folds the active adapter into the base weights for inference at the base model's
// cost; while merged, the bank serves that adapter only and ignores AdapterIDs.
type Bank struct {
	model    *model.Model
	names    []string
	adapters []*LoRA
	active   int // index into adapters, or NoAdapter

	linears []*bankLinear  // dispatchers, in the order adapters first targeted them
	emb     *bankEmbedding // nil until an adapter targets the embedding
	merged  []mergedWeight // the active adapter's base weights while merged
	removed []removedDelta // the dispatchers Merge took out of their Linears
}

// removedDelta is a dispatcher taken out of its Linear by Merge, and where it was.
type removedDelta struct {
	disp *bankLinear
	slot int
}

// NewBank returns an empty bank on m, with no adapter active. It freezes m.
func NewBank(m *model.Model) (*Bank, error) {
	if m == nil {
		return nil, errors.New("lora: bank on a nil model")
	}
	m.Freeze()
	return &Bank{model: m, active: NoAdapter}, nil
}

// Add builds the adapter spec on the bank's model with A drawn from seed and B zero, and
// returns it (its Trainable tensors are what training the adapter updates; train it while it
// is active). It does not change which adapter is active.
func (b *Bank) Add(name string, spec method.Spec, seed uint64) (*LoRA, error) {
	if err := b.canAdd(name); err != nil {
		return nil, err
	}
	if spec.Name != method.LoRA {
		return nil, fmt.Errorf("lora: bank: add %q: method %q, want %q (a bank holds plain LoRA adapters)", name, spec.Name, method.LoRA)
	}
	l, err := New(spec)
	if err != nil {
		return nil, fmt.Errorf("lora: bank: add %q: %w", name, err)
	}
	if _, fromWeights := weightInit(spec.Init); fromWeights {
		return nil, fmt.Errorf("lora: bank: add %q: init %s changes the shared base weights", name, spec.Init)
	}
	if err := l.build(b.model, seed); err != nil {
		return nil, fmt.Errorf("lora: bank: add %q: %w", name, err)
	}
	b.register(name, l)
	return l, nil
}

// AddPEFT adds the adapter of a PEFT LoRA folder (see ImportPEFT) under name.
func (b *Bank) AddPEFT(name, dir string) (*LoRA, error) {
	if err := b.canAdd(name); err != nil {
		return nil, err
	}
	src, err := openPEFT(dir, b.model)
	if err != nil {
		return nil, fmt.Errorf("lora: bank: add %q: %w", name, err)
	}
	l, err := New(src.spec)
	if err != nil {
		return nil, fmt.Errorf("lora: bank: add %q from %s: %w", name, dir, err)
	}
	if _, fromWeights := weightInit(l.spec.Init); fromWeights {
		return nil, fmt.Errorf("lora: bank: add %q: init %s changes the shared base weights", name, l.spec.Init)
	}
	if err := l.build(b.model, 0); err != nil {
		return nil, fmt.Errorf("lora: bank: add %q from %s: %w", name, dir, err)
	}
	if err := l.loadPEFTWeights(src, false); err != nil {
		return nil, fmt.Errorf("lora: bank: add %q: %w", name, err)
	}
	b.register(name, l)
	return l, nil
}

// canAdd checks that an adapter called name may be added now.
func (b *Bank) canAdd(name string) error {
	if name == "" {
		return errors.New("lora: bank: adapter needs a name")
	}
	if slices.Contains(b.names, name) {
		return fmt.Errorf("lora: bank: adapter %q already added", name)
	}
	if b.merged != nil {
		return fmt.Errorf("lora: bank: add %q: %w; unmerge first", name, ErrMerged)
	}
	return nil
}

// register gives the built adapter l the next ID and routes its updates.
func (b *Bank) register(name string, l *LoRA) {
	l.bank = b
	id := len(b.adapters)
	b.names = append(b.names, name)
	b.adapters = append(b.adapters, l)
	for _, d := range l.linears {
		b.dispatcher(d.Target).set(id, d)
	}
	if l.emb != nil {
		if b.emb == nil {
			b.emb = &bankEmbedding{router{bank: b}}
			b.model.EmbedHooks = append(b.model.EmbedHooks, b.emb)
		}
		b.emb.set(id, l.emb)
	}
}

// dispatcher returns the dispatcher installed on target, installing one if there is none.
func (b *Bank) dispatcher(target *model.Linear) *bankLinear {
	for _, d := range b.linears {
		if d.target == target {
			return d
		}
	}
	d := newBankLinear(b, target)
	target.Deltas = append(target.Deltas, d)
	b.linears = append(b.linears, d)
	return d
}

// ID returns the ID of the named adapter, for model.Batch.AdapterIDs.
func (b *Bank) ID(name string) (int, error) {
	if i := slices.Index(b.names, name); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("lora: bank has no adapter %q (have %v)", name, b.names)
}

// Names lists the adapters in ID order.
func (b *Bank) Names() []string { return slices.Clone(b.names) }

// Adapter returns the named adapter, or nil.
func (b *Bank) Adapter(name string) *LoRA {
	if i := slices.Index(b.names, name); i >= 0 {
		return b.adapters[i]
	}
	return nil
}

// Activate makes the named adapter serve every batch without AdapterIDs; "" deactivates all
// adapters, leaving the base model. Switching touches no base weight.
func (b *Bank) Activate(name string) error {
	if b.merged != nil {
		return fmt.Errorf("lora: bank: activate %q: %w; unmerge first", name, ErrMerged)
	}
	if name == "" {
		b.active = NoAdapter
		return nil
	}
	id, err := b.ID(name)
	if err != nil {
		return err
	}
	b.active = id
	return nil
}

// Active is the name of the active adapter, "" for none.
func (b *Bank) Active() string {
	if b.active == NoAdapter {
		return ""
	}
	return b.names[b.active]
}

// Merge folds the active adapter's Linear updates into the base weights (see LoRA.Merge) and
// takes every dispatcher out of its Linear. The embedding hook, if any, stays.
func (b *Bank) Merge() error {
	if b.merged != nil {
		return fmt.Errorf("lora: bank: merge: %w", ErrMerged)
	}
	if b.active == NoAdapter {
		return errors.New("lora: bank: merge: no adapter is active")
	}
	b.merged = foldInto(b.adapters[b.active].linears)
	for _, d := range b.linears {
		slot := slices.Index(d.target.Deltas, model.Delta(d))
		d.target.Deltas = slices.Delete(d.target.Deltas, slot, slot+1)
		b.removed = append(b.removed, removedDelta{disp: d, slot: slot})
	}
	return nil
}

// Unmerge restores the base weights exactly and reinstalls the dispatchers.
func (b *Bank) Unmerge() error {
	if b.merged == nil {
		return fmt.Errorf("lora: bank: unmerge: %w", ErrNotMerged)
	}
	restore(b.merged)
	for i := len(b.removed) - 1; i >= 0; i-- {
		r := b.removed[i]
		r.disp.target.Deltas = slices.Insert(r.disp.target.Deltas, r.slot, model.Delta(r.disp))
	}
	b.merged, b.removed = nil, nil
	return nil
}
