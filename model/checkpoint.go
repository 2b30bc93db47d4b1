package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"loralab/internal/atomicfile"
	"loralab/model/arch"
	"loralab/model/safetensors"
	"loralab/model/tokenizer"
	"loralab/nn"
)

// Files of a loralab checkpoint folder.
const (
	// WeightsFile holds every base tensor under its Params name, with the Config as JSON
	// under the metadata key ConfigKey.
	WeightsFile = arch.WeightsFile
	// TokenizerFile is the tokenizer, in the Hugging Face tokenizer.json layout.
	TokenizerFile = arch.TokenizerFile
	// ConfigKey is the safetensors metadata key of the model config.
	ConfigKey = arch.ConfigKey
)

// Save writes a checkpoint folder: dir/model.safetensors (every base tensor as F32, the
// config and the extra metadata in its header), dir/config.json (the config again, for
// readers, with model_type "loralab") and, if tok is not nil, dir/tokenizer.json. Each file
// is written atomically.
func Save(dir string, m *Model, tok *tokenizer.Tokenizer, extra map[string]string) error {
	return SaveAs(dir, m, tok, extra, safetensors.F32)
}

// SaveAs is Save with the tensors stored as dtype: F32, or F16 or BF16 to halve the folder
// (rounded to nearest even; Load widens them back to float32).
func SaveAs(dir string, m *Model, tok *tokenizer.Tokenizer, extra map[string]string, dtype safetensors.DType) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: save: %w", err)
	}
	cfg, err := json.Marshal(m.Cfg)
	if err != nil {
		return fmt.Errorf("model: save %s: config: %w", dir, err)
	}
	meta := map[string]string{"format": "pt"}
	for k, v := range extra {
		meta[k] = v
	}
	meta[ConfigKey] = string(cfg)
	originMeta(m, meta)
	var tensors []safetensors.Named
	for _, p := range m.Params() {
		tensors = append(tensors, safetensors.Named{Name: p.Name, Shape: p.Shape, DType: dtype, Data: p.Data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), tensors, meta); err != nil {
		return fmt.Errorf("model: save %s: %w", dir, err)
	}
	if err := writeConfigJSON(dir, m.Cfg); err != nil {
		return err
	}
	if tok != nil {
		if err := tok.Save(filepath.Join(dir, TokenizerFile)); err != nil {
			return fmt.Errorf("model: save %s: %w", dir, err)
		}
	}
	return nil
}

// writeConfigJSON writes dir/config.json: cfg's fields and model_type "loralab".
func writeConfigJSON(dir string, cfg Config) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("model: save %s: config: %w", dir, err)
	}
	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		return fmt.Errorf("model: save %s: config: %w", dir, err)
	}
	fields["model_type"] = LoralabModelType
	b, err = json.MarshalIndent(fields, "", "  ")
	if err != nil {
		return fmt.Errorf("model: save %s: config: %w", dir, err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, arch.ConfigFile), append(b, '\n')); err != nil {
		return fmt.Errorf("model: save %s: %w", dir, err)
	}
	return nil
}

// Load reads a checkpoint folder written by Save. The tokenizer is nil if the folder has no
// tokenizer.json. Every tensor of the config's model must be present with its exact shape
// and a float dtype, and no other tensor may be: errors name the file, the tensor and what
// was expected and found.
func Load(dir string) (*Model, *tokenizer.Tokenizer, error) {
	m, _, err := LoadWeights(filepath.Join(dir, WeightsFile))
	if err != nil {
		return nil, nil, err
	}
	tok, err := loadOptionalTokenizer(dir)
	if err != nil {
		return nil, nil, err
	}
	return m, tok, nil
}

// loadOptionalTokenizer loads dir/tokenizer.json, or returns nil if there is none.
func loadOptionalTokenizer(dir string) (*tokenizer.Tokenizer, error) {
	path := filepath.Join(dir, TokenizerFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	tok, err := tokenizer.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: load %s: %w", dir, err)
	}
	return tok, nil
}

// LoadWeights reads a loralab model.safetensors file: the config from its metadata, then
// every tensor. It also returns the file's metadata.
func LoadWeights(path string) (*Model, map[string]string, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, nil, fmt.Errorf("model: load: %w", err)
	}
	meta := f.Metadata()
	raw, ok := meta[ConfigKey]
	if !ok {
		return nil, nil, fmt.Errorf("model: load %s: no %q in the metadata: not a loralab checkpoint", path, ConfigKey)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return nil, nil, fmt.Errorf("model: load %s: metadata %q: %w", path, ConfigKey, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("model: load %s: %w", path, err)
	}
	m := newZeroModel(cfg)
	if m.Origin, err = originFromMeta(path, meta); err != nil {
		return nil, nil, err
	}
	if err := fillParams(f, m.Params(), path); err != nil {
		return nil, nil, err
	}
	return m, meta, nil
}

// fillParams copies each of params from the tensor of the same name in f and rejects
// tensors of f that are not among params.
func fillParams(f *safetensors.File, params []*nn.Tensor, path string) error {
	want := map[string]bool{}
	for _, p := range params {
		want[p.Name] = true
		data, err := f.Float32(p.Name, p.Shape)
		if err != nil {
			return fmt.Errorf("model: load: %w", err)
		}
		copy(p.Data, data)
	}
	var extra []string
	for _, name := range f.Names() {
		if !want[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		return fmt.Errorf("model: load %s: unexpected tensors %q: the config does not have them", path, extra)
	}
	return nil
}
