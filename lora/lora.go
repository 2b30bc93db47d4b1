package lora

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// Scaling rules: the update is s·B·A with s = alpha/r (Hu et al., 2021) or, for
// rank-stabilised LoRA (Kalajdzievski, 2023), s = alpha/sqrt(r).
const (
	ScalingStandard = "standard"
	ScalingRSLoRA   = "rslora"
)

// Initialisations of A (B always starts at zero).
const (
	InitKaiming  = "kaiming"
	InitGaussian = "gaussian"
)

// LoRA is the method of Hu et al. (2021): every adapted matrix W0 (d_out x d_in) of a frozen
// model gains a trainable low-rank update, so that
//
//	h = W0 x + s·B·A x,   A: r x d_in (random),  B: d_out x r (zero),  s = alpha/r,
//
// and the adapted model starts equal to the base model. It implements tuner.Method.
type LoRA struct {
	spec    method.Spec
	alpha   float64
	scale   float32
	model   *model.Model
	linears []*Linear  // in model order: blocks ascending, q, k, v, o, fc1, fc2 within a block
	emb     *Embedding // nil unless spec.Targets has "emb"

	bank   *Bank          // the Bank this adapter belongs to, or nil when applied on its own
	merged []mergedWeight // the base weights Merge replaced; nil while unmerged
}

// New returns a LoRA method for spec, not yet applied to a model. Rank, targets, scaling, init
// and dropout are checked here; the layers and the rank against d_model are checked by Apply,
// which knows the model.
//
// An Alpha of 0 means alpha = r, so that s = 1 with standard scaling (s = sqrt(r) with
// rslora). The paper sets alpha to the first r it tries and does not tune it; a rank sweep
// that follows the paper sets alpha explicitly, so that s = alpha/r changes with r.
//
// The spec is checked against its own kind: a variant that reuses LoRA's update with a name
// of its own (LoRA-FA) builds on New. A setting without a rank or targets is refused.
func New(spec method.Spec) (*LoRA, error) {
	if err := spec.Validate(method.AnyModel); err != nil {
		return nil, fmt.Errorf("lora: %w", err)
	}
	if spec.Rank < 1 || len(spec.Targets) == 0 {
		return nil, fmt.Errorf("lora: %s is not a low-rank setting (rank %d, targets %v)", spec.Label(), spec.Rank, spec.Targets)
	}
	alpha := alphaOf(spec)
	return &LoRA{spec: spec, alpha: alpha, scale: float32(scaleOf(spec))}, nil
}

// alphaOf is the alpha a setting uses: its own, or r when it leaves alpha 0.
func alphaOf(s method.Spec) float64 {
	if s.Alpha == 0 {
		return float64(s.Rank)
	}
	return s.Alpha
}

// scaleOf is the factor s of B·A for a setting: alpha/r, or alpha/sqrt(r) with rslora.
func scaleOf(s method.Spec) float64 {
	if s.Scaling == ScalingRSLoRA {
		return alphaOf(s) / math.Sqrt(float64(s.Rank))
	}
	return alphaOf(s) / float64(s.Rank)
}

// Spec is the setting the method was built from, as given (Alpha 0 stays 0; see Alpha).
func (l *LoRA) Spec() method.Spec { return l.spec }

// Alpha is the alpha in use: the spec's, or r when the spec leaves it 0.
func (l *LoRA) Alpha() float64 { return l.alpha }

// Scale is s, the factor of B·A: alpha/r, or alpha/sqrt(r) with rslora.
func (l *LoRA) Scale() float32 { return l.scale }

// Rank is r.
func (l *LoRA) Rank() int { return l.spec.Rank }

// Slots is zero: LoRA adds no positions to the input.
func (l *LoRA) Slots() (prefix, infix int) { return 0, 0 }

// Linears are the updates of the adapted Linears, in model order; nil before Apply.
func (l *LoRA) Linears() []*Linear { return slices.Clone(l.linears) }

// Embedding is the update of the token embedding, or nil if "emb" is not a target.
func (l *LoRA) Embedding() *Embedding { return l.emb }

// Trainable lists A and B of every adapted matrix: the embedding's first, then each
// Linear's in model order. It is nil before Apply.
func (l *LoRA) Trainable() []*nn.Tensor {
	var ts []*nn.Tensor
	if l.emb != nil {
		ts = append(ts, l.emb.A, l.emb.B)
	}
	for _, d := range l.linears {
		ts = append(ts, d.A, d.B)
	}
	return ts
}

// Apply freezes every base tensor of m, creates A (random, drawn from seed) and B (zero) for
// every target in the chosen layers, and installs them: each Linear update as a Delta of its
// model.Linear, the embedding update as the last of m.EmbedHooks.
func (l *LoRA) Apply(m *model.Model, seed uint64) error {
	if err := l.build(m, seed); err != nil {
		return err
	}
	l.install()
	return nil
}

// install adds the updates to the model l was built on.
func (l *LoRA) install() {
	if l.emb != nil {
		l.model.EmbedHooks = append(l.model.EmbedHooks, l.emb)
	}
	for _, d := range l.linears {
		d.Target.Deltas = append(d.Target.Deltas, d)
	}
}

// build checks the spec against m, freezes m and creates the LoRA tensors, without
// installing them (a Bank installs its own dispatchers instead).
func (l *LoRA) build(m *model.Model, seed uint64) error {
	if m == nil {
		return errors.New("lora: apply to a nil model")
	}
	if l.model != nil {
		return fmt.Errorf("lora: %s is already applied to a model; build a new one with New", l.spec.Label())
	}
	if err := l.spec.Validate(arch.DimsOf(m.Cfg)); err != nil {
		return fmt.Errorf("lora: apply: %w", err)
	}
	winit, fromWeights := weightInit(l.spec.Init)
	if fromWeights && slices.Contains(l.spec.Targets, target.Emb) {
		return fmt.Errorf("lora: apply: init %s initialises from a Linear's weight; the embedding is no target for it", l.spec.Init)
	}
	m.Freeze()
	r, aInit := l.spec.Rank, l.spec.Init
	if slices.Contains(l.spec.Targets, target.Emb) {
		l.emb = newEmbedding(m, r, l.scale, aInit, seed)
	}
	for _, b := range m.Blocks {
		if len(l.spec.Layers) > 0 && !slices.Contains(l.spec.Layers, b.Index) {
			continue
		}
		for i, t := range target.All() {
			if !t.PerLayer || !slices.Contains(l.spec.Targets, t.Name) {
				continue
			}
			lin, err := b.Matrix(t.Name)
			if err != nil {
				return fmt.Errorf("lora: apply: %w", err)
			}
			d := newLinear(lin, r, l.scale, float32(l.spec.Dropout), aInit, seed)
			d.dropoutSite = dropoutLabel(b.Index, i-1)
			if fromWeights {
				if err := winit(d); err != nil {
					return fmt.Errorf("lora: apply: init %s on %s: %w", l.spec.Init, lin.Name, err)
				}
			}
			l.linears = append(l.linears, d)
		}
	}
	l.model = m
	return nil
}

// dropoutLabel is the SubSeed label of the LoRA dropout of target i in block layer. Bit 40
// keeps it apart from the model's own dropout sites, whose labels are below 2^32.
func dropoutLabel(layer, target int) uint64 {
	return 1<<40 | uint64(layer)<<8 | uint64(target)
}

// NewMethod is New for code that builds methods by name (tuner.New): on error it returns a
// nil interface, not a nil *LoRA.
func NewMethod(spec method.Spec) (tuner.Method, error) {
	l, err := New(spec)
	if err != nil {
		return nil, err
	}
	return l, nil
}

func init() { tuner.Register(Kind, NewMethod) }

// Kind describes LoRA to the sweep parser and the reports. The parameter count is the paper's
// 2·L_lora·d·r for square targets; r·(d_in + d_out) per adapted matrix in general, the token
// embedding (V x d) counted once whatever the layers.
var Kind = method.Kind{
	Name: method.LoRA, Order: 90,
	Keys: []method.Key{method.KeyRank, method.KeyAlpha, method.KeyTargets, method.KeyLayers,
		{Name: "scaling", Type: method.String, Choices: func() []string { return []string{ScalingStandard, ScalingRSLoRA} }, Doc: "scale alpha/r (standard) or alpha/sqrt(r) (rslora)"},
		{Name: "init", Type: method.String, Choices: initNames, Doc: "initialisation of A (and B; see RegisterInit)"},
		method.KeyDropout},
	Size:     "rank",
	Defaults: defaultTargets,
	Params:   lowRankParams,
	Label: func(s method.Spec) string {
		l := fmt.Sprintf("%s r=%d %s", s.Name, s.Rank, strings.Join(s.Targets, ","))
		if s.Scaling == ScalingRSLoRA {
			l += " rs"
		}
		if _, fromWeights := weightInit(s.Init); fromWeights {
			l += " " + s.Init
		}
		return l
	},
	Check: func(s method.Spec, d method.Dims) []method.Problem {
		return append(needTargets(s, d), checkInit(s, d)...)
	},
	PEFT:      peftFields,
	Mergeable: true,
	Scale:     factorScale,
}

// factorScale is the s of ΔW = s·B·A for the analyses, 0 for an initialisation from W: its
// frozen residual makes the update (W − s·B₀·A₀ + s·B·A) − W, which the factors alone do not
// give.
func factorScale(s method.Spec) float64 {
	if _, fromWeights := weightInit(s.Init); fromWeights {
		return 0
	}
	return scaleOf(s)
}

// defaultTargets gives a setting without targets the default set (Wq, Wv).
func defaultTargets(s *method.Spec) {
	if s.Targets == nil {
		s.Targets = target.Default()
	}
}

// needTargets reports a low-rank setting that adapts nothing.
func needTargets(s method.Spec, d method.Dims) []method.Problem {
	if len(s.Targets) == 0 {
		return []method.Problem{{Key: "targets", Msg: fmt.Sprintf("%s needs at least one target (%s)", s.Name, strings.Join(target.Names(), ", "))}}
	}
	return nil
}

// lowRankParams is r·(d_in + d_out) summed over the adapted matrices: those of each adapted
// block, and the token embedding once.
func lowRankParams(s method.Spec, d method.Dims) int {
	return perMatrix(s, d, func(in, out int) int { return s.Rank * (in + out) })
}

// perMatrix sums count(in, out) over the matrices a setting adapts: its targets in each of
// its layers (all layers when it names none), a target that is not per layer once.
func perMatrix(s method.Spec, d method.Dims, count func(in, out int) int) int {
	layers := len(s.Layers)
	if layers == 0 {
		layers = d.Layers
	}
	n := 0
	for _, name := range s.Targets {
		t, _ := target.Lookup(name)
		c := count(t.Shape(d.DModel, d.DFF, d.Vocab))
		if t.PerLayer {
			c *= layers
		}
		n += c
	}
	return n
}
