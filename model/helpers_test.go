package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// testConfig is a model small enough for finite differences through every parameter.
func testConfig(arch string) Config {
	c := Config{Arch: arch, Vocab: 13, DModel: 8, Layers: 2, Heads: 2, DFF: 16, MaxLen: 12, Activation: "gelu", LNEps: 1e-5}
	if arch == Encoder {
		c.NumLabels = 3
	}
	return c
}

// newTestModel returns a model of cfg whose every tensor, LayerNorms and biases included, is
// random, so that no gradient is trivially zero.
func newTestModel(t *testing.T, cfg Config, seed uint64) *Model {
	t.Helper()
	m, err := NewModel(cfg, seed)
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

// randomBatch returns B sequences of T random ids; sequence 1 ends with pad padding rows.
func randomBatch(rng *rand.Rand, vocab, B, T, pad int) *Batch {
	b := &Batch{B: B, T: T, IDs: make([]int32, B*T)}
	for i := range b.IDs {
		b.IDs[i] = int32(rng.IntN(vocab))
	}
	if pad > 0 {
		b.Pad = make([]bool, B*T)
		for i := T - pad; i < T; i++ {
			b.Pad[T+i] = true
		}
	}
	return b
}

// nextTokenTargets returns, for each row, the next token of its sequence, or -1 for the
// last row and for padding.
func nextTokenTargets(b *Batch) []int32 {
	tg := make([]int32, len(b.IDs))
	for s := range b.B {
		for i := range b.T {
			r := s*b.T + i
			tg[r] = -1
			if i+1 < b.T && (b.Pad == nil || !b.Pad[r+1]) {
				tg[r] = b.IDs[r+1]
			}
		}
	}
	return tg
}
