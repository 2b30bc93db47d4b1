// Package arch fixes the shape of the transformers loralab builds: the model configuration,
// its presets and its checks. It is part of package model (which re-exports it: model.Config
// is arch.Config) but imports no part of the engine, so that the sweep parser and the reports
// read and check configurations without linking it.
package arch

import (
	"errors"
	"fmt"
)

// Architectures.
const (
	// Encoder is a post-LN, bidirectional, RoBERTa-like transformer with a classification head.
	Encoder = "encoder"
	// Decoder is a pre-LN, causal, GPT-2-like transformer with an LM head tied to the token
	// embedding.
	Decoder = "decoder"
)

// Config fixes the shape of a transformer.
type Config struct {
	Arch       string  `json:"arch"` // Encoder or Decoder
	Vocab      int     `json:"vocab"`
	DModel     int     `json:"d_model"`
	Layers     int     `json:"layers"`
	Heads      int     `json:"heads"`
	DFF        int     `json:"d_ff"`
	MaxLen     int     `json:"max_len"` // rows of the position embedding
	Dropout    float32 `json:"dropout"`
	Activation string  `json:"activation"` // "gelu" (tanh approximation, as GPT-2) or "relu"
	LNEps      float32 `json:"ln_eps"`
	// NumLabels is the output size of the encoder's classification head: the number of
	// classes, or 1 for regression; 0 means no head. Decoders have no head.
	NumLabels int `json:"num_labels"`
}

// Validate reports every problem of c, joined in one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Arch != Encoder && c.Arch != Decoder {
		bad("arch %q: want %q or %q", c.Arch, Encoder, Decoder)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"vocab", c.Vocab}, {"d_model", c.DModel}, {"layers", c.Layers}, {"heads", c.Heads}, {"d_ff", c.DFF}, {"max_len", c.MaxLen}} {
		if f.v < 1 {
			bad("%s = %d: want >= 1", f.name, f.v)
		}
	}
	if c.Heads >= 1 && c.DModel%c.Heads != 0 {
		bad("d_model = %d is not a multiple of heads = %d", c.DModel, c.Heads)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		bad("dropout = %g: want in [0, 1)", c.Dropout)
	}
	if c.Activation != "gelu" && c.Activation != "relu" {
		bad("activation %q: want \"gelu\" or \"relu\"", c.Activation)
	}
	if !(c.LNEps > 0) {
		bad("ln_eps = %g: want > 0", c.LNEps)
	}
	if c.NumLabels < 0 {
		bad("num_labels = %d: want >= 0", c.NumLabels)
	}
	if c.Arch == Decoder && c.NumLabels != 0 {
		bad("num_labels = %d: a decoder has no classification head, want 0", c.NumLabels)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model config: %w", err)
	}
	return nil
}

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int { return c.DModel / c.Heads }

// Preset returns the named model shape for arch with the given vocabulary size:
//
//	tiny        d=128 L=4  h=4  ff=512   max_len 256   (~0.8 M non-embedding parameters)
//	small       d=256 L=6  h=8  ff=1024  max_len 512   (~4.7 M)
//	gpt2-small  d=768 L=12 h=12 ff=3072  max_len 1024  (~85 M; vocab 50257 when vocab is 0)
//
// Dropout is 0.1, activation gelu, LayerNorm eps 1e-5, no classification head.
func Preset(name, arch string, vocab int) (Config, error) {
	c := Config{Arch: arch, Vocab: vocab, Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	switch name {
	case "tiny":
		c.DModel, c.Layers, c.Heads, c.DFF, c.MaxLen = 128, 4, 4, 512, 256
	case "small":
		c.DModel, c.Layers, c.Heads, c.DFF, c.MaxLen = 256, 6, 8, 1024, 512
	case "gpt2-small":
		c.DModel, c.Layers, c.Heads, c.DFF, c.MaxLen = 768, 12, 12, 3072, 1024
		if c.Vocab == 0 {
			c.Vocab = 50257
		}
	default:
		return Config{}, fmt.Errorf("model preset %q: want tiny, small or gpt2-small", name)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("model preset %q: %w", name, err)
	}
	return c, nil
}

// WeightsFile is the name of a checkpoint's weights in its folder.
const WeightsFile = "model.safetensors"

// HeldOutFile is the name of a pretrained base's held-out windows in its folder, on which
// forgetting is measured (model.ReadHeldOut).
const HeldOutFile = "heldout.safetensors"
