package train

import (
	"context"
	"math"
	"testing"

	"loralab/nn"
)

// scaledFT is full fine-tuning whose token embedding trains at 16 times the learning rate of
// the other tensors: an LRScaler, as LoRA+ is.
type scaledFT struct{ fullFT }

func (s *scaledFT) LRScale(t *nn.Tensor) float32 {
	if t.Name == "tok_emb.weight" {
		return 16
	}
	return 1
}

// TestMethodLearningRates trains one Adam step, whose first update moves every parameter
// with a gradient by its learning rate times the sign of its gradient: the embedding of
// an LRScaler must move by 16 lr, the other tensors by lr.
func TestMethodLearningRates(t *testing.T) {
	const lr = 1e-3
	task := sentimentTask(32, 5)
	tok := toyTokenizer(t, task)
	m := toyEncoder(t, tok.VocabSize())
	meth := &scaledFT{}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	var fast, slow []*nn.Tensor
	for _, p := range meth.Trainable() {
		if p.Name == "tok_emb.weight" {
			fast = append(fast, p)
		} else {
			slow = append(slow, p)
		}
	}
	before := [2][][]float32{snapshot(fast), snapshot(slow)}
	cfg := Config{Steps: 1, Batch: 8, SeqLen: 32, LR: lr, Schedule: "constant", Seed: 1, Threads: 1}
	if _, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg}); err != nil {
		t.Fatal(err)
	}
	if got := maxChange(before[0], fast); math.Abs(got-16*lr) > 1e-3*16*lr {
		t.Errorf("scaled tensor moved by at most %g, want %g", got, 16*lr)
	}
	if got := maxChange(before[1], slow); math.Abs(got-lr) > 1e-3*lr {
		t.Errorf("other tensors moved by at most %g, want %g", got, lr)
	}
}
