package lora

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// PEFT weight-key layout: base_model.model.<module>.lora_A.weight [r, in] and
// ...lora_B.weight [out, r] for a Linear; base_model.model.<embedding>.lora_embedding_A
// [r, vocab] and ...lora_embedding_B [d, r] for the embedding; base_model.model.<head>.<layer>.weight
// and .bias for the trained head of modules_to_save. <module> is loralab's module path
// (blocks.3.attn.q) for a model of its own and the Hugging Face path (roberta.encoder.layer.3.
// attention.self.query, transformer.h.3.attn.c_attn) for one imported from a Hugging Face
// folder (model.Origin).
const (
	peftPrefix = "base_model.model."
	peftA      = ".lora_A.weight"
	peftB      = ".lora_B.weight"
	peftEmbA   = ".lora_embedding_A"
	peftEmbB   = ".lora_embedding_B"
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

// embTensors lists the embedding update's tensors with their PEFT keys, or none.
func (l *LoRA) embTensors() []peftTensor {
	e := l.emb
	if e == nil {
		return nil
	}
	t, _ := target.Lookup(target.Emb)
	key := peftPrefix + pathIn(t, familyOf(l.model), 0)
	r, vocab := e.A.Shape[1], e.A.Shape[0]
	return []peftTensor{
		{key: key + peftEmbA, t: e.A, shape: []int{r, vocab}, transposed: true},
		{key: key + peftEmbB, t: e.B, shape: slices.Clone(e.B.Shape)},
	}
}

// headTensors lists the tensors of the model's classification head under the names of
// modules_to_save, or none when the model has no head.
func headTensors(m *model.Model) []peftTensor {
	if m == nil || m.Head == nil {
		return nil
	}
	h := headNamesOf(familyOf(m))
	var ts []peftTensor
	for _, part := range []struct {
		name string
		l    *model.Linear
	}{{h.dense, m.Head.Dense}, {h.out, m.Head.Out}} {
		key := peftPrefix + h.module + "." + part.name
		ts = append(ts,
			peftTensor{key: key + ".weight", t: part.l.W, shape: slices.Clone(part.l.W.Shape)},
			peftTensor{key: key + ".bias", t: part.l.B, shape: slices.Clone(part.l.B.Shape)})
	}
	return ts
}

// headNames are the module names of an encoder's classification head.
type headNames struct{ module, dense, out string }

// headNamesOf gives the head's names in a model of the family: RoBERTa's classifier.dense
// and classifier.out_proj, loralab's head.dense and head.out.
func headNamesOf(family string) headNames {
	if family == model.FamilyRoBERTa {
		return headNames{"classifier", "dense", "out_proj"}
	}
	return headNames{"head", "dense", "out"}
}

// ExportPEFT writes l as a PEFT LoRA adapter folder: dir/adapter_model.safetensors with the
// factors A and B (float32) and the model's classification head, if any, and
// dir/adapter_config.json. On a model imported from Hugging Face the keys are that model's
// module paths, so that PEFT loads the adapter onto the checkpoint it came from, and an
// empty opts.BaseModel takes that checkpoint's name. dir is created if needed; both files
// are written atomically.
func (l *LoRA) ExportPEFT(dir string, opts ExportOptions) error {
	if l.model == nil {
		return fmt.Errorf("lora: export %s: not applied to a model", l.spec.Label())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	var named []safetensors.Named
	add := func(key string, shape []int, data []float32) {
		named = append(named, safetensors.Named{Name: key, Shape: shape, DType: safetensors.F32, Data: data})
	}
	for _, p := range l.embTensors() {
		data := p.t.Data
		if p.transposed {
			data = transpose(data, p.t.Shape[0], p.t.Shape[1])
		}
		add(p.key, p.shape, data)
	}
	for _, p := range l.peftModules(false) {
		a, b := p.pack()
		add(peftPrefix+p.path+peftA, []int{p.rank, p.in}, a)
		add(peftPrefix+p.path+peftB, []int{p.out, p.rank}, b)
	}
	for _, p := range headTensors(l.model) {
		add(p.key, p.shape, p.t.Data)
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
// shape) and nothing else LoRA-like, loads the factors and installs the updates. Keys are
// read under m's module paths (loralab's, or its Hugging Face checkpoint's: model.Origin).
// A trained head saved in modules_to_save is loaded into m.Head (attached if m has none or
// one of another size). m is frozen; on error no update is installed.
func ImportPEFT(dir string, m *model.Model) (*LoRA, error) {
	src, err := openPEFT(dir, m)
	if err != nil {
		return nil, err
	}
	l, err := New(src.spec)
	if err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", dir, err)
	}
	if err := l.build(m, 0); err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", dir, err)
	}
	if err := l.loadPEFTWeights(src, true); err != nil {
		return nil, err
	}
	l.install()
	return l, nil
}

// peftSource is a PEFT folder read for one model: its configuration, its weight file and
// the setting they describe on that model.
type peftSource struct {
	cfg  PEFTConfig
	f    *safetensors.File
	path string // of the weight file
	spec method.Spec
	// general marks a GPT-2 c_attn LoRA of rank r with a dense B: q, k and v share its A.
	general bool
}

// openPEFT reads dir's configuration and weights and the setting they describe on m.
func openPEFT(dir string, m *model.Model) (*peftSource, error) {
	cfg, err := ReadPEFTConfig(dir)
	if err != nil {
		return nil, err
	}
	src := &peftSource{cfg: cfg, path: filepath.Join(dir, PEFTWeightsFile)}
	if src.f, err = safetensors.Read(src.path); err != nil {
		return nil, fmt.Errorf("lora: import: %w", err)
	}
	if src.spec, src.general, err = cfg.specOn(m, src.f); err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", filepath.Join(dir, PEFTConfigFile), err)
	}
	return src, nil
}

// loadPEFTWeights copies the factors of a PEFT weight file into l's tensors and, when head
// is true, the trained head into l's model.
func (l *LoRA) loadPEFTWeights(src *peftSource, head bool) error {
	known := map[string]bool{}
	var errs []error
	for _, p := range l.embTensors() {
		known[p.key] = true
		data, err := src.f.Float32(p.key, p.shape)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.transposed {
			data = transpose(data, p.shape[0], p.shape[1])
		}
		copy(p.t.Data, data)
	}
	for _, p := range l.peftModules(src.general) {
		keyA, keyB := peftPrefix+p.path+peftA, peftPrefix+p.path+peftB
		known[keyA], known[keyB] = true, true
		a, errA := src.f.Float32(keyA, []int{p.rank, p.in})
		b, errB := src.f.Float32(keyB, []int{p.out, p.rank})
		if err := errors.Join(errA, errB); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := p.unpack(a, b, fmt.Sprintf("%s: %s", src.path, keyB)); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range src.f.Names() {
		if strings.Contains(name, ".lora_") && !known[name] {
			errs = append(errs, fmt.Errorf("%s: tensor %q is not part of the adapter that %s describes (%s)",
				src.path, name, PEFTConfigFile, l.spec.Label()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lora: import: %w", err)
	}
	if head {
		if err := loadHead(l.model, src); err != nil {
			return fmt.Errorf("lora: import: %w", err)
		}
	}
	return nil
}

// loadHead loads the classification head the weight file saves in modules_to_save, if it
// does, into m, attaching a head of the saved size where m has none or another, and
// freezes it like the rest of m.
func loadHead(m *model.Model, src *peftSource) error {
	h := headNamesOf(familyOf(m))
	outKey := peftPrefix + h.module + "." + h.out + ".weight"
	info, ok := src.f.Info(outKey)
	if !ok {
		return nil
	}
	if len(info.Shape) != 2 {
		return fmt.Errorf("%s: %s is %v, want [labels, %d]", src.path, outKey, info.Shape, m.Cfg.DModel)
	}
	if m.Head == nil || m.Head.Out.Out() != info.Shape[0] {
		if err := m.AttachHead(info.Shape[0], 0); err != nil {
			return fmt.Errorf("%s: %s: %w", src.path, outKey, err)
		}
	}
	var errs []error
	for _, p := range headTensors(m) {
		data, err := src.f.Float32(p.key, p.shape)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		copy(p.t.Data, data)
	}
	m.Freeze()
	return errors.Join(errs...)
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
