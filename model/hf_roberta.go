package model

import (
	"fmt"
	"loralab/model/arch"
	"path/filepath"
	"strings"

	"loralab/model/target"
	"loralab/model/tokenizer"
)

// ImportRoBERTa loads a local Hugging Face RoBERTa folder: config.json, model.safetensors
// and, if present, the tokenizer (tokenizer.json, or vocab.json + merges.txt). Tensor names
// may carry the "roberta." prefix or not. Positions: RoBERTa's position ids start at
// pad_token_id+1 (2), so loralab's position i is row i+2 of position_embeddings; the
// token-type embedding of type 0 (the only one RoBERTa uses) is folded into every position
// row. A classification head classifier.dense / classifier.out_proj, if present, becomes
// Head and sets NumLabels. The pooler and the masked-LM head (lm_head.*) are ignored.
//
// RoBERTa's "gelu" is the exact erf form; loralab's is the tanh approximation, which
// differs by less than 1e-3 per activation, so imported logits are close but not identical
// to those of transformers.
func ImportRoBERTa(dir string) (*Model, *tokenizer.Tokenizer, error) {
	var hc arch.RoBERTaConfig
	cfgPath := filepath.Join(dir, arch.ConfigFile)
	if err := readJSON(cfgPath, &hc); err != nil {
		return nil, nil, err
	}
	w, err := openHFWeights(dir, "roberta.", "embeddings.word_embeddings.weight")
	if err != nil {
		return nil, nil, err
	}
	numLabels := 0
	if info, ok := w.f.Info("classifier.out_proj.weight"); ok && len(info.Shape) == 2 {
		numLabels = info.Shape[0]
	}
	cfg, offset, err := hc.Config(cfgPath, numLabels)
	if err != nil {
		return nil, nil, err
	}
	m := newZeroModel(cfg)
	if err := loadRoBERTaWeights(m, w, offset, arch.OrDefault(hc.TypeVocabSize, 1)); err != nil {
		return nil, nil, err
	}
	err = w.checkUnused(func(name string) bool {
		return strings.HasPrefix(name, "lm_head.") || strings.HasPrefix(name, "pooler.") || name == "embeddings.position_ids"
	})
	if err != nil {
		return nil, nil, err
	}
	if m.Origin, err = readOrigin(dir, FamilyRoBERTa); err != nil {
		return nil, nil, err
	}
	tok, err := loadHFTokenizer(dir, cfg.Vocab)
	if err != nil {
		return nil, nil, err
	}
	return m, tok, nil
}

// loadRoBERTaWeights fills m from the HF RoBERTa tensors.
func loadRoBERTaWeights(m *Model, w *hfWeights, offset, typeVocab int) error {
	d := m.Cfg.DModel
	linear := func(l *Linear, name string) {
		w.copyTo(l.W.Data, name+".weight", l.Out(), l.In())
		w.copyTo(l.B.Data, name+".bias", l.Out())
	}
	w.copyTo(m.TokEmb.Data, "embeddings.word_embeddings.weight", m.Cfg.Vocab, d)
	pos := w.read("embeddings.position_embeddings.weight", m.Cfg.MaxLen+offset, d)
	types := w.read("embeddings.token_type_embeddings.weight", typeVocab, d)
	if pos != nil && types != nil {
		for i := range m.Cfg.MaxLen {
			for j := range d {
				m.PosEmb.Data[i*d+j] = pos[(i+offset)*d+j] + types[j]
			}
		}
	}
	w.layerNorm(m.LNEmb, "embeddings.LayerNorm")
	for _, b := range m.Blocks {
		p := fmt.Sprintf("encoder.layer.%d.", b.Index)
		for _, t := range target.All() { // q, k, v, o, fc1, fc2 under their RoBERTa names
			if l, err := b.Matrix(t.Name); err == nil {
				linear(l, p+t.RoBERTa)
			}
		}
		w.layerNorm(b.LN1, p+"attention.output.LayerNorm")
		w.layerNorm(b.LN2, p+"output.LayerNorm")
	}
	if m.Head != nil {
		// The classifier sits beside the "roberta." body, never under its prefix.
		for _, l := range []struct {
			dst  *Linear
			name string
		}{{m.Head.Dense, "classifier.dense"}, {m.Head.Out, "classifier.out_proj"}} {
			copy(l.dst.W.Data, w.readExact(l.name+".weight", l.dst.Out(), l.dst.In()))
			copy(l.dst.B.Data, w.readExact(l.name+".bias", l.dst.Out()))
		}
	}
	return w.err
}
