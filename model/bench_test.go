package model

import (
	"math/rand/v2"
	"testing"

	"loralab/nn"
)

// BenchmarkDecoderTrain measures full fine-tuning throughput at the shape of the paper's
// PyTorch comparison (DESIGN.md): decoder d=128, L=4, 4 heads, vocab 4096, batch 16 of 128
// tokens, one AdamW step (forward, backward, update) per iteration, on 2 threads.
func BenchmarkDecoderTrain(b *testing.B) {
	for _, threads := range []int{1, 2} {
		b.Run(map[int]string{1: "threads=1", 2: "threads=2"}[threads], func(b *testing.B) {
			benchmarkTrain(b, Config{Arch: Decoder, Vocab: 4096, DModel: 128, Layers: 4, Heads: 4, DFF: 512, MaxLen: 128,
				Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}, 16, 128, threads)
		})
	}
}

// BenchmarkGPT2SmallTrain is one full fine-tuning AdamW step at GPT-2 small's shape (d=768,
// L=12, vocab 50257), batch 4 x 128 tokens, 2 threads (PyTorch 1.13 here: 72 tokens/s).
func BenchmarkGPT2SmallTrain(b *testing.B) {
	cfg, err := Preset("gpt2-small", Decoder, 0)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTrain(b, cfg, 4, 128, 2)
}

func benchmarkTrain(b *testing.B, cfg Config, B, T, threads int) {
	m, err := NewModel(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	params := m.Params()
	opt := nn.NewAdamW(decayGroups(params, 0.01))
	tape := nn.NewTape(threads)
	rng := rand.New(rand.NewPCG(1, 1))
	batch := &Batch{B: B, T: T, IDs: make([]int32, B*T)}
	targets := make([]int32, B*T)
	for i := range batch.IDs {
		batch.IDs[i] = int32(rng.IntN(cfg.Vocab))
		targets[i] = int32(rng.IntN(cfg.Vocab))
	}
	step := func(i int) {
		tape.Reset()
		ctx := &Context{Batch: batch, Train: true, Seed: uint64(i)}
		loss := tape.CrossEntropy(m.LMLogits(tape, m.Forward(tape, batch, ctx)), targets, -1, 0)
		tape.Backward(loss)
		opt.Step(1e-4)
		nn.ZeroGrads(params)
	}
	step(0) // warm up the tape's arena
	b.ResetTimer()
	for i := range b.N {
		step(i + 1)
	}
	b.ReportMetric(float64(b.N*B*T)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkBeamSearch decodes 8 prompts of 16 tokens with beam 10 for 32 new tokens on the
// tiny decoder (vocab 4096), the setting of the paper's E2E decoding, and reports generated
// tokens per second (per prompt, the returned hypothesis).
func BenchmarkBeamSearch(b *testing.B) {
	cfg, err := Preset("tiny", Decoder, 4096)
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewModel(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	prompts := make([][]int32, 8)
	for i := range prompts {
		for range 16 {
			prompts[i] = append(prompts[i], int32(rng.IntN(cfg.Vocab)))
		}
	}
	gc := GenerateConfig{MaxNew: 32, Beam: 10, LengthPenalty: 0.9, NoRepeatNgram: 4, EOS: -1, Threads: 2}
	b.ResetTimer()
	for range b.N {
		if _, err := m.Generate(prompts, gc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(prompts)*gc.MaxNew)/b.Elapsed().Seconds(), "tokens/s")
}
