package baselines

import (
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// TestGenerateWithSlots checks that prefix methods work with the model's cached decoding:
// greedy model.Generate, given the prompts' slot positions, produces what a plain greedy
// loop produces that recomputes the whole sequence, slots included, at every step. The
// two prompts differ in length, so one is left-padded in the cached batch.
func TestGenerateWithSlots(t *testing.T) {
	s := tinyShapes[1]
	prompts := [][]int32{{1, 0, 0, 7, 0, 3}, {2, 0, 0, 9, 11, 4, 0, 5}}
	slots := [][]int32{{1, 2, 4}, {1, 2, 6}} // two prefix slots, one infix slot
	slotIDs := [][]int32{{0, 1, 2}, {0, 1, 2}}
	for _, name := range []string{method.PrefixEmbed, method.PrefixLayer} {
		t.Run(name, func(t *testing.T) {
			m := newRandomModel(t, s, 5) // a seed whose greedy outputs depend on the slots
			meth := applied(t, method.Spec{Name: name, Prefix: 2, Infix: 1}, m, 5)
			randomize(meth.Trainable(), 8)
			got, err := m.Generate(prompts, model.GenerateConfig{MaxNew: 4, EOS: -1, Slots: slots, SlotIDs: slotIDs})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range prompts {
				if want := greedyUncached(m, p, slots[i], slotIDs[i], 4); !slices.Equal(got[i], want) {
					t.Errorf("prompt %d: Generate gives %v, uncached greedy %v", i, got[i], want)
				}
			}
			for i, p := range prompts { // else the check above could not tell slots from none
				if slices.Equal(greedyUncached(m, p, nil, nil, 4), got[i]) {
					t.Errorf("prompt %d: the slots do not change the greedy continuation %v", i, got[i])
				}
			}
		})
	}
}

// greedyUncached continues prompt by n tokens, running the full sequence through m at
// each step and taking the most likely next token.
func greedyUncached(m *model.Model, prompt, slots, slotIDs []int32, n int) []int32 {
	seq := slices.Clone(prompt)
	tp := nn.NewTape(1)
	tp.SetTrain(false)
	tp.SetGrad(false)
	for range n {
		b := &model.Batch{B: 1, T: len(seq), IDs: seq, Slots: slots, SlotIDs: slotIDs}
		h := m.Forward(tp, b, &model.Context{Batch: b})
		logits := m.LMLogits(tp, h).Row(len(seq) - 1)
		best := 0
		for v, l := range logits {
			if l > logits[best] {
				best = v
			}
		}
		tp.Reset()
		seq = append(seq, int32(best))
	}
	return seq[len(prompt):]
}
