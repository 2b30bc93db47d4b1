package lora

import (
	"fmt"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// TestGradients checks backward's gradients of A and B against float64 central differences
// of the float32 loss, for every target, with and without LoRA dropout, on the decoder's
// next-token loss and the encoder's head loss; and that the frozen base weights get none.
func TestGradients(t *testing.T) {
	cases := []struct {
		arch    string
		spec    method.Spec
		dropout float64
	}{
		{model.Decoder, loraSpec(3, "q", "k", "v", "o", "fc1", "fc2", "emb"), 0},
		{model.Decoder, loraSpec(2, "q", "v"), 0.2},
		{model.Encoder, loraSpec(3, "q", "k", "v", "o", "fc1", "fc2", "emb"), 0.1},
		{model.Encoder, method.Spec{Name: method.LoRA, Rank: 2, Targets: []string{"v", "fc2"}, Layers: []int{1}, Scaling: ScalingRSLoRA, Alpha: 3}, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/dropout=%g", c.arch, c.spec.Label(), c.dropout), func(t *testing.T) {
			m := newTestModel(t, testConfig(c.arch), 3)
			spec := c.spec
			spec.Dropout = c.dropout
			l := applyLoRA(t, m, spec, 4)
			randomize(l.Trainable(), 5, 0.5) // B != 0, so that A has a gradient
			b := randomBatch(6, m.Cfg.Vocab, 2, 6)
			targets := nextTokens(b)
			labels := []int32{2, 0}
			loss := func(tp *nn.Tape) *nn.Tensor {
				ctx := &model.Context{Batch: b, Train: true, Seed: 11}
				h := m.Forward(tp, b, ctx)
				if m.Head != nil {
					return tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), labels, -1, 0)
				}
				return tp.CrossEntropy(m.LMLogits(tp, h), targets, -1, 0)
			}
			gradcheck.Check(t, l.Trainable(), loss, 8)
			for _, p := range m.Params() {
				if p.Trainable || p.Grad != nil {
					t.Errorf("base tensor %s: trainable %v, %d gradients; want frozen", p.Name, p.Trainable, len(p.Grad))
				}
			}
		})
	}
}

// nextTokens returns each row's next token, -1 for the last row of a sequence.
func nextTokens(b *model.Batch) []int32 {
	tg := make([]int32, len(b.IDs))
	for r := range tg {
		tg[r] = -1
		if (r+1)%b.T != 0 {
			tg[r] = b.IDs[r+1]
		}
	}
	return tg
}
