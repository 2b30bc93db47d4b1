package model

import (
	"encoding/json"
	"fmt"
	"loralab/model/arch"
	"path/filepath"
)

// Families of Hugging Face checkpoints a model can come from (Origin.Family).
const (
	FamilyRoBERTa = "roberta"
	FamilyGPT2    = "gpt2"
)

// OriginKey is the checkpoint metadata key that keeps a model's Origin across Save and Load,
// so that a base cached by a sweep still exports adapters under its Hugging Face names.
const OriginKey = "loralab.origin"

// Origin says which Hugging Face checkpoint a model was imported from: its architecture
// family (FamilyRoBERTa or FamilyGPT2) and its name, the config's _name_or_path or else the
// folder's name. Adapter exports use it for PEFT's module paths and base_model_name_or_path.
type Origin struct {
	Family string `json:"family"`
	Name   string `json:"name"`
}

// readOrigin returns the origin of the Hugging Face folder dir of the given family: its name
// is config.json's _name_or_path when set, the folder's base name otherwise.
func readOrigin(dir, family string) (*Origin, error) {
	var c struct {
		NameOrPath string `json:"_name_or_path"`
	}
	if err := readJSON(filepath.Join(dir, arch.ConfigFile), &c); err != nil {
		return nil, err
	}
	name := c.NameOrPath
	if name == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("model: origin of %s: %w", dir, err)
		}
		name = filepath.Base(abs)
	}
	return &Origin{Family: family, Name: name}, nil
}

// originMeta adds m's origin, if any, to checkpoint metadata.
func originMeta(m *Model, meta map[string]string) {
	if m.Origin == nil {
		return
	}
	b, err := json.Marshal(m.Origin)
	if err != nil {
		panic(fmt.Sprintf("model: origin is plain data: %v", err)) // cannot happen
	}
	meta[OriginKey] = string(b)
}

// originFromMeta reads the origin a checkpoint's metadata records, or nil if none.
func originFromMeta(path string, meta map[string]string) (*Origin, error) {
	raw, ok := meta[OriginKey]
	if !ok {
		return nil, nil
	}
	var o Origin
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return nil, fmt.Errorf("model: load %s: metadata %q: %w", path, OriginKey, err)
	}
	if o.Family != FamilyRoBERTa && o.Family != FamilyGPT2 {
		return nil, fmt.Errorf("model: load %s: metadata %q: family %q, want %q or %q", path, OriginKey, o.Family, FamilyRoBERTa, FamilyGPT2)
	}
	return &o, nil
}

// copyOrigin returns a copy of o, or nil.
func copyOrigin(o *Origin) *Origin {
	if o == nil {
		return nil
	}
	c := *o
	return &c
}
