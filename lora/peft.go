package lora

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/model"
	"loralab/model/safetensors"
	"loralab/nn"
	"loralab/tuner"
)

// PEFT weight-key layout: base_model.model.<module>.lora_A.weight [r, in] and
// ...lora_B.weight [out, r] for a Linear; base_model.model.tok_emb.lora_embedding_A [r, vocab]
// and ...lora_embedding_B [d, r] for the embedding.
const (
	peftPrefix = "base_model.model."
	peftA      = ".lora_A.weight"
	peftB      = ".lora_B.weight"
	peftEmbA   = "tok_emb.lora_embedding_A"
	peftEmbB   = "tok_emb.lora_embedding_B"
)

// ExportOptions fill the descriptive fields of adapter_config.json (tuner.ExportOptions).
type ExportOptions = tuner.ExportOptions

// peftTensor is one tensor of the PEFT file and the LoRA tensor it holds. transposed marks
// the embedding's A, which loralab stores as [vocab, r] and PEFT as [r, vocab].
type peftTensor struct {
	key        string
	t          *nn.Tensor
	shape      []int // shape in the file
	transposed bool
}

// peftTensors lists the tensors of l with their PEFT keys, in Trainable order.
func (l *LoRA) peftTensors() []peftTensor {
	var ts []peftTensor
	if e := l.emb; e != nil {
		r, vocab := e.A.Shape[1], e.A.Shape[0]
		ts = append(ts,
			peftTensor{key: peftPrefix + peftEmbA, t: e.A, shape: []int{r, vocab}, transposed: true},
			peftTensor{key: peftPrefix + peftEmbB, t: e.B, shape: slices.Clone(e.B.Shape)})
	}
	for _, d := range l.linears {
		ts = append(ts,
			peftTensor{key: peftPrefix + d.Target.Name + peftA, t: d.A, shape: slices.Clone(d.A.Shape)},
			peftTensor{key: peftPrefix + d.Target.Name + peftB, t: d.B, shape: slices.Clone(d.B.Shape)})
	}
	return ts
}

// ExportPEFT writes l as a PEFT LoRA adapter folder: dir/adapter_model.safetensors with the
// factors A and B (float32) and dir/adapter_config.json. dir is created if needed; both files
// are written atomically.
func (l *LoRA) ExportPEFT(dir string, opts ExportOptions) error {
	if l.model == nil {
		return fmt.Errorf("lora: export %s: not applied to a model", l.spec.Label())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	var named []safetensors.Named
	for _, p := range l.peftTensors() {
		data := p.t.Data
		if p.transposed {
			data = transpose(data, p.t.Shape[0], p.t.Shape[1])
		}
		named = append(named, safetensors.Named{Name: p.key, Shape: p.shape, DType: safetensors.F32, Data: data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, PEFTWeightsFile), named, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	cfg, err := json.MarshalIndent(l.peftConfig(opts), "", "  ")
	if err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, PEFTConfigFile), append(cfg, '\n')); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	return nil
}

// ImportPEFT reads the PEFT LoRA adapter folder dir and applies it to m: it builds the
// setting that adapter_config.json describes, checks that the weight file holds every
// factor with the shape m implies (errors name the key and give the expected and found
// shape) and nothing else LoRA-like, loads the factors and installs the updates. Tensors
// without ".lora_" in their key (a trained head listed in modules_to_save) are not read. m
// is frozen; on error no update is installed.
func ImportPEFT(dir string, m *model.Model) (*LoRA, error) {
	l, err := newFromPEFT(dir)
	if err != nil {
		return nil, err
	}
	if err := l.build(m, 0); err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", dir, err)
	}
	if err := l.loadPEFTWeights(filepath.Join(dir, PEFTWeightsFile)); err != nil {
		return nil, err
	}
	l.install()
	return l, nil
}

// newFromPEFT builds, unapplied, the LoRA that dir's adapter_config.json describes.
func newFromPEFT(dir string) (*LoRA, error) {
	cfg, err := ReadPEFTConfig(dir)
	if err != nil {
		return nil, err
	}
	spec, err := cfg.Spec()
	if err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", filepath.Join(dir, PEFTConfigFile), err)
	}
	l, err := New(spec)
	if err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", filepath.Join(dir, PEFTConfigFile), err)
	}
	return l, nil
}

// loadPEFTWeights copies the factors of a PEFT weight file into l's tensors.
func (l *LoRA) loadPEFTWeights(path string) error {
	f, err := safetensors.Read(path)
	if err != nil {
		return fmt.Errorf("lora: import: %w", err)
	}
	tensors := l.peftTensors()
	var errs []error
	for _, p := range tensors {
		data, err := f.Float32(p.key, p.shape)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.transposed {
			data = transpose(data, p.shape[0], p.shape[1])
		}
		copy(p.t.Data, data)
	}
	for _, name := range f.Names() {
		if strings.Contains(name, ".lora_") && !slices.ContainsFunc(tensors, func(p peftTensor) bool { return p.key == name }) {
			errs = append(errs, fmt.Errorf("%s: tensor %q is not part of the adapter that %s describes (%s)",
				path, name, PEFTConfigFile, l.spec.Label()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lora: import: %w", err)
	}
	return nil
}

// transpose returns the [cols, rows] transpose of the row-major [rows, cols] matrix x.
func transpose(x []float32, rows, cols int) []float32 {
	out := make([]float32, len(x))
	for i := range rows {
		for j := range cols {
			out[j*rows+i] = x[i*cols+j]
		}
	}
	return out
}

// writeFileAtomic writes data to a temporary file next to path and renames it over path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
