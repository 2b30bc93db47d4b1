package model

import (
	"fmt"
	"math/rand/v2"
)

// AttachHead gives an encoder a fresh task head like RoBERTa's — logits =
// Out(tanh(Dense(h_first))) — with n outputs (classes, or 1 for regression), weights drawn
// N(0, 0.02) from seed and biases zero, replacing any head it had. Fine-tuning adds one per
// task to a base pretrained without a head.
func (m *Model) AttachHead(n int, seed uint64) error {
	if m.Cfg.Arch != Encoder || n < 1 {
		return fmt.Errorf("model: a head of %d outputs on an %s: want an encoder and n >= 1", n, m.Cfg.Arch)
	}
	d := m.Cfg.DModel
	rng := rand.New(rand.NewPCG(seed, 0x68656164)) // "head"
	h := &Head{Dense: newLinear("head.dense", d, d, true), Out: newLinear("head.out", d, n, true)}
	for _, l := range []*Linear{h.Dense, h.Out} {
		for i := range l.W.Data {
			l.W.Data[i] = float32(rng.NormFloat64() * 0.02)
		}
	}
	m.Cfg.NumLabels = n
	m.Head = h
	return nil
}
