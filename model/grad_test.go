package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"loralab/nn"
)

// Finite-difference settings: step h, and the tolerance |a-n| <= atol + rtol |n|.
const (
	fdStep   = 2e-3
	gradAtol = 1e-3
	gradRtol = 3e-2
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
			checkModelGradients(t, m.Params(), loss, 6)
		})
	}
}

// checkModelGradients compares backward's gradients of loss for params with central
// differences on up to perParam sampled elements of each.
func checkModelGradients(t *testing.T, params []*nn.Tensor, loss func(*nn.Tape) *nn.Tensor, perParam int) {
	t.Helper()
	tp := nn.NewTape(1)
	nn.ZeroGrads(params)
	tp.Backward(loss(tp))
	value := func() float64 {
		tp.Reset()
		tp.SetGrad(false)
		return float64(loss(tp).Data[0])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for _, p := range params {
		for _, i := range rng.Perm(p.Len())[:min(perParam, p.Len())] {
			orig := p.Data[i]
			p.Data[i] = orig + fdStep
			up, lp := float64(p.Data[i])-float64(orig), value()
			p.Data[i] = orig - fdStep
			down, lm := float64(orig)-float64(p.Data[i]), value()
			p.Data[i] = orig
			numeric := (lp - lm) / (up + down)
			analytic := float64(p.Grad[i])
			if math.Abs(analytic-numeric) > gradAtol+gradRtol*math.Abs(numeric) {
				bad++
				if bad <= 8 {
					t.Errorf("%s[%d]: backward %.6g, finite difference %.6g", p.Name, i, analytic, numeric)
				}
			}
		}
	}
}
