package lora

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// DoRA is weight-decomposed low-rank adaptation (Liu et al., 2024): each adapted weight W0
// becomes a learned magnitude times the direction of its LoRA-updated value,
//
//	W' = m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖,   h = W' x + bias,
//
// with A, B, s as in LoRA and m initialised to the norms of W0, so that W' = W0 at the
// start. The norm is taken per output unit: over each row of W [d_out, d_in] as loralab
// stores it, which is each column of the paper's W ∈ R^{d×k} (k outputs, y = xW) and PEFT's
// weight.norm(dim=1). So m has d_out entries and a matrix trains r·(d_in + d_out) + d_out
// parameters. The norm is part of the graph: gradients flow through it, as in the paper's
// main formulation (its Section 4.3 detaches it to save memory, as PEFT does; here it is
// not detached).
//
// The update is a model.Delta returning x (W' − W0)ᵀ: W' is formed once per forward pass
// of the matrix (the dense B·A, d_out·d_in·r, and the row norms, d_out·d_in), then the layer
// costs one more product of its own size forward and two backward, against LoRA's thin
// ones. Because W' is formed from x-independent tensors only, DoRA has no dropout on its
// input (PEFT applies it to the low-rank branch only, which this dense form cannot split).
// Merge replaces W0 by W' exactly (the same ops, without a tape); Unmerge restores W0 from
// a copy.
type DoRA struct {
	lora    *LoRA // the low-rank part: A and B of every target, not installed themselves
	updates []*doraLinear
	merged  []folded
}

// doraLinear is DoRA's update of one Linear.
type doraLinear struct {
	lr        *Linear
	magnitude *nn.Tensor // m [d_out], named <layer>.lora_magnitude_vector
}

const doraMagnitude = ".lora_magnitude_vector"

func init() {
	tuner.Register(DoRAKind, func(s method.Spec) (tuner.Method, error) { return NewDoRA(s) })
}

// DoRAKind describes DoRA: LoRA's keys but dropout, on the Linear targets, and
// r·(d_in + d_out) + d_out parameters per adapted matrix.
var DoRAKind = method.Kind{
	Name: "dora", Order: 91,
	Keys: []method.Key{method.KeyRank, method.KeyAlpha, method.KeyTargets, method.KeyLayers,
		{Name: "scaling", Type: method.String, Choices: func() []string { return []string{ScalingStandard, ScalingRSLoRA} }, Doc: "scale alpha/r (standard) or alpha/sqrt(r) (rslora)"},
		{Name: "init", Type: method.String, Choices: func() []string { return []string{InitKaiming, InitGaussian} }, Doc: "initialisation of A"}},
	Size: "rank", Defaults: defaultTargets,
	Params: func(s method.Spec, d method.Dims) int {
		return perMatrix(s, d, func(in, out int) int { return s.Rank*(in+out) + out })
	},
	Label: func(s method.Spec) string { return fmt.Sprintf("dora r=%d %s", s.Rank, strings.Join(s.Targets, ",")) },
	Check: func(s method.Spec, d method.Dims) []method.Problem {
		ps := needTargets(s, d)
		if slices.Contains(s.Targets, target.Emb) {
			ps = append(ps, method.Problem{Key: "targets", Msg: "dora adapts Linear targets only, not emb"})
		}
		return ps
	},
	PEFT: func(s method.Spec) map[string]any {
		f := peftFields(s)
		f["use_dora"] = true
		return f
	},
	Mergeable: true,
}

// NewDoRA returns a DoRA method for spec, not yet applied to a model.
func NewDoRA(spec method.Spec) (*DoRA, error) {
	if spec.Name != DoRAKind.Name {
		return nil, fmt.Errorf("lora: method %q, want %q", spec.Name, DoRAKind.Name)
	}
	if err := spec.Validate(method.AnyModel); err != nil {
		return nil, fmt.Errorf("lora: %w", err)
	}
	return &DoRA{lora: &LoRA{spec: spec, alpha: alphaOf(spec), scale: float32(scaleOf(spec))}}, nil
}

// Spec is the setting the method was built from.
func (d *DoRA) Spec() method.Spec { return d.lora.spec }

// Slots is zero: DoRA adds no positions.
func (d *DoRA) Slots() (prefix, infix int) { return 0, 0 }

// Trainable lists A, B and m of every adapted matrix, in model order.
func (d *DoRA) Trainable() []*nn.Tensor {
	var ts []*nn.Tensor
	for _, u := range d.updates {
		ts = append(ts, u.lr.A, u.lr.B, u.magnitude)
	}
	return ts
}

// Apply freezes m, creates A (random), B (zero) and m (the row norms of W0) for every
// target and installs the updates as Deltas.
func (d *DoRA) Apply(m *model.Model, seed uint64) error {
	if err := d.lora.build(m, seed); err != nil {
		return err
	}
	for _, lr := range d.lora.linears {
		u := &doraLinear{lr: lr, magnitude: nn.NewParam(lr.Target.Name+doraMagnitude, lr.Target.Out())}
		rowNorms(u.magnitude.Data, lr.Target.W)
		d.updates = append(d.updates, u)
		lr.Target.Deltas = append(lr.Target.Deltas, u)
	}
	return nil
}

// rowNorms writes the Euclidean norm of each row of w into dst, summed in float64 as
// nn.Tape.WeightNorm sums, so that m = ‖W0‖ gives W' = W0 bit for bit at the start.
func rowNorms(dst []float32, w *nn.Tensor) {
	in := w.Shape[1]
	for o := range dst {
		var ss float64
		for _, x := range w.Data[o*in : (o+1)*in] {
			ss += float64(x) * float64(x)
		}
		dst[o] = float32(math.Sqrt(ss))
	}
}

// adapted records W' = m ⊙ (W0 + s·B·A) / ‖W0 + s·B·A‖ on t.
func (u *doraLinear) adapted(t *nn.Tape) *nn.Tensor {
	v := t.Add(u.lr.Target.W, t.Scale(t.MatMul(u.lr.B, u.lr.A), u.lr.Scale))
	return t.WeightNorm(v, u.magnitude)
}

// Forward returns x (W' − W0)ᵀ, W' formed once for the whole batch.
func (u *doraLinear) Forward(t *nn.Tape, x *nn.Tensor, _ *model.Context) *nn.Tensor {
	return t.Linear(x, t.Add(u.adapted(t), t.Scale(u.lr.Target.W, -1)), nil)
}

// Merge replaces every W0 by W' and takes the updates out of their layers.
func (d *DoRA) Merge() error {
	if len(d.updates) == 0 || d.merged != nil {
		return fmt.Errorf("lora: merge %s: not applied, or already merged", d.lora.spec.Label())
	}
	targets, deltas := make([]*model.Linear, len(d.updates)), make([]model.Delta, len(d.updates))
	for i, u := range d.updates {
		targets[i], deltas[i] = u.lr.Target, u
	}
	d.merged = fold(targets, deltas, func(i int) {
		tp := nn.NewTape(1)
		tp.SetGrad(false)
		copy(targets[i].W.Data, d.updates[i].adapted(tp).Data)
	})
	return nil
}

// Unmerge restores every W0 bit for bit and reinstalls the updates.
func (d *DoRA) Unmerge() error {
	if d.merged == nil {
		return fmt.Errorf("lora: unmerge %s: %w", d.lora.spec.Label(), ErrNotMerged)
	}
	unfold(d.merged)
	d.merged = nil
	return nil
}

// peftTensors are LoRA's factors of every target plus base_model.model.<layer>.
// lora_magnitude_vector [d_out], PEFT's key for m. Each adapted matrix must be a module of its
// own: a DoRA magnitude per part of GPT-2's fused c_attn has no PEFT layout.
func (d *DoRA) peftTensors() ([]peftTensor, error) {
	var ts []peftTensor
	family := familyOf(d.lora.model)
	seen := map[string]bool{}
	for i, u := range d.updates {
		l := d.lora.linears[i]
		b, t := d.lora.blockAndTarget(l)
		path := pathIn(t, family, b)
		if seen[path] {
			return nil, fmt.Errorf("lora: export %s: two adapted matrices share the module %s; DoRA exports one matrix per module", d.lora.spec.Label(), path)
		}
		seen[path] = true
		ts = append(ts,
			peftTensor{key: peftPrefix + path + peftA, t: l.A, shape: slices.Clone(l.A.Shape)},
			peftTensor{key: peftPrefix + path + peftB, t: l.B, shape: slices.Clone(l.B.Shape)},
			peftTensor{key: peftPrefix + u.magnitude.Name, t: u.magnitude, shape: slices.Clone(u.magnitude.Shape)})
	}
	return ts, nil
}

// ExportPEFT writes d as a PEFT LoRA adapter folder with use_dora true.
func (d *DoRA) ExportPEFT(dir string, opts ExportOptions) error {
	if d.lora.model == nil {
		return fmt.Errorf("lora: export %s: not applied to a model", d.lora.spec.Label())
	}
	c := struct {
		PEFTConfig
		UseDoRA bool `json:"use_dora"`
	}{d.lora.peftConfig(opts), true}
	ts, err := d.peftTensors()
	if err != nil {
		return err
	}
	return writePEFT(dir, ts, c)
}

// ImportDoRA reads a PEFT LoRA adapter folder with use_dora true onto m.
func ImportDoRA(dir string, m *model.Model) (*DoRA, error) {
	c, err := ReadPEFTConfig(dir)
	if err != nil {
		return nil, err
	}
	if !c.UseDoRA {
		return nil, fmt.Errorf("lora: import %s: use_dora false: a LoRA adapter, which ImportPEFT reads", filepath.Join(dir, PEFTConfigFile))
	}
	c.UseDoRA = false
	spec, err := c.Spec()
	spec.Name = DoRAKind.Name
	var dr *DoRA
	if err == nil {
		dr, err = NewDoRA(spec)
	}
	if err == nil {
		err = dr.Apply(m, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("lora: import %s: %w", filepath.Join(dir, PEFTConfigFile), err)
	}
	ts, err := dr.peftTensors()
	if err != nil {
		return nil, err
	}
	if err := readPEFT(filepath.Join(dir, PEFTWeightsFile), ts); err != nil {
		return nil, err
	}
	return dr, nil
}
