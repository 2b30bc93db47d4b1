package experiments

import (
	"fmt"
	"math"
	"slices"

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
		{"lr", p.learningRates},
		p.enumField(at, "lr_tuning", &p.s.LRTuning, LRGrid, LRFirstSeed),
		p.positiveField(at, "head_lr", &t.HeadLR),
		p.floatField(at, "warmup", &t.WarmupFraction, 0, 1, false),
		p.intField(at, "warmup_steps", &t.WarmupSteps, 0, math.MaxInt, ""),
		p.enumField(at, "schedule", &t.Schedule, "linear", "cosine", "constant"),
		p.floatField(at, "weight_decay", &t.WeightDecay, 0, math.Inf(1), false),
		p.floatField(at, "max_grad_norm", &t.MaxGradNorm, 0, math.Inf(1), false),
		p.intField(at, "seq_len", &t.SeqLen, 2, p.maxLen(), " (model max_len)"),
		p.floatField(at, "label_smoothing", &t.LabelSmoothing, 0, 1, false),
		p.intField(at, "eval_every", &t.EvalEvery, 0, math.MaxInt, " (0 = at the end only)"),
		p.intField(at, "eval_limit", &t.EvalLimit, 0, math.MaxInt, " (0 = every validation example)"),
		{"generation", func(v *yaml.Node) { p.generation(v, &t.Generation) }},
		{"save_steps", func(v *yaml.Node) { t.SaveSteps = p.saveSteps(v) }},
		p.intField(at, "forgetting_tokens", &t.ForgettingTokens, 0, math.MaxInt, " (0 = not measured)"),
	})
	p.require(n, at, present, "lr")
	switch {
	case present["steps"] != nil && present["epochs"] != nil:
		p.errorf(present["epochs"], "train: both steps and epochs given, want one of them")
	case present["steps"] == nil && present["epochs"] == nil && n.Kind == yaml.MappingNode && !p.everyTaskBudgeted():
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
	if p.s.LRTuning == "" {
		p.s.LRTuning = LRGrid
	}
	if t.Steps > 0 && len(t.SaveSteps) > 0 && t.SaveSteps[len(t.SaveSteps)-1] > t.Steps {
		p.errorf(present["save_steps"], "train.save_steps: step %d is after the last step %d", t.SaveSteps[len(t.SaveSteps)-1], t.Steps)
	}
	if t.MicroBatch == 0 {
		t.MicroBatch = t.Batch
	}
	if micro != nil && t.MicroBatch > 0 && (t.MicroBatch > t.Batch || t.Batch%t.MicroBatch != 0) {
		p.errorf(micro, "train.micro_batch: %d does not divide batch %d, want a divisor of the batch", t.MicroBatch, t.Batch)
	}
	p.s.Train = t
}

// learningRates decodes train.lr: a number or a list of numbers (the default), or a mapping
// from "default", a method name or a family ("adapter", "prefix") to a number or a list.
func (p *parser) learningRates(n *yaml.Node) {
	p.s.LRs = map[string][]float64{}
	if n.Kind != yaml.MappingNode {
		if lrs := p.lrList(n, "train.lr"); lrs != nil {
			p.s.LRs["default"] = lrs
		}
		return
	}
	var fields []field
	for _, k := range append([]string{"default"}, method.Families()...) {
		fields = append(fields, field{k, func(v *yaml.Node) {
			if lrs := p.lrList(v, "train.lr."+k); lrs != nil {
				p.s.LRs[k] = lrs
			}
		}})
	}
	p.mapping(n, "train.lr", fields)
}

// lrList decodes one learning rate or a list of distinct ones, each > 0; nil on a problem.
func (p *parser) lrList(n *yaml.Node, at string) []float64 {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		var ok bool
		if items, ok = p.list(n, at, "learning rate"); !ok {
			return nil
		}
	}
	var out []float64
	good := true
	for i, it := range items {
		where := at
		if n.Kind == yaml.SequenceNode {
			where = fmt.Sprintf("%s[%d]", at, i)
		}
		x, ok := p.number(it, where)
		switch {
		case !ok:
			good = false
		case x <= 0:
			p.errorf(it, "%s: %g is out of range, want > 0", where, x)
			good = false
		case slices.Contains(out, x):
			p.errorf(it, "%s: learning rate %g repeated", where, x)
			good = false
		default:
			out = append(out, x)
		}
	}
	if !good {
		return nil
	}
	return out
}

// saveSteps decodes train.save_steps, a list of increasing steps >= 1.
func (p *parser) saveSteps(n *yaml.Node) []int {
	const at = "train.save_steps"
	items, ok := p.list(n, at, "steps")
	if !ok {
		return nil
	}
	var steps []int
	for _, it := range items {
		s, good := p.integer(it, at)
		switch {
		case !good || !p.intRange(it, at, s, 1, math.MaxInt, ""):
		case len(steps) > 0 && s <= steps[len(steps)-1]:
			p.errorf(it, "%s: step %d after step %d, want increasing steps", at, s, steps[len(steps)-1])
		default:
			steps = append(steps, s)
		}
	}
	return steps
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

// lrsFor resolves the learning rates of a method setting: its own lr, then its name in
// train.lr, then its family, then the default. More than one is a learning-rate search.
func (s *Sweep) lrsFor(spec method.Spec) []float64 {
	if spec.LR > 0 {
		return []float64{spec.LR}
	}
	for _, k := range []string{spec.Name, method.FamilyOf(spec.Name), "default"} {
		if lrs, ok := s.LRs[k]; ok {
			return lrs
		}
	}
	return nil
}
