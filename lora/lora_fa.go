package lora

import (
	"fmt"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// FA is LoRA-FA (Zhang et al., 2023, "LoRA-FA: Memory-efficient low-rank adaptation for
// large language models fine-tuning"): LoRA with A frozen at its random initialisation and
// only B trained, so that h = W0 x + s·B·A x with A fixed. Half of LoRA's trainable
// parameters on square targets (d_out·r per adapted matrix) and no gradient for A. Merge,
// the PEFT export (a plain LORA adapter: PEFT loads it as LoRA) and everything else are
// LoRA's; a checkpoint keeps the frozen A beside the trained B.
type FA struct {
	*LoRA
}

// NameFA is LoRA-FA's name in sweep files.
const NameFA = "lora_fa"

func init() {
	k := Kind // LoRA's keys, defaults, checks, label and PEFT fields; its own name and count
	k.Name, k.Order = NameFA, 91
	k.Params = func(s method.Spec, d method.Dims) int {
		return perMatrix(s, d, func(in, out int) int { return s.Rank * out })
	}
	tuner.Register(k, func(spec method.Spec) (tuner.Method, error) {
		l, err := New(spec)
		if err != nil {
			return nil, fmt.Errorf("lora_fa: %w", err)
		}
		return &FA{l}, nil
	})
}

// Apply applies LoRA and freezes every A.
func (f *FA) Apply(m *model.Model, seed uint64) error {
	if err := f.LoRA.Apply(m, seed); err != nil {
		return err
	}
	for _, a := range f.Frozen() {
		a.SetTrainable(false)
	}
	return nil
}

// Trainable lists B of every adapted matrix, in LoRA's order.
func (f *FA) Trainable() []*nn.Tensor { return f.factors(1) }

// Frozen lists A of every adapted matrix, in LoRA's order: a checkpoint keeps them.
func (f *FA) Frozen() []*nn.Tensor { return f.factors(0) }

// factors picks A (0) or B (1) from LoRA's list of A, B pairs.
func (f *FA) factors(which int) []*nn.Tensor {
	var out []*nn.Tensor
	for i, t := range f.LoRA.Trainable() {
		if i%2 == which {
			out = append(out, t)
		}
	}
	return out
}
