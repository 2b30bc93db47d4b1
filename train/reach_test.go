package train

import (
	"context"
	"slices"
	"testing"

	"loralab/method"
	"loralab/tuner"
)

// Every method trains what it says it trains and nothing else: after a few steps of the
// shared loop each of its tensors and the task head have moved (the gradient reaches them
// through the first-token head), and every other base tensor is bit-identical. LoRA's A only
// moves once B is non-zero, so three steps are taken.
func TestFinetuneMovesExactlyTheTrainedTensors(t *testing.T) {
	task := sentimentTask(64, 11)
	tok := toyTokenizer(t, task)
	specs := []method.Spec{
		{Name: method.LoRA, Rank: 2, Alpha: 4, Targets: []string{"q", "v"}},
		{Name: method.BitFit},
		{Name: method.AdapterH, Size: 4},
		{Name: method.PrefixLayer, Prefix: 2},
		{Name: method.PrefixEmbed, Prefix: 2},
		{Name: method.FTTop2},
	}
	for _, spec := range specs {
		t.Run(spec.Label(), func(t *testing.T) {
			m := toyEncoder(t, tok.VocabSize())
			meth, err := tuner.New(spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := meth.Apply(m, 1); err != nil {
				t.Fatal(err)
			}
			trained := map[string]bool{}
			before := map[string][]float32{}
			for _, p := range append(meth.Trainable(), tuner.HeadParams(m)...) {
				trained[p.Name] = true
			}
			for _, p := range append(m.Params(), meth.Trainable()...) {
				before[p.Name] = slices.Clone(p.Data)
			}
			cfg := Config{Steps: 3, Batch: 8, SeqLen: 32, LR: 1e-2, Seed: 3, Threads: 1}
			if _, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg}); err != nil {
				t.Fatal(err)
			}
			for _, p := range append(m.Params(), meth.Trainable()...) {
				moved := !slices.Equal(before[p.Name], p.Data)
				if trained[p.Name] && !moved {
					t.Errorf("%s is trained but did not move: no gradient reached it", p.Name)
				}
				if !trained[p.Name] && moved {
					t.Errorf("%s is frozen but moved", p.Name)
				}
			}
		})
	}
}
