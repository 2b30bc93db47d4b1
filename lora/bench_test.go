package lora

import (
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// benchConfig is the decoder of the PyTorch comparison in DESIGN.md: d=128, L=4, 4 heads,
// vocab 4096, sequences of 128 tokens.
func benchConfig() model.Config {
	return model.Config{Arch: model.Decoder, Vocab: 4096, DModel: 128, Layers: 4, Heads: 4, DFF: 512, MaxLen: 128,
		Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
}

const benchThreads = 2

// BenchmarkTrainStep is one AdamW step (forward, causal-LM loss, backward, update) on a
// batch of 16 x 128 tokens, 2 threads: full fine-tuning (every base tensor trainable, no
// Method) against LoRA r=8 on Wq and Wv (PyTorch 1.13 on this machine: 2,340 and 2,920
// tokens/s).
func BenchmarkTrainStep(b *testing.B) {
	cases := []struct {
		name string
		spec *method.Spec
	}{
		{"ft", nil},
		{"lora_r8_qv", &method.Spec{Name: method.LoRA, Rank: 8, Targets: []string{"q", "v"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m, err := model.NewModel(benchConfig(), 1)
			if err != nil {
				b.Fatal(err)
			}
			params := m.Params()
			if c.spec != nil {
				params = applyLoRA(b, m, *c.spec, 1).Trainable()
			}
			const B, T = 16, 128
			batch := randomBatch(1, m.Cfg.Vocab, B, T)
			targets := nextTokens(batch)
			opt := nn.NewAdamW([]nn.ParamGroup{{Name: "all", Params: params, WeightDecay: 0.01}})
			tp := nn.NewTape(benchThreads)
			step := func(i int) {
				tp.Reset()
				ctx := &model.Context{Batch: batch, Train: true, Seed: uint64(i)}
				tp.Backward(tp.CrossEntropy(m.LMLogits(tp, m.Forward(tp, batch, ctx)), targets, -1, 0))
				opt.Step(1e-4)
				nn.ZeroGrads(params)
			}
			step(0) // size the tape's buffers
			b.ResetTimer()
			for i := range b.N {
				step(i + 1)
			}
			b.ReportMetric(float64(b.N*B*T)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkForward is one evaluation forward pass (hidden states, no LM head) of one
// sequence of 128 tokens, 2 threads: the base model, LoRA r=8 on Wq, Wv merged into the
// weights, and unmerged (the paper's Table 1 question: what does the adapter add to latency).
func BenchmarkForward(b *testing.B) {
	cases := []struct {
		name         string
		lora, merged bool
	}{
		{"base", false, false},
		{"lora_merged", true, true},
		{"lora_unmerged", true, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m, err := model.NewModel(benchConfig(), 1)
			if err != nil {
				b.Fatal(err)
			}
			if c.lora {
				l := applyLoRA(b, m, loraSpec(8, "q", "v"), 1)
				randomize(l.Trainable(), 2, 0.02)
				if c.merged {
					if err := l.Merge(); err != nil {
						b.Fatal(err)
					}
				}
			}
			batch := randomBatch(1, m.Cfg.Vocab, 1, 128)
			tp := nn.NewTape(benchThreads)
			tp.SetTrain(false)
			tp.SetGrad(false)
			forward := func() {
				tp.Reset()
				m.Forward(tp, batch, &model.Context{Batch: batch})
			}
			forward()
			b.ResetTimer()
			for range b.N {
				forward()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/op")
		})
	}
}
