package lora

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// testConfig is a model small enough for finite differences through every LoRA tensor.
func testConfig(arch string) model.Config {
	c := model.Config{Arch: arch, Vocab: 13, DModel: 8, Layers: 2, Heads: 2, DFF: 16, MaxLen: 12,
		Activation: "gelu", LNEps: 1e-5, Dropout: 0.1}
	if arch == model.Encoder {
		c.NumLabels = 3
	}
	return c
}

// newTestModel returns a model of cfg whose every tensor, LayerNorms and biases included, is
// random, so that no output or gradient is trivially zero.
func newTestModel(t testing.TB, cfg model.Config, seed uint64) *model.Model {
	t.Helper()
	m, err := model.NewModel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	for _, p := range m.Params() {
		base := 0.0
		if len(p.Shape) == 1 && strings.HasSuffix(p.Name, ".weight") { // LayerNorm gain
			base = 1
		}
		for i := range p.Data {
			p.Data[i] = float32(base + 0.3*rng.NormFloat64())
		}
	}
	return m
}

// loraSpec is a LoRA setting of rank r on targets.
func loraSpec(r int, targets ...string) method.Spec {
	return method.Spec{Name: method.LoRA, Rank: r, Targets: targets}
}

// applyLoRA builds spec and applies it to m with seed.
func applyLoRA(t testing.TB, m *model.Model, spec method.Spec, seed uint64) *LoRA {
	t.Helper()
	l, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Apply(m, seed); err != nil {
		t.Fatal(err)
	}
	return l
}

// randomize fills ts with N(0, scale²) values, e.g. to give B a value it has after training.
func randomize(ts []*nn.Tensor, seed uint64, scale float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range ts {
		for i := range p.Data {
			p.Data[i] = float32(scale * rng.NormFloat64())
		}
	}
}

// randomBatch returns B sequences of T random ids.
func randomBatch(seed uint64, vocab, B, T int) *model.Batch {
	rng := rand.New(rand.NewPCG(seed, 3))
	b := &model.Batch{B: B, T: T, IDs: make([]int32, B*T)}
	for i := range b.IDs {
		b.IDs[i] = int32(rng.IntN(vocab))
	}
	return b
}

// output runs m on b in evaluation mode and returns a copy of the final hidden states, and
// of the head's logits for an encoder with a head.
func output(m *model.Model, b *model.Batch, threads int) []float32 {
	tp := nn.NewTape(threads)
	tp.SetTrain(false)
	tp.SetGrad(false)
	h := m.Forward(tp, b, &model.Context{Batch: b})
	out := append([]float32(nil), h.Data...)
	if m.Head != nil {
		out = append(out, m.HeadLogits(tp, h, b.B, b.T).Data...)
	}
	return out
}

// maxRelDiff is max_i |a_i - b_i| / max(1, max_j |b_j|): the largest difference relative to
// the scale of b.
func maxRelDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	scale, d := 1.0, 0.0
	for i := range b {
		scale = max(scale, math.Abs(float64(b[i])))
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d / scale
}

// firstDifference returns the first index where a and b differ as float32 values (-0 and
// +0 are equal), or -1 if they are equal.
func firstDifference(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// snapshot copies the data of ts.
func snapshot(ts []*nn.Tensor) [][]float32 {
	out := make([][]float32, len(ts))
	for i, p := range ts {
		out[i] = append([]float32(nil), p.Data...)
	}
	return out
}

// sameBits reports whether the data of ts is bit for bit the snapshot s.
func sameBits(ts []*nn.Tensor, s [][]float32) (string, bool) {
	for i, p := range ts {
		for j, v := range p.Data {
			if math.Float32bits(v) != math.Float32bits(s[i][j]) {
				return p.Name, false
			}
		}
	}
	return "", true
}

// contains reports whether s contains sub.
func contains(s, sub string) bool { return strings.Contains(s, sub) }
