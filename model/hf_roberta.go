package model

import (
	"fmt"
	"path/filepath"
	"strings"

	"loralab/model/target"
	"loralab/model/tokenizer"
)

// robertaConfig is the part of a Hugging Face RoBERTa config.json that loralab uses.
type robertaConfig struct {
	VocabSize     *int     `json:"vocab_size"`
	Hidden        *int     `json:"hidden_size"`
	Layers        *int     `json:"num_hidden_layers"`
	Heads         *int     `json:"num_attention_heads"`
	Intermediate  *int     `json:"intermediate_size"`
	MaxPositions  *int     `json:"max_position_embeddings"`
	TypeVocabSize *int     `json:"type_vocab_size"`
	PadTokenID    *int     `json:"pad_token_id"`
	HiddenAct     *string  `json:"hidden_act"`
	LNEps         *float32 `json:"layer_norm_eps"`
	HiddenDropout *float32 `json:"hidden_dropout_prob"`
}

// config converts the HF fields into an encoder Config with numLabels head outputs. RoBERTa
// numbers positions from pad_token_id+1, so the first pad_token_id+1 rows of its position
// table are never used by real tokens and max_len is that much smaller.
func (c robertaConfig) config(path string, numLabels int) (Config, int, error) {
	if err := required(path, map[string]*int{"vocab_size": c.VocabSize, "hidden_size": c.Hidden, "num_hidden_layers": c.Layers,
		"num_attention_heads": c.Heads, "intermediate_size": c.Intermediate, "max_position_embeddings": c.MaxPositions}); err != nil {
		return Config{}, 0, err
	}
	act := orDefault(c.HiddenAct, "gelu")
	switch act {
	case "gelu", "gelu_new", "gelu_pytorch_tanh":
		act = "gelu" // loralab's gelu is the tanh approximation of RoBERTa's erf gelu
	case "relu":
	default:
		return Config{}, 0, fmt.Errorf("model: %s: hidden_act %q: want gelu or relu", path, act)
	}
	offset := orDefault(c.PadTokenID, 1) + 1
	cfg := Config{
		Arch: Encoder, Vocab: *c.VocabSize, DModel: *c.Hidden, Layers: *c.Layers, Heads: *c.Heads,
		DFF: *c.Intermediate, MaxLen: *c.MaxPositions - offset, Activation: act,
		LNEps: orDefault(c.LNEps, 1e-5), Dropout: orDefault(c.HiddenDropout, 0.1), NumLabels: numLabels,
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, 0, fmt.Errorf("model: %s: %w", path, err)
	}
	return cfg, offset, nil
}

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
	var hc robertaConfig
	cfgPath := filepath.Join(dir, hfConfigFile)
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
	cfg, offset, err := hc.config(cfgPath, numLabels)
	if err != nil {
		return nil, nil, err
	}
	m := newZeroModel(cfg)
	if err := loadRoBERTaWeights(m, w, offset, orDefault(hc.TypeVocabSize, 1)); err != nil {
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
