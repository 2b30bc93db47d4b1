package lora

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"loralab/model/safetensors"
	"loralab/model/target"
)

// peftModules are the target_modules of a target set, in model order.
func peftModules(targets []string) []string {
	var out []string
	for _, t := range target.All() {
		if slices.Contains(targets, t.Name) {
			out = append(out, t.Suffix())
		}
	}
	return out
}

// remarshal copies the fields of f into the struct c through JSON.
func remarshal(f map[string]any, c any) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, c)
}

// writePEFT writes a PEFT adapter folder: the tensors as float32 safetensors and the config.
func writePEFT(dir string, tensors []peftTensor, config any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	var named []safetensors.Named
	for _, p := range tensors {
		named = append(named, safetensors.Named{Name: p.key, Shape: p.shape, DType: safetensors.F32, Data: p.t.Data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, PEFTWeightsFile), named, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	cfg, err := json.MarshalIndent(config, "", "  ")
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, PEFTConfigFile), append(cfg, '\n'))
	}
	if err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	return nil
}

// readPEFT copies every tensor from a PEFT weight file, checking each key and shape.
func readPEFT(path string, tensors []peftTensor) error {
	f, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("lora: import: %w", err)
	}
	var errs []error
	for _, p := range tensors {
		data, err := f.Float32(p.key, p.shape)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		copy(p.t.Data, data)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lora: import: %w", err)
	}
	return nil
}
