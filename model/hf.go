package model

import (
	"fmt"
	"loralab/model/arch"
	"os"
	"path/filepath"
	"strings"

	"loralab/internal/jsonpos"
	"loralab/model/safetensors"
	"loralab/model/tokenizer"
)

// LoralabModelType is the model_type of the config.json a loralab model folder may carry.
const LoralabModelType = arch.LoralabModelType

// Open loads the model folder dir, whatever its kind: a loralab checkpoint (Save; its
// optional config.json, if any, says model_type "loralab"), or a Hugging Face GPT-2 or
// RoBERTa folder (config.json with model_type "gpt2" or "roberta").
// The tokenizer is nil when the folder has none.
func Open(dir string) (*Model, *tokenizer.Tokenizer, error) {
	if _, err := os.Stat(filepath.Join(dir, arch.ConfigFile)); err == nil {
		var head struct {
			ModelType string `json:"model_type"`
		}
		if err := readJSON(filepath.Join(dir, arch.ConfigFile), &head); err != nil {
			return nil, nil, err
		}
		switch head.ModelType {
		case "gpt2":
			return ImportGPT2(dir)
		case "roberta":
			return ImportRoBERTa(dir)
		case LoralabModelType:
			return Load(dir)
		default:
			return nil, nil, fmt.Errorf("model: %s: model_type %q: want \"gpt2\", \"roberta\" or %q", filepath.Join(dir, arch.ConfigFile), head.ModelType, LoralabModelType)
		}
	}
	return Load(dir)
}

// readJSON decodes the JSON file at path into v; errors name the file, the line and column,
// and what was expected against what was found.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := jsonpos.Unmarshal(b, v); err != nil {
		return fmt.Errorf("model: %s: %w", path, err)
	}
	return nil
}

// hfWeights reads the tensors of a Hugging Face model.safetensors whose names may carry a
// prefix ("transformer.", "roberta."), and keeps track of which were used so that unknown
// tensors are reported rather than silently ignored. It remembers the first read error, so
// that a loader is a plain list of copies followed by one look at err.
type hfWeights struct {
	f      *safetensors.File
	path   string
	prefix string
	used   map[string]bool
	err    error // the first failed read; later reads return nil
}

// openHFWeights reads dir/model.safetensors and detects the prefix from the tensor probe,
// which must exist with or without it.
func openHFWeights(dir, prefix, probe string) (*hfWeights, error) {
	path := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, fmt.Errorf("model: import %s: %w (only model.safetensors weights are supported)", dir, err)
	}
	w := &hfWeights{f: f, path: path, used: map[string]bool{}}
	if _, ok := f.Info(prefix + probe); ok {
		w.prefix = prefix
	} else if _, ok := f.Info(probe); !ok {
		return nil, fmt.Errorf("model: import %s: no tensor %q or %q: not the expected layout", path, prefix+probe, probe)
	}
	return w, nil
}

// read returns the tensor name (under the prefix), which must have the given shape.
func (w *hfWeights) read(name string, shape ...int) []float32 {
	return w.readExact(w.prefix+name, shape...)
}

// readExact returns the tensor of exactly this name (no prefix), which must have the given
// shape. After a failed read it returns nil and reads nothing.
func (w *hfWeights) readExact(name string, shape ...int) []float32 {
	if w.err != nil {
		return nil
	}
	w.used[name] = true
	data, err := w.f.Float32(name, shape)
	if err != nil {
		w.err = fmt.Errorf("model: import: %w", err)
		return nil
	}
	return data
}

// copyTo fills dst from the tensor name (under the prefix) of the given shape.
func (w *hfWeights) copyTo(dst []float32, name string, shape ...int) {
	copy(dst, w.read(name, shape...))
}

// layerNorm fills ln from name.weight and name.bias.
func (w *hfWeights) layerNorm(ln *LayerNorm, name string) {
	w.copyTo(ln.G.Data, name+".weight", ln.G.Len())
	w.copyTo(ln.B.Data, name+".bias", ln.B.Len())
}

// checkUnused reports tensors that were not read, except those for which ignore is true.
func (w *hfWeights) checkUnused(ignore func(name string) bool) error {
	var extra []string
	for _, name := range w.f.Names() {
		if !w.used[name] && !ignore(strings.TrimPrefix(name, w.prefix)) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		return fmt.Errorf("model: import %s: unexpected tensors %q", w.path, extra)
	}
	return nil
}

// transposeInto writes the transpose of src [rows, cols] into dst [cols, rows].
func transposeInto(dst, src []float32, rows, cols int) {
	for r := range rows {
		for c := range cols {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}

// loadHFTokenizer loads the tokenizer files of dir, if any, and checks that its ids fit a
// vocabulary of vocab entries.
func loadHFTokenizer(dir string, vocab int) (*tokenizer.Tokenizer, error) {
	_, errJSON := os.Stat(filepath.Join(dir, TokenizerFile))
	_, errVocab := os.Stat(filepath.Join(dir, "vocab.json"))
	if errJSON != nil && errVocab != nil {
		return nil, nil
	}
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("model: import %s: %w", dir, err)
	}
	if tok.VocabSize() > vocab {
		return nil, fmt.Errorf("model: import %s: the tokenizer has %d tokens but the model's vocabulary only %d", dir, tok.VocabSize(), vocab)
	}
	return tok, nil
}
