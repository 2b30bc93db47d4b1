package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
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

// TestMethodGroups: one set of groups per factor, the factor-1 set unprefixed and first when
// it comes first; a method without factors gets exactly paramGroups("", ...).
func TestMethodGroups(t *testing.T) {
	m, err := model.NewModel(model.Config{Arch: model.Encoder, Vocab: 10, DModel: 4, Layers: 1, Heads: 2, DFF: 8,
		MaxLen: 8, Activation: "gelu", LNEps: 1e-5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	meth := &scaledFT{}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	gs := methodGroups(meth, 0.1)
	var names []string
	for _, g := range gs {
		names = append(names, g.Name)
		for _, p := range g.Params {
			if want := meth.LRScale(p); g.LRScale != want {
				t.Errorf("%s in group %s of factor %g, want %g", p.Name, g.Name, g.LRScale, want)
			}
		}
	}
	if want := []string{"lr16_decay", "decay", "no_decay"}; !slices.Equal(names, want) {
		t.Errorf("groups %v, want %v", names, want)
	}
	plain := methodGroups(&meth.fullFT, 0.1)
	want := paramGroups("", meth.Trainable(), 0.1, 1)
	if len(plain) != len(want) || plain[0].Name != want[0].Name || len(plain[0].Params) != len(want[0].Params) {
		t.Errorf("plain method: groups %+v, want %+v", plain, want)
	}
	if got := tuner.LRScale(&meth.fullFT, m.TokEmb); got != 1 {
		t.Errorf("LRScale of a plain method %v", got)
	}
}
