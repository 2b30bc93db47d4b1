package model

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/nn"
)

// TestModelGradients checks the gradient backward gives for every base tensor of a whole
// model against float64 central differences of the float32 loss: the decoder's next-token
// cross-entropy (with dropout, padding and the tied LM head), and the encoder's head
// cross-entropy plus a masked-LM cross-entropy through the tied projection.
func TestModelGradients(t *testing.T) {
	cases := []struct {
		arch    string
		dropout float32
		act     string
	}{
		{Decoder, 0.1, "gelu"},
		{Decoder, 0, "relu"},
		{Encoder, 0, "gelu"},
		{Encoder, 0.1, "gelu"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/dropout=%g/%s", c.arch, c.dropout, c.act), func(t *testing.T) {
			cfg := testConfig(c.arch)
			cfg.Dropout, cfg.Activation = c.dropout, c.act
			m := newTestModel(t, cfg, 3)
			rng := rand.New(rand.NewPCG(5, 5))
			b := randomBatch(rng, cfg.Vocab, 2, 6, 2)
			labels := []int32{2, 0}
			lmTargets := nextTokenTargets(b)
			if c.arch == Encoder {
				for i := range lmTargets { // predict a few rows' own tokens
					lmTargets[i] = -1
					if i%3 == 1 && !b.Pad[i] {
						lmTargets[i] = b.IDs[i]
					}
				}
			}
			loss := func(tp *nn.Tape) *nn.Tensor {
				ctx := &Context{Batch: b, Train: c.dropout > 0, Seed: 11}
				h := m.Forward(tp, b, ctx)
				l := tp.CrossEntropy(m.LMLogits(tp, h), lmTargets, -1, 0)
				if m.Head != nil {
					l = tp.Add(l, tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), labels, -1, 0))
				}
				return l
			}
			gradcheck.Check(t, m.Params(), loss, 6)
		})
	}
}
