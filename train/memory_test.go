package train

import (
	"context"
	"testing"

	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// frozenBase trains nothing of the base: with the trainer's head, the head-only control.
type frozenBase struct{ fullFT }

func (f *frozenBase) Apply(m *model.Model, _ uint64) error {
	for _, p := range m.Params() {
		p.SetTrainable(false)
	}
	return nil
}
func (f *frozenBase) Trainable() []*nn.Tensor { return nil }

// TestOutcomeMemory: a run's memory holds every weight (4 bytes each), a gradient and two
// AdamW moments (12 bytes) of each trained value, and the tape's buffers on top; full
// fine-tuning holds the 12 bytes for every base value more than a frozen base does.
func TestOutcomeMemory(t *testing.T) {
	task := sentimentTask(32, 5)
	tok := toyTokenizer(t, task)
	memory := func(meth tuner.Method) (int64, *model.Model) {
		m := toyEncoder(t, tok.VocabSize())
		if err := meth.Apply(m, 1); err != nil {
			t.Fatal(err)
		}
		cfg := Config{Steps: 2, Batch: 8, SeqLen: 32, LR: 1e-3, Seed: 1, Threads: 1}
		out, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg})
		if err != nil {
			t.Fatal(err)
		}
		return out.MemoryBytes, m
	}
	frozen, m := memory(&frozenBase{})
	all, head := int64(m.NumParams()), int64(0)
	for _, p := range tuner.HeadParams(m) {
		head += int64(p.Len())
	}
	if floor := 4*all + 12*head; frozen <= floor {
		t.Errorf("frozen base: memory %d bytes, want more than the weights and the head's gradient and moments, %d", frozen, floor)
	}
	ft, _ := memory(&fullFT{})
	if diff, want := ft-frozen, 12*(all-head); diff < want {
		t.Errorf("full fine-tuning holds %d bytes more than a frozen base, want at least %d (gradient and moments of %d values)",
			diff, want, all-head)
	}
	if ceiling := 16*all + 64<<20; ft > ceiling {
		t.Errorf("full fine-tuning: memory %d bytes, more than the parameters' 16 bytes each and 64 MB of buffers (%d)", ft, ceiling)
	}
}
