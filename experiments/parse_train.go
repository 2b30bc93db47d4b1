package experiments

import (
	"math"

	"gopkg.in/yaml.v3"

	"loralab/method"
)

// Defaults of the train: section.
const (
	defaultBatch          = 16
	defaultWarmupFraction = 0.06
	defaultSchedule       = "linear"
	defaultWeightDecay    = 0.01
	defaultMaxGradNorm    = 1.0
	defaultBeam           = 1
	defaultLengthPenalty  = 1.0
	defaultMaxNewTokens   = 64
)

// maxLen is the model's max_len, or no bound when the model did not resolve.
func (p *parser) maxLen() int {
	if p.modelOK {
		return p.s.Model.MaxLen
	}
	return math.MaxInt
}

// train decodes the train: section.
func (p *parser) train(n *yaml.Node) {
	const at = "train"
	t := Train{
		Batch: defaultBatch, WarmupFraction: -1, WarmupSteps: -1, Schedule: defaultSchedule,
		WeightDecay: defaultWeightDecay, MaxGradNorm: defaultMaxGradNorm,
		SeqLen:     min(defaultSeqLen, p.maxLen()),
		Generation: Generation{Beam: defaultBeam, LengthPenalty: defaultLengthPenalty, MaxNewTokens: defaultMaxNewTokens},
	}
	var micro *yaml.Node
	present := p.mapping(n, at, []field{
		p.intField(at, "steps", &t.Steps, 1, math.MaxInt, ""),
		p.intField(at, "epochs", &t.Epochs, 1, math.MaxInt, ""),
		p.intField(at, "batch", &t.Batch, 1, math.MaxInt, ""),
		{"micro_batch", func(v *yaml.Node) {
			micro = v
			p.intField(at, "micro_batch", &t.MicroBatch, 1, math.MaxInt, "").decode(v)
		}},
		{"lr", func(v *yaml.Node) { p.learningRates(v, &t) }},
		p.floatField(at, "warmup", &t.WarmupFraction, 0, 1, false),
		p.intField(at, "warmup_steps", &t.WarmupSteps, 0, math.MaxInt, ""),
		p.enumField(at, "schedule", &t.Schedule, "linear", "cosine", "constant"),
		p.floatField(at, "weight_decay", &t.WeightDecay, 0, math.Inf(1), false),
		p.floatField(at, "max_grad_norm", &t.MaxGradNorm, 0, math.Inf(1), false),
		p.intField(at, "seq_len", &t.SeqLen, 2, p.maxLen(), " (model max_len)"),
		p.floatField(at, "label_smoothing", &t.LabelSmoothing, 0, 1, false),
		p.intField(at, "eval_every", &t.EvalEvery, 0, math.MaxInt, " (0 = at the end only)"),
		{"generation", func(v *yaml.Node) { p.generation(v, &t.Generation) }},
	})
	p.require(n, at, present, "lr")
	switch {
	case present["steps"] != nil && present["epochs"] != nil:
		p.errorf(present["epochs"], "train: both steps and epochs given, want one of them")
	case present["steps"] == nil && present["epochs"] == nil && n.Kind == yaml.MappingNode:
		p.errorf(n, "train: missing key \"steps\" or \"epochs\"")
	}
	switch {
	case present["warmup"] != nil && present["warmup_steps"] != nil:
		p.errorf(present["warmup_steps"], "train: both warmup (a fraction) and warmup_steps given, want one of them")
	case t.WarmupSteps >= 0:
		t.WarmupFraction = 0
	case t.WarmupFraction < 0:
		t.WarmupFraction, t.WarmupSteps = defaultWarmupFraction, 0
	default:
		t.WarmupSteps = 0
	}
	if t.MicroBatch == 0 {
		t.MicroBatch = t.Batch
	}
	if micro != nil && t.MicroBatch > 0 && (t.MicroBatch > t.Batch || t.Batch%t.MicroBatch != 0) {
		p.errorf(micro, "train.micro_batch: %d does not divide batch %d, want a divisor of the batch", t.MicroBatch, t.Batch)
	}
	p.s.Train = t
}

// learningRates decodes train.lr: one number, or a mapping from "default", a method name or a
// family ("adapter", "prefix") to a number.
func (p *parser) learningRates(n *yaml.Node, t *Train) {
	if n.Kind != yaml.MappingNode {
		p.positiveField("train", "lr", &t.LR).decode(n)
		return
	}
	table := map[string]float64{}
	var fields []field
	for _, k := range append([]string{"default"}, method.Families()...) {
		fields = append(fields, field{k, func(v *yaml.Node) {
			var x float64
			if p.positiveField("train.lr", k, &x).decode(v); x > 0 {
				table[k] = x
			}
		}})
	}
	p.mapping(n, "train.lr", fields)
	t.LR = table["default"]
	delete(table, "default")
	p.s.LRByFamily = table
}

// generation decodes train.generation, the decoding settings of generation tasks.
func (p *parser) generation(n *yaml.Node, g *Generation) {
	const at = "train.generation"
	p.mapping(n, at, []field{
		p.intField(at, "beam", &g.Beam, 1, math.MaxInt, ""),
		p.positiveField(at, "length_penalty", &g.LengthPenalty),
		p.intField(at, "no_repeat_ngram", &g.NoRepeatNgram, 0, math.MaxInt, " (0 = off)"),
		p.intField(at, "max_new_tokens", &g.MaxNewTokens, 1, math.MaxInt, ""),
	})
}

// lrFor resolves the learning rate of a method: its own lr, then its name in train.lr, then
// its family, then the default.
func (s *Sweep) lrFor(spec method.Spec) float64 {
	if spec.LR > 0 {
		return spec.LR
	}
	if lr, ok := s.LRByFamily[spec.Name]; ok {
		return lr
	}
	if lr, ok := s.LRByFamily[method.FamilyOf(spec.Name)]; ok {
		return lr
	}
	return s.Train.LR
}
