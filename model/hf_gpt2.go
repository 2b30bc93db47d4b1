package model

import (
	"fmt"
	"loralab/model/arch"
	"path/filepath"
	"strings"

	"loralab/model/target"
	"loralab/model/tokenizer"
)

// ImportGPT2 loads a local Hugging Face GPT-2 folder: config.json, model.safetensors and, if
// present, vocab.json + merges.txt (or tokenizer.json). Tensor names may carry the
// "transformer." prefix or not. GPT-2's Conv1D layers store their weights [in, out], so they
// are transposed into loralab's [out, in]; the fused attention projection c_attn is split
// into Q, K and V; the attention mask buffers (attn.bias, attn.masked_bias) are ignored and
// the LM head is tied to the token embedding, so lm_head.weight is ignored too.
func ImportGPT2(dir string) (*Model, *tokenizer.Tokenizer, error) {
	var hc arch.GPT2Config
	cfgPath := filepath.Join(dir, arch.ConfigFile)
	if err := readJSON(cfgPath, &hc); err != nil {
		return nil, nil, err
	}
	cfg, err := hc.Config(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	w, err := openHFWeights(dir, "transformer.", "wte.weight")
	if err != nil {
		return nil, nil, err
	}
	m := newZeroModel(cfg)
	if err := loadGPT2Weights(m, w); err != nil {
		return nil, nil, err
	}
	err = w.checkUnused(func(name string) bool {
		return name == "lm_head.weight" || strings.HasSuffix(name, ".attn.bias") || strings.HasSuffix(name, ".attn.masked_bias")
	})
	if err != nil {
		return nil, nil, err
	}
	if m.Origin, err = readOrigin(dir, FamilyGPT2); err != nil {
		return nil, nil, err
	}
	tok, err := loadHFTokenizer(dir, cfg.Vocab)
	if err != nil {
		return nil, nil, err
	}
	return m, tok, nil
}

// loadGPT2Weights fills m from the HF GPT-2 tensors.
func loadGPT2Weights(m *Model, w *hfWeights) error {
	d := m.Cfg.DModel
	w.copyTo(m.TokEmb.Data, "wte.weight", m.Cfg.Vocab, d)
	w.copyTo(m.PosEmb.Data, "wpe.weight", m.Cfg.MaxLen, d)
	for _, b := range m.Blocks {
		p := fmt.Sprintf("h.%d.", b.Index)
		splitQKV(b, w.read(p+"attn.c_attn.weight", d, 3*d), w.read(p+"attn.c_attn.bias", 3*d))
		for _, t := range target.All() { // o, fc1, fc2 under their GPT-2 names; q, k, v are fused
			if l, err := b.Matrix(t.Name); err == nil && !t.FusedInGPT2() {
				conv1D(w, l, p+t.GPT2)
			}
		}
		w.layerNorm(b.LN1, p+"ln_1")
		w.layerNorm(b.LN2, p+"ln_2")
	}
	w.layerNorm(m.LNF, "ln_f")
	return w.err
}

// conv1D loads the GPT-2 Conv1D layer name (weight [in, out]) into l (weight [out, in]).
func conv1D(w *hfWeights, l *Linear, name string) {
	in, out := l.In(), l.Out()
	if src := w.read(name+".weight", in, out); src != nil {
		transposeInto(l.W.Data, src, in, out)
	}
	w.copyTo(l.B.Data, name+".bias", out)
}

// splitQKV splits GPT-2's fused attention projection c_attn, weight [D, 3D] with the columns
// of Q, then K, then V, and bias [3D], into the block's Q, K and V. Nil inputs (a failed
// read) leave them as they are.
func splitQKV(b *Block, weight, bias []float32) {
	if weight == nil || bias == nil {
		return
	}
	d := b.Q.In()
	for part, l := range []*Linear{b.Q, b.K, b.V} {
		for i := range d {
			for o := range d {
				l.W.Data[o*d+i] = weight[i*3*d+part*d+o]
			}
		}
		copy(l.B.Data, bias[part*d:(part+1)*d])
	}
}
