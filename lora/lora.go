package lora

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
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

// TargetEmb names the token embedding as a target; the other targets are matrices of a
// block.
const TargetEmb = "emb"

// blockTargets are the matrices of a block LoRA can adapt, in the order of Model.Linears.
func blockTargets() []string { return []string{"q", "k", "v", "o", "fc1", "fc2"} }

// allTargets are the block targets after the embedding, the order of Trainable.
func allTargets() []string { return append([]string{TargetEmb}, blockTargets()...) }

// LoRA is the method of Hu et al. (2021): every adapted matrix W0 (d_out x d_in) of a frozen
// model gains a trainable low-rank update, so that
//
//	h = W0 x + s·B·A x,   A: r x d_in (random),  B: d_out x r (zero),  s = alpha/r,
//
// and the adapted model starts equal to the base model. It implements method.Method.
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
func New(spec method.Spec) (*LoRA, error) {
	if spec.Name != method.LoRA {
		return nil, fmt.Errorf("lora: method %q, want %q", spec.Name, method.LoRA)
	}
	if spec.Rank < 1 {
		return nil, fmt.Errorf("lora: %s: rank %d, want >= 1", spec.Label(), spec.Rank)
	}
	if len(spec.Targets) == 0 {
		return nil, fmt.Errorf("lora: %s: no target, want some of q, k, v, o, fc1, fc2, emb", spec.Label())
	}
	for i, t := range spec.Targets {
		if !slices.Contains(allTargets(), t) {
			return nil, fmt.Errorf("lora: %s: unknown target %q, want q, k, v, o, fc1, fc2 or emb", spec.Label(), t)
		}
		if slices.Contains(spec.Targets[:i], t) {
			return nil, fmt.Errorf("lora: %s: target %q given twice", spec.Label(), t)
		}
	}
	if spec.Alpha < 0 || math.IsNaN(spec.Alpha) || math.IsInf(spec.Alpha, 0) {
		return nil, fmt.Errorf("lora: %s: alpha %g, want a finite number >= 0 (0 means alpha = r)", spec.Label(), spec.Alpha)
	}
	if spec.Dropout < 0 || spec.Dropout >= 1 {
		return nil, fmt.Errorf("lora: %s: dropout %g, want in [0, 1)", spec.Label(), spec.Dropout)
	}
	switch spec.Init {
	case "", InitKaiming, InitGaussian:
	default:
		return nil, fmt.Errorf("lora: %s: init %q, want %q or %q", spec.Label(), spec.Init, InitKaiming, InitGaussian)
	}
	alpha := spec.Alpha
	if alpha == 0 {
		alpha = float64(spec.Rank)
	}
	l := &LoRA{spec: spec, alpha: alpha}
	switch spec.Scaling {
	case "", ScalingStandard:
		l.scale = float32(alpha / float64(spec.Rank))
	case ScalingRSLoRA:
		l.scale = float32(alpha / math.Sqrt(float64(spec.Rank)))
	default:
		return nil, fmt.Errorf("lora: %s: scaling %q, want %q or %q", spec.Label(), spec.Scaling, ScalingStandard, ScalingRSLoRA)
	}
	return l, nil
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
	if err := l.spec.Validate(method.DimsOf(m.Cfg)); err != nil {
		return fmt.Errorf("lora: apply: %w", err)
	}
	m.Freeze()
	r, aInit := l.spec.Rank, l.spec.Init
	if slices.Contains(l.spec.Targets, TargetEmb) {
		l.emb = newEmbedding(m, r, l.scale, aInit, seed)
	}
	for _, b := range m.Blocks {
		if len(l.spec.Layers) > 0 && !slices.Contains(l.spec.Layers, b.Index) {
			continue
		}
		for i, lin := range []*model.Linear{b.Q, b.K, b.V, b.O, b.FC1, b.FC2} {
			if !slices.Contains(l.spec.Targets, blockTargets()[i]) {
				continue
			}
			d := newLinear(lin, r, l.scale, float32(l.spec.Dropout), aInit, seed)
			d.dropoutSite = dropoutLabel(b.Index, i)
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

// NewMethod is New for code that builds methods by name (the sweep executor): on error it
// returns a nil interface, not a nil *LoRA.
func NewMethod(spec method.Spec) (method.Method, error) {
	l, err := New(spec)
	if err != nil {
		return nil, err
	}
	return l, nil
}
