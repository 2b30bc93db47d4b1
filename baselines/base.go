package baselines

import (
	"errors"
	"fmt"
	"slices"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/nn"
)

// base is what every baseline shares: its setting, the model it was applied to and the
// tensors it trains.
type base struct {
	spec      method.Spec
	model     *model.Model
	trainable []*nn.Tensor
}

// Spec is the setting the method was built from.
func (b *base) Spec() method.Spec { return b.spec }

// Trainable lists the tensors the method trains, in the order Apply found them; nil before
// Apply.
func (b *base) Trainable() []*nn.Tensor { return slices.Clone(b.trainable) }

// Slots is zero: only the prefix methods use slots.
func (b *base) Slots() (prefix, infix int) { return 0, 0 }

// begin checks that the method is applied once, to a model its setting fits, and freezes
// every base tensor of m; the method then unfreezes or adds what it trains.
func (b *base) begin(m *model.Model) error {
	if m == nil {
		return errors.New("baselines: apply to a nil model")
	}
	if b.model != nil {
		return fmt.Errorf("baselines: %s is already applied to a model; build a new method with New", b.spec.Label())
	}
	if err := b.spec.Validate(arch.DimsOf(m.Cfg)); err != nil {
		return fmt.Errorf("baselines: apply: %w", err)
	}
	m.Freeze()
	b.model = m
	return nil
}

// train marks ts trainable and appends them to the method's list.
func (b *base) train(ts ...*nn.Tensor) {
	for _, t := range ts {
		t.SetTrainable(true)
	}
	b.trainable = append(b.trainable, ts...)
}
