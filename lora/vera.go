package lora

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// VeRA is vector-based random matrix adaptation (Kopiczko et al., 2024): every adapted
// matrix W0 (d_out x d_in) gains
//
//	ΔW = diag(b) B diag(d) A,   h = W0 x + b ⊙ (B (d ⊙ (A x))),
//
// where A (r x d_in) and B (d_out x r) are frozen random projections shared by all adapted
// layers, and only the vectors b (d_out, zero at the start, so the model starts equal to the
// base) and d (r, d_initial, 0.1 by default) train: d_out + r parameters per matrix against
// LoRA's r·(d_in + d_out). As in PEFT, one pair vera_A [r, max d_in] and vera_B [max d_out,
// r] is drawn (Kaiming-uniform, from the run's seed), and a layer uses its top-left corner
// A[:, :d_in] and B[:d_out, :]: layers of one shape share the same matrices. The update is a
// model.Delta; Merge folds it into W exactly as LoRA's.
type VeRA struct {
	spec    method.Spec
	seed    uint64
	model   *model.Model
	a, b    *nn.Tensor // the shared projections vera_A [r, maxIn], vera_B [maxOut, r]
	linears []*veraLinear
	frozen  []*nn.Tensor // the projections of each shape, in order of first use
	merged  []folded
}

// veraLinear is the VeRA update of one Linear, a model.Delta.
type veraLinear struct {
	target           *model.Linear
	a, b             *nn.Tensor // A[:, :in] and B[:out, :], shared by the layers of one shape
	lambdaB, lambdaD *nn.Tensor // b [out] and d [r], named <layer>.vera_lambda_b and _d
	dropout          float32
	site             uint64
}

// VeRA's tensor names, and its default d_initial (PEFT's).
const (
	veraAName       = "vera_A"
	veraBName       = "vera_B"
	veraLambdaB     = ".vera_lambda_b"
	veraLambdaD     = ".vera_lambda_d"
	veraDInitial    = 0.1
	veraProjections = 0x76657261 // "vera": the generator stream of the projections
)

var keyDInitial = method.Key{Name: "d_initial", Type: method.Float, Doc: "VeRA: initial value of d (0 = 0.1)"}

func init() {
	tuner.Register(VeRAKind, func(s method.Spec) (tuner.Method, error) { return NewVeRA(s) })
}

// VeRAKind describes VeRA to the sweep parser and the reports: d_out + r parameters per
// adapted matrix, on the Linear targets.
var VeRAKind = method.Kind{
	Name: "vera", Order: 92,
	Keys: []method.Key{method.KeyRank, method.KeyTargets, method.KeyLayers, method.KeyDropout, keyDInitial},
	Size: "rank", Defaults: defaultTargets,
	Params: func(s method.Spec, d method.Dims) int {
		return perMatrix(s, d, func(_, out int) int { return out + s.Rank })
	},
	Label: func(s method.Spec) string { return fmt.Sprintf("vera r=%d %s", s.Rank, strings.Join(s.Targets, ",")) },
	Check: func(s method.Spec, d method.Dims) []method.Problem {
		ps := needTargets(s, d)
		if slices.Contains(s.Targets, target.Emb) {
			ps = append(ps, method.Problem{Key: "targets", Msg: "vera adapts Linear targets only, not emb"})
		}
		return ps
	},
	PEFT: func(s method.Spec) map[string]any {
		f := map[string]any{"peft_type": "VERA", "r": s.Rank, "target_modules": peftModules(s.Targets),
			"vera_dropout": s.Dropout, "d_initial": dInitial(s), "save_projection": true}
		if len(s.Layers) > 0 {
			f["layers_to_transform"], f["layers_pattern"] = slices.Sorted(slices.Values(s.Layers)), "blocks"
		}
		return f
	},
	Mergeable: true,
}

// dInitial is the setting's initial d, 0.1 when unset.
func dInitial(s method.Spec) float64 {
	if v := s.Opts[keyDInitial.Name]; v > 0 {
		return v
	}
	return veraDInitial
}

// NewVeRA returns a VeRA method for spec, not yet applied to a model.
func NewVeRA(spec method.Spec) (*VeRA, error) {
	if spec.Name != VeRAKind.Name {
		return nil, fmt.Errorf("lora: method %q, want %q", spec.Name, VeRAKind.Name)
	}
	if err := spec.Validate(method.AnyModel); err != nil {
		return nil, fmt.Errorf("lora: %w", err)
	}
	return &VeRA{spec: spec}, nil
}

// Spec is the setting the method was built from.
func (v *VeRA) Spec() method.Spec { return v.spec }

// Slots is zero: VeRA adds no positions.
func (v *VeRA) Slots() (prefix, infix int) { return 0, 0 }

// Trainable lists b and d of every adapted matrix, in model order.
func (v *VeRA) Trainable() []*nn.Tensor {
	var ts []*nn.Tensor
	for _, d := range v.linears {
		ts = append(ts, d.lambdaB, d.lambdaD)
	}
	return ts
}

// Apply freezes m, draws the shared projections from seed, creates b = 0 and d = d_initial
// for every target in the chosen layers and installs the updates as Deltas.
func (v *VeRA) Apply(m *model.Model, seed uint64) error {
	if err := v.build(m, seed); err != nil {
		return err
	}
	for _, d := range v.linears {
		d.target.Deltas = append(d.target.Deltas, d)
	}
	return nil
}

// build checks the setting against m, freezes m and creates the tensors without installing
// them.
func (v *VeRA) build(m *model.Model, seed uint64) error {
	if m == nil {
		return errors.New("lora: vera: apply to a nil model")
	}
	if v.model != nil {
		return fmt.Errorf("lora: %s is already applied to a model", v.spec.Label())
	}
	if err := v.spec.Validate(arch.DimsOf(m.Cfg)); err != nil {
		return fmt.Errorf("lora: apply: %w", err)
	}
	m.Freeze()
	r := v.spec.Rank
	maxIn, maxOut := 0, 0
	for _, b := range m.Blocks {
		if len(v.spec.Layers) > 0 && !slices.Contains(v.spec.Layers, b.Index) {
			continue
		}
		for i, t := range target.All() {
			if !t.PerLayer || !slices.Contains(v.spec.Targets, t.Name) {
				continue
			}
			lin, err := b.Matrix(t.Name)
			if err != nil {
				return fmt.Errorf("lora: apply: %w", err)
			}
			d := &veraLinear{target: lin, dropout: float32(v.spec.Dropout), site: dropoutLabel(b.Index, i-1),
				lambdaB: nn.NewParam(lin.Name+veraLambdaB, lin.Out()), lambdaD: nn.NewParam(lin.Name+veraLambdaD, r)}
			for j := range d.lambdaD.Data {
				d.lambdaD.Data[j] = float32(dInitial(v.spec))
			}
			maxIn, maxOut = max(maxIn, lin.In()), max(maxOut, lin.Out())
			v.linears = append(v.linears, d)
		}
	}
	v.a, v.b = nn.New(r, maxIn), nn.New(maxOut, r)
	v.a.Name, v.b.Name = veraAName, veraBName
	rng := rand.New(rand.NewPCG(seed, veraProjections))
	for _, p := range []*nn.Tensor{v.a, v.b} {
		bound := kaimingBound(p.Shape[1])
		for i := range p.Data {
			p.Data[i] = float32(bound * (2*rng.Float64() - 1))
		}
	}
	v.project()
	v.model, v.seed = m, seed
	return nil
}

// project gives every update the corners of the shared projections for its shape, one copy
// per shape, named vera_A.<d_in> and vera_B.<d_out>.
func (v *VeRA) project() {
	as, bs := map[int]*nn.Tensor{}, map[int]*nn.Tensor{}
	r, maxIn := v.a.Shape[0], v.a.Shape[1]
	v.frozen = nil
	for _, d := range v.linears {
		in, out := d.target.In(), d.target.Out()
		if as[in] == nil {
			as[in] = nn.New(r, in)
			as[in].Name = fmt.Sprintf("%s.%d", veraAName, in)
			for k := range r {
				copy(as[in].Data[k*in:(k+1)*in], v.a.Data[k*maxIn:k*maxIn+in])
			}
			v.frozen = append(v.frozen, as[in])
		}
		if bs[out] == nil {
			bs[out] = nn.New(out, r)
			bs[out].Name = fmt.Sprintf("%s.%d", veraBName, out)
			copy(bs[out].Data, v.b.Data[:out*r])
			v.frozen = append(v.frozen, bs[out])
		}
		d.a, d.b = as[in], bs[out]
	}
}

// Frozen lists the projections the updates use, one pair per shape: tensors VeRA does not
// train but a checkpoint must keep (the registry's tuner.FrozenKeeper), so that loading does
// not depend on drawing them again from the same seed.
func (v *VeRA) Frozen() []*nn.Tensor { return slices.Clone(v.frozen) }

// Forward computes b ⊙ (B (d ⊙ (A dropout(x)))) for x [N, d_in]: three thin steps, never
// forming ΔW.
func (d *veraLinear) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	if ctx != nil && ctx.Train && d.dropout > 0 {
		x = t.Dropout(x, d.dropout, model.SubSeed(ctx.Seed, d.site))
	}
	u := t.MulVec(t.Linear(x, d.a, nil), d.lambdaD)
	return t.MulVec(t.Linear(u, d.b, nil), d.lambdaB)
}

// delta returns ΔW = diag(b) B diag(d) A [out, in].
func (d *veraLinear) delta() *nn.Tensor {
	out, r := d.b.Shape[0], d.b.Shape[1]
	bd := nn.New(out, r)
	for o := range out {
		for k := range r {
			bd.Data[o*r+k] = d.lambdaB.Data[o] * d.b.Data[o*r+k] * d.lambdaD.Data[k]
		}
	}
	return nn.MatMul(bd, d.a, false, false)
}

// Merge folds every update into its weight, W ← W0 + diag(b) B diag(d) A, and takes it out
// of the layer; Unmerge restores W0 bit for bit from a copy.
func (v *VeRA) Merge() error {
	if v.model == nil || v.merged != nil {
		return fmt.Errorf("lora: merge %s: not applied, or already merged", v.spec.Label())
	}
	targets, deltas := make([]*model.Linear, len(v.linears)), make([]model.Delta, len(v.linears))
	for i, d := range v.linears {
		targets[i], deltas[i] = d.target, d
	}
	v.merged = fold(targets, deltas, func(i int) {
		w, dw := targets[i].W.Data, v.linears[i].delta().Data
		for j := range w {
			w[j] += dw[j]
		}
	})
	return nil
}

// Unmerge restores the base weights and the updates.
func (v *VeRA) Unmerge() error {
	if v.merged == nil {
		return fmt.Errorf("lora: unmerge %s: %w", v.spec.Label(), ErrNotMerged)
	}
	unfold(v.merged)
	v.merged = nil
	return nil
}

// VeRAPEFTConfig is PEFT's adapter_config.json for a VeRA adapter.
type VeRAPEFTConfig struct {
	PEFTType          string   `json:"peft_type"`
	TaskType          string   `json:"task_type"`
	BaseModel         string   `json:"base_model_name_or_path"`
	R                 int      `json:"r"`
	TargetModules     []string `json:"target_modules"`
	ProjectionPRNGKey uint64   `json:"projection_prng_key"`
	SaveProjection    bool     `json:"save_projection"`
	Dropout           float64  `json:"vera_dropout"`
	DInitial          float64  `json:"d_initial"`
	Bias              string   `json:"bias"`
	FanInFanOut       bool     `json:"fan_in_fan_out"`
	LayersToTransform []int    `json:"layers_to_transform"`
	LayersPattern     string   `json:"layers_pattern,omitempty"`
	InferenceMode     bool     `json:"inference_mode"`
}

// veraTensors are the tensors of the PEFT weight file: the shared projections a and b under
// base_model.vera_A and vera_B, then b and d of every layer.
func (v *VeRA) veraTensors(a, b *nn.Tensor) []peftTensor {
	ts := []peftTensor{{key: "base_model." + veraAName, t: a, shape: slices.Clone(a.Shape)},
		{key: "base_model." + veraBName, t: b, shape: slices.Clone(b.Shape)}}
	for _, d := range v.linears {
		ts = append(ts, peftTensor{key: peftPrefix + d.lambdaB.Name, t: d.lambdaB, shape: slices.Clone(d.lambdaB.Shape)},
			peftTensor{key: peftPrefix + d.lambdaD.Name, t: d.lambdaD, shape: slices.Clone(d.lambdaD.Shape)})
	}
	return ts
}

// ExportPEFT writes v as a PEFT VeRA adapter folder (projections saved, projection_prng_key
// the seed they were drawn from).
func (v *VeRA) ExportPEFT(dir string, opts ExportOptions) error {
	if v.model == nil {
		return fmt.Errorf("lora: export %s: not applied to a model", v.spec.Label())
	}
	c := VeRAPEFTConfig{TaskType: opts.TaskType, BaseModel: opts.BaseModel, ProjectionPRNGKey: v.seed, Bias: "none", InferenceMode: true}
	if c.TaskType == "" {
		c.TaskType = taskType(v.model)
	}
	if err := remarshal(VeRAKind.PEFT(v.spec), &c); err != nil {
		return fmt.Errorf("lora: export: %w", err)
	}
	// The widest A and the tallest B in use are the whole shared pair (the others are their
	// corners), as loaded if the projections came from a checkpoint.
	a, b := v.frozen[0], v.frozen[1]
	for _, p := range v.frozen {
		if p.Shape[1] > a.Shape[1] && p.Shape[0] == a.Shape[0] && strings.HasPrefix(p.Name, veraAName) {
			a = p
		}
		if p.Shape[0] > b.Shape[0] && strings.HasPrefix(p.Name, veraBName) {
			b = p
		}
	}
	return writePEFT(dir, v.veraTensors(a, b), c)
}

// ImportVeRA reads a PEFT VeRA adapter folder (with its projections) onto m.
func ImportVeRA(dir string, m *model.Model) (*VeRA, error) {
	path := filepath.Join(dir, PEFTConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lora: import: %w", err)
	}
	var c VeRAPEFTConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", path, describeJSONError(data, err))
	}
	if c.PEFTType != "VERA" || !c.SaveProjection || c.FanInFanOut || c.Bias != "none" {
		return nil, fmt.Errorf("lora: import %s: want peft_type VERA, save_projection true, fan_in_fan_out false, bias none", path)
	}
	spec := method.Spec{Name: VeRAKind.Name, Rank: c.R, Layers: c.LayersToTransform, Dropout: c.Dropout, Opts: map[string]float64{keyDInitial.Name: c.DInitial}}
	for _, mod := range c.TargetModules {
		t, err := targetOf(mod)
		if err != nil {
			return nil, fmt.Errorf("lora: import %s: %w", path, err)
		}
		spec.Targets = append(spec.Targets, t)
	}
	v, err := NewVeRA(spec)
	if err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", path, err)
	}
	if err := v.build(m, c.ProjectionPRNGKey); err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", dir, err)
	}
	if err := readPEFT(filepath.Join(dir, PEFTWeightsFile), v.veraTensors(v.a, v.b)); err != nil {
		return nil, err
	}
	v.project()
	for _, d := range v.linears {
		d.target.Deltas = append(d.target.Deltas, d)
	}
	return v, nil
}
