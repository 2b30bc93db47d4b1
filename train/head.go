package train

import (
	"math/rand/v2"

	"loralab/datasets"

	"loralab/model"
	"loralab/nn"
)

// attachHead gives an encoder a fresh classification (n classes) or regression (n = 1) head
// like RoBERTa's — logits = Out(tanh(Dense(h_first))) — initialised N(0, 0.02) from seed.
func attachHead(m *model.Model, n int, seed uint64) {
	d := m.Cfg.DModel
	rng := rand.New(rand.NewPCG(seed, 0x68656164)) // "head"
	linear := func(name string, in, out int) *model.Linear {
		l := &model.Linear{Name: name, W: nn.NewParam(name+".weight", out, in), B: nn.NewParam(name+".bias", out)}
		for i := range l.W.Data {
			l.W.Data[i] = float32(rng.NormFloat64() * 0.02)
		}
		return l
	}
	m.Cfg.NumLabels = n
	m.Head = &model.Head{Dense: linear("head.dense", d, d), Out: linear("head.out", d, n)}
}

// addHead gives the model the head its task needs: n classes for classification, one output
// for regression, none for generation (the decoder's LM head is tied to its embedding).
func addHead(m *model.Model, t *datasets.Task, seed uint64) {
	switch t.Kind {
	case datasets.Classification:
		attachHead(m, len(t.Labels), seed)
	case datasets.Regression:
		attachHead(m, 1, seed)
	}
}
