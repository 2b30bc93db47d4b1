package arch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/internal/jsonpos"
	"loralab/model/safetensors"
)

// The files of a model folder, in loralab's layout and in Hugging Face's.
const (
	// ConfigFile is the folder's config.json: Hugging Face's, or loralab's copy of its
	// config with model_type LoralabModelType.
	ConfigFile = "config.json"
	// TokenizerFile is the tokenizer, in the Hugging Face tokenizer.json layout.
	TokenizerFile = "tokenizer.json"
	// ConfigKey is the safetensors metadata key of a loralab checkpoint's config.
	ConfigKey = "loralab.config"
	// LoralabModelType is the model_type of the config.json a loralab model folder may carry
	// for readers (its weights file holds the authoritative config).
	LoralabModelType = "loralab"
)

// ReadFolder returns the configuration of the model in the folder dir without reading its
// weights: a loralab folder (its config.json, else the config in its weights file's
// metadata) or a Hugging Face GPT-2 or RoBERTa folder (config.json). NumLabels is 0: the
// head, if the folder has one, is not part of the shape a sweep adapts.
func ReadFolder(dir string) (Config, error) {
	if info, err := os.Stat(dir); err != nil {
		return Config{}, fmt.Errorf("arch: model folder: %w", err)
	} else if !info.IsDir() {
		return Config{}, fmt.Errorf("arch: model folder %s is a file, want a folder", dir)
	}
	path := filepath.Join(dir, ConfigFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return weightsConfig(filepath.Join(dir, WeightsFile))
	}
	if err != nil {
		return Config{}, fmt.Errorf("arch: %w", err)
	}
	var head struct {
		ModelType string `json:"model_type"`
	}
	if err := jsonpos.Unmarshal(raw, &head); err != nil {
		return Config{}, fmt.Errorf("arch: %s: %w", path, err)
	}
	var cfg Config
	switch head.ModelType {
	case "gpt2":
		var hc GPT2Config
		if err := jsonpos.Unmarshal(raw, &hc); err != nil {
			return Config{}, fmt.Errorf("arch: %s: %w", path, err)
		}
		cfg, err = hc.Config(path)
	case "roberta":
		var hc RoBERTaConfig
		if err := jsonpos.Unmarshal(raw, &hc); err != nil {
			return Config{}, fmt.Errorf("arch: %s: %w", path, err)
		}
		cfg, _, err = hc.Config(path, 0)
	case LoralabModelType:
		return weightsConfig(filepath.Join(dir, WeightsFile))
	default:
		return Config{}, fmt.Errorf("arch: %s: model_type %q: want \"gpt2\", \"roberta\" or %q", path, head.ModelType, LoralabModelType)
	}
	cfg.NumLabels = 0
	return cfg, err
}

// weightsConfig reads the config a loralab weights file keeps in its metadata.
func weightsConfig(path string) (Config, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return Config{}, fmt.Errorf("arch: %w", err)
	}
	raw, ok := f.Metadata()[ConfigKey]
	if !ok {
		return Config{}, fmt.Errorf("arch: %s: no %q in the metadata: not a loralab checkpoint", path, ConfigKey)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return Config{}, fmt.Errorf("arch: %s: metadata %q: %w", path, ConfigKey, err)
	}
	cfg.NumLabels = 0
	return cfg, nil
}

// GPT2Config is the part of a Hugging Face GPT-2 config.json that loralab uses.
type GPT2Config struct {
	VocabSize  *int     `json:"vocab_size"`
	NPositions *int     `json:"n_positions"`
	NEmbd      *int     `json:"n_embd"`
	NLayer     *int     `json:"n_layer"`
	NHead      *int     `json:"n_head"`
	NInner     *int     `json:"n_inner"` // null means 4 * n_embd
	Activation *string  `json:"activation_function"`
	LNEps      *float32 `json:"layer_norm_epsilon"`
	ResidPDrop *float32 `json:"resid_pdrop"`
}

// Config converts the HF fields into a decoder Config.
func (c GPT2Config) Config(path string) (Config, error) {
	if err := required(path, map[string]*int{"vocab_size": c.VocabSize, "n_positions": c.NPositions, "n_embd": c.NEmbd, "n_layer": c.NLayer, "n_head": c.NHead}); err != nil {
		return Config{}, err
	}
	act := OrDefault(c.Activation, "gelu_new")
	switch act {
	case "gelu_new", "gelu_pytorch_tanh", "gelu":
		act = "gelu" // loralab's gelu is the tanh approximation, GPT-2's gelu_new
	case "relu":
	default:
		return Config{}, fmt.Errorf("arch: %s: activation_function %q: want gelu_new or relu", path, act)
	}
	cfg := Config{
		Arch: Decoder, Vocab: *c.VocabSize, DModel: *c.NEmbd, Layers: *c.NLayer, Heads: *c.NHead,
		DFF: OrDefault(c.NInner, 4**c.NEmbd), MaxLen: *c.NPositions, Activation: act,
		LNEps: OrDefault(c.LNEps, 1e-5), Dropout: OrDefault(c.ResidPDrop, 0.1),
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("arch: %s: %w", path, err)
	}
	return cfg, nil
}

// RoBERTaConfig is the part of a Hugging Face RoBERTa config.json that loralab uses.
type RoBERTaConfig struct {
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

// Config converts the HF fields into an encoder Config with numLabels head outputs. RoBERTa
// numbers positions from pad_token_id+1, so the first pad_token_id+1 rows of its position
// table are never used by real tokens and max_len is that much smaller.
func (c RoBERTaConfig) Config(path string, numLabels int) (Config, int, error) {
	if err := required(path, map[string]*int{"vocab_size": c.VocabSize, "hidden_size": c.Hidden, "num_hidden_layers": c.Layers,
		"num_attention_heads": c.Heads, "intermediate_size": c.Intermediate, "max_position_embeddings": c.MaxPositions}); err != nil {
		return Config{}, 0, err
	}
	act := OrDefault(c.HiddenAct, "gelu")
	switch act {
	case "gelu", "gelu_new", "gelu_pytorch_tanh":
		act = "gelu" // loralab's gelu is the tanh approximation of RoBERTa's erf gelu
	case "relu":
	default:
		return Config{}, 0, fmt.Errorf("arch: %s: hidden_act %q: want gelu or relu", path, act)
	}
	offset := OrDefault(c.PadTokenID, 1) + 1
	cfg := Config{
		Arch: Encoder, Vocab: *c.VocabSize, DModel: *c.Hidden, Layers: *c.Layers, Heads: *c.Heads,
		DFF: *c.Intermediate, MaxLen: *c.MaxPositions - offset, Activation: act,
		LNEps: OrDefault(c.LNEps, 1e-5), Dropout: OrDefault(c.HiddenDropout, 0.1), NumLabels: numLabels,
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, 0, fmt.Errorf("arch: %s: %w", path, err)
	}
	return cfg, offset, nil
}

// folderFiles are the files of a model folder that Open may read: the weights, the config
// and the tokenizer in either layout.
var folderFiles = []string{ConfigFile, WeightsFile, TokenizerFile, "vocab.json", "merges.txt"}

// ModelFiles lists the files of the model folder dir that Open may read and that are
// present, in a fixed order: what identifies the model, where notes beside it (a
// PROVENANCE.md, the curve of its pretraining, kept checkpoints) do not count. A folder
// holding none of them is an error.
func ModelFiles(dir string) ([]string, error) {
	var paths []string
	for _, name := range folderFiles {
		path := filepath.Join(dir, name)
		info, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("arch: %w", err)
		}
		if !info.Mode().IsRegular() {
			return nil, fmt.Errorf("arch: %s is not a regular file", path)
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("arch: %s holds no model files (want %s)", dir, WeightsFile)
	}
	return paths, nil
}

// OrDefault returns *p, or def when p is nil.
func OrDefault[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// required checks that the named config fields are present.
func required(path string, fields map[string]*int) error {
	var missing []string
	for name, p := range fields {
		if p == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("arch: %s: missing %s", path, strings.Join(missing, ", "))
	}
	return nil
}
