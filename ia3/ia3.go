// Package ia3 is (IA)³, "Infused Adapter by Inhibiting and Amplifying Inner Activations" (Liu et
// al., 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than In-Context
// Learning"): the frozen model's keys, values and MLP activations are rescaled elementwise by
// learned vectors,
//
//	k = l_k ⊙ (W_k x + b_k),   v = l_v ⊙ (W_v x + b_v),   h = W_2 (l_ff ⊙ γ(W_1 x + b_1)) + b_2,
//
// each vector initialised to 1 so that the adapted model starts equal to the base. That is
// d + d + d_ff parameters per block. l_k and l_v scale the whole output of K and V, bias
// included, and l_ff the input of the MLP's second layer, as Hugging Face PEFT's IA3 does
// with feedforward_modules = the second layer; all three fold into the base weights (Merge).
package ia3

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"loralab/internal/atomicfile"
	"loralab/model/safetensors"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// Name is (IA)³'s name in sweep files.
const Name = "ia3"

// sites are the matrices (IA)³ rescales and where, in block order.
var sites = []struct {
	target string
	site   model.ScaleSite
}{{"k", model.ScaleOutput}, {"v", model.ScaleOutput}, {"fc2", model.ScaleInput}}

func init() { tuner.Register(Kind, New) }

// Kind describes (IA)³: no keys (its targets are fixed by the paper), L (2d + d_ff)
// parameters.
var Kind = method.Kind{
	Name: Name, Order: 95,
	Params: func(s method.Spec, d method.Dims) int {
		n := 0
		for _, st := range sites {
			t, _ := target.Lookup(st.target)
			in, out := t.Shape(d.DModel, d.DFF, d.Vocab)
			if st.site == model.ScaleInput {
				n += in
			} else {
				n += out
			}
		}
		return n * d.Layers
	},
	PEFT:      peftFields,
	Mergeable: true,
}

// peftFields are the fields of PEFT's adapter_config.json for (IA)³ on loralab's modules.
func peftFields(method.Spec) map[string]any {
	var modules, ff []string
	for _, st := range sites {
		t, _ := target.Lookup(st.target)
		modules = append(modules, t.Suffix())
		if st.site == model.ScaleInput {
			ff = append(ff, t.Suffix())
		}
	}
	return map[string]any{"peft_type": "IA3", "target_modules": modules, "feedforward_modules": ff,
		"init_ia3_weights": true, "fan_in_fan_out": false}
}

// IA3 is the method; it implements tuner.Method.
type IA3 struct {
	spec   method.Spec
	model  *model.Model
	scales []*scale
	saved  [][]float32 // while merged: each scaled layer's weight, then bias (nil if none)
}

// scale is one learned vector, a model.Scale of its layer.
type scale struct {
	layer *model.Linear
	site  model.ScaleSite
	v     *nn.Tensor // named <layer>.ia3_l
}

func (s *scale) Site() model.ScaleSite { return s.site }

func (s *scale) Factors(*nn.Tape, *model.Linear, *model.Context) *nn.Tensor { return s.v }

// New returns (IA)³ for spec, not yet applied.
func New(spec method.Spec) (tuner.Method, error) {
	if err := spec.Validate(method.AnyModel); err != nil {
		return nil, fmt.Errorf("ia3: %w", err)
	}
	return &IA3{spec: spec}, nil
}

// Spec is the setting the method was built from.
func (a *IA3) Spec() method.Spec { return a.spec }

// Slots is zero: (IA)³ adds no positions.
func (a *IA3) Slots() (prefix, infix int) { return 0, 0 }

// Apply freezes m and installs a vector of ones on K's and V's outputs and on the MLP's second
// layer's input in every block.
func (a *IA3) Apply(m *model.Model, seed uint64) error {
	if m == nil {
		return errors.New("ia3: apply to a nil model")
	}
	if a.model != nil {
		return errors.New("ia3: already applied to a model; build a new one with New")
	}
	if err := a.spec.Validate(arch.DimsOf(m.Cfg)); err != nil {
		return fmt.Errorf("ia3: apply: %w", err)
	}
	m.Freeze()
	for _, b := range m.Blocks {
		for _, st := range sites {
			l, err := b.Matrix(st.target)
			if err != nil {
				return fmt.Errorf("ia3: apply: %w", err)
			}
			n := l.Out()
			if st.site == model.ScaleInput {
				n = l.In()
			}
			s := &scale{layer: l, site: st.site, v: nn.NewParam(l.Name+".ia3_l", n)}
			for i := range s.v.Data {
				s.v.Data[i] = 1
			}
			a.scales = append(a.scales, s)
		}
	}
	for _, s := range a.scales {
		s.layer.Scales = append(s.layer.Scales, s)
	}
	a.model = m
	return nil
}

// Trainable lists the vectors, block by block: l_k, l_v, l_ff.
func (a *IA3) Trainable() []*nn.Tensor {
	var ts []*nn.Tensor
	for _, s := range a.scales {
		ts = append(ts, s.v)
	}
	return ts
}

// Merge folds every vector into its layer's weights (and, for K and V, biases) and takes the
// scales out, so that inference costs what the base costs. Unmerge restores the weights
// exactly.
func (a *IA3) Merge() error {
	if a.model == nil || a.saved != nil {
		return errors.New("ia3: merge: not applied, or already merged")
	}
	for _, s := range a.scales {
		a.saved = append(a.saved, slices.Clone(s.layer.W.Data), biasOf(s.layer))
		s.layer.FoldScale(s.site, s.v.Data)
		s.layer.Scales = slices.DeleteFunc(s.layer.Scales, func(x model.Scale) bool { return x == model.Scale(s) })
	}
	return nil
}

// Unmerge restores the weights Merge changed and puts the scales back.
func (a *IA3) Unmerge() error {
	if a.saved == nil {
		return errors.New("ia3: unmerge: not merged")
	}
	for i, s := range a.scales {
		copy(s.layer.W.Data, a.saved[2*i])
		if b := a.saved[2*i+1]; b != nil {
			copy(s.layer.B.Data, b)
		}
		s.layer.Scales = append(s.layer.Scales, s)
	}
	a.saved = nil
	return nil
}

// peftKey is the PEFT weight key of a vector: base_model.model.<module>.ia3_l.
func peftKey(s *scale) string { return "base_model.model." + s.v.Name }

// peftShape is the shape PEFT stores a vector in: [1, in] for a feed-forward (input) scale,
// [out, 1] for an output scale.
func peftShape(s *scale) []int {
	if s.site == model.ScaleInput {
		return []int{1, s.v.Len()}
	}
	return []int{s.v.Len(), 1}
}

// ExportPEFT writes the method as a Hugging Face PEFT IA3 adapter folder: the vectors in
// dir/adapter_model.safetensors under PEFT's keys and shapes, and dir/adapter_config.json
// with the fields Kind.PEFT gives. It makes IA3 a tuner.PEFTExporter, so that every run
// leaves its adapter in its folder.
func (a *IA3) ExportPEFT(dir string, opts tuner.ExportOptions) error {
	if a.model == nil {
		return errors.New("ia3: export: not applied to a model")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("ia3: export: %w", err)
	}
	var named []safetensors.Named
	for _, s := range a.scales {
		named = append(named, safetensors.Named{Name: peftKey(s), Shape: peftShape(s), DType: safetensors.F32, Data: s.v.Data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, tuner.PEFTWeightsFile), named, map[string]string{"format": "pt"}); err != nil {
		return fmt.Errorf("ia3: export: %w", err)
	}
	cfg := peftFields(a.spec)
	cfg["task_type"], cfg["base_model_name_or_path"], cfg["inference_mode"] = opts.TaskType, opts.BaseModel, true
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err == nil {
		err = atomicfile.WriteFile(filepath.Join(dir, tuner.PEFTConfigFile), append(data, '\n'))
	}
	if err != nil {
		return fmt.Errorf("ia3: export: %w", err)
	}
	return nil
}

// ImportPEFT applies the PEFT IA3 adapter folder dir to m: it checks that adapter_config.json
// describes (IA)³ on the modules this package scales (peft_type IA3, target_modules k, v, fc2
// with fc2 feed-forward), then loads every vector, checking its key and shape. A weight file
// that fails those checks leaves m with the vectors installed: discard it.
func ImportPEFT(dir string, m *model.Model) (*IA3, error) {
	data, err := os.ReadFile(filepath.Join(dir, tuner.PEFTConfigFile))
	if err != nil {
		return nil, fmt.Errorf("ia3: import: %w", err)
	}
	var cfg struct {
		PEFTType      string   `json:"peft_type"`
		TargetModules []string `json:"target_modules"`
		FeedForward   []string `json:"feedforward_modules"`
		FanInFanOut   bool     `json:"fan_in_fan_out"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("ia3: import %s: %w", dir, err)
	}
	want := peftFields(method.Spec{Name: Name})
	switch {
	case cfg.PEFTType != "IA3":
		return nil, fmt.Errorf("ia3: import %s: peft_type %q, want \"IA3\"", dir, cfg.PEFTType)
	case !sameSet(cfg.TargetModules, want["target_modules"].([]string)) || !sameSet(cfg.FeedForward, want["feedforward_modules"].([]string)):
		return nil, fmt.Errorf("ia3: import %s: target_modules %v, feedforward_modules %v; want %v and %v", dir,
			cfg.TargetModules, cfg.FeedForward, want["target_modules"], want["feedforward_modules"])
	case cfg.FanInFanOut:
		return nil, fmt.Errorf("ia3: import %s: fan_in_fan_out true, want false (weights stored [out, in])", dir)
	}
	meth, err := New(method.Spec{Name: Name})
	if err != nil {
		return nil, err
	}
	a := meth.(*IA3)
	if err := a.Apply(m, 0); err != nil {
		return nil, err
	}
	f, err := safetensors.Read(filepath.Join(dir, tuner.PEFTWeightsFile))
	if err != nil {
		return nil, fmt.Errorf("ia3: import: %w", err)
	}
	for _, s := range a.scales {
		v, err := f.Float32(peftKey(s), peftShape(s))
		if err != nil {
			return nil, fmt.Errorf("ia3: import %s: %w", dir, err)
		}
		copy(s.v.Data, v)
	}
	return a, nil
}

// sameSet says whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// biasOf is a copy of l's bias, nil when it has none.
func biasOf(l *model.Linear) []float32 {
	if l.B == nil {
		return nil
	}
	return slices.Clone(l.B.Data)
}
