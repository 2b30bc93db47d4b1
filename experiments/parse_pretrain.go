package experiments

import (
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"loralab/datasets"
)

// Defaults of a pretraining recipe.
const (
	defaultRecipeBatch      = 32
	defaultRecipeWD         = 0.01
	defaultRecipeClip       = 1.0
	defaultRecipeHeldOut    = 0.05
	defaultRecipeEvalTokens = 65536
	defaultRecipeEvalEvery  = 500
	defaultCheckpointMin    = 5.0
)

// LoadRecipe reads and checks the pretraining recipe at path (runexp pretrain FILE.yaml).
// On any problem it returns Problems, every one of them, each as file:line:col: message.
func LoadRecipe(path string) (*Recipe, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load recipe: %w", err)
	}
	return ParseRecipe(path, data, nil)
}

// ParseRecipe reads and checks a pretraining recipe held in data; file names it in
// problems. tasks are the corpus names it may use; nil means the built-in ones.
//
// The keys (defaults in brackets):
//
//	model:        the shape, as a sweep's model: section without pretraining: (arch, preset,
//	              vocab [4096], d_model, layers, heads, d_ff, max_len, dropout, activation)
//	corpus:       a corpus, e.g. real-english; only its train split is read
//	data_seed:    the datasets seed the corpus is split with [0]
//	steps:        optimiser steps, or
//	tokens:       a token budget: steps = ceil(tokens / (batch * seq_len))
//	batch:        windows per step [32]
//	seq_len:      tokens per window [128, at most max_len]
//	lr:           peak learning rate [5e-4]
//	warmup:       linear warmup steps [steps / 20], then cosine decay to zero
//	weight_decay: AdamW decay of matrices and embeddings [0.01]
//	clip_norm:    gradient-norm clipping, 0 = none [1]
//	seed:         initialisation, sampling and dropout seed [1]
//	held_out:     fraction of the documents held out for evaluation [0.05]
//	eval_tokens:  held-out tokens read per evaluation [65536]
//	eval_every:   steps between evaluations [500]
//	checkpoint_minutes: wall time between saved training states [5]
//	keep:         fractions of the run at which to keep the model, in [0, 1) [none]
//	threads:      goroutines per op, 0 = all CPUs [0]; no effect on the result
//	out:          the output model folder, relative to the working directory
//	fp16:         store the output weights as F16 [false]
func ParseRecipe(file string, data []byte, tasks []string) (*Recipe, error) {
	if tasks == nil {
		tasks = datasets.NewRegistry(datasets.Options{}).Names()
	}
	p := &parser{decoder: decoder{file: file}, opts: ParseOptions{Tasks: tasks}, s: &Sweep{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		return nil, Problems{{File: file, Line: line, Col: 1, Msg: "invalid YAML: " + msg}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Problems{{File: file, Line: 1, Col: 1, Msg: "empty recipe, want a mapping with model, corpus, steps or tokens, and out"}}
	}
	r := p.recipe(doc.Content[0])
	if len(p.problems) > 0 {
		return nil, p.problems.sorted()
	}
	r.File, r.Source = file, data
	return r, nil
}

// recipe decodes the recipe's mapping.
func (p *parser) recipe(n *yaml.Node) *Recipe {
	const at = "recipe"
	r := &Recipe{Batch: defaultRecipeBatch, LR: defaultPretrainLR, Warmup: -1, WeightDecay: defaultRecipeWD,
		ClipNorm: defaultRecipeClip, Seed: defaultPretrainSeed, HeldOut: defaultRecipeHeldOut,
		EvalTokens: defaultRecipeEvalTokens, EvalEvery: defaultRecipeEvalEvery}
	var modelNode, seqNode, warmNode *yaml.Node
	seqLen, tokens, seed, dataSeed := -1, 0, int(r.Seed), 0
	minutes := defaultCheckpointMin
	present := p.mapping(n, at, []field{
		{"model", func(v *yaml.Node) { modelNode = v }},
		{"corpus", func(v *yaml.Node) {
			if s, ok := p.str(v, "corpus"); ok && p.knownTask(v, "corpus", s) {
				r.Corpus = s
			}
		}},
		p.intField(at, "data_seed", &dataSeed, 0, math.MaxInt, ""),
		p.intField(at, "steps", &r.Steps, 1, math.MaxInt, ""),
		p.intField(at, "tokens", &tokens, 1, math.MaxInt, ""),
		p.intField(at, "batch", &r.Batch, 1, math.MaxInt, ""),
		{"seq_len", func(v *yaml.Node) { seqNode = v }},
		p.positiveField(at, "lr", &r.LR),
		{"warmup", func(v *yaml.Node) { warmNode = v }},
		p.floatField(at, "weight_decay", &r.WeightDecay, 0, math.Inf(1), false),
		p.floatField(at, "clip_norm", &r.ClipNorm, 0, math.Inf(1), false),
		p.intField(at, "seed", &seed, 0, math.MaxInt, ""),
		{"held_out", func(v *yaml.Node) {
			if x, ok := p.number(v, "held_out"); ok {
				if !(x > 0 && x < 1) {
					p.errorf(v, "held_out: %g is out of range, want a fraction in (0, 1)", x)
					return
				}
				r.HeldOut = x
			}
		}},
		p.intField(at, "eval_tokens", &r.EvalTokens, 1, math.MaxInt, ""),
		p.intField(at, "eval_every", &r.EvalEvery, 1, math.MaxInt, " steps"),
		p.positiveField(at, "checkpoint_minutes", &minutes),
		{"keep", func(v *yaml.Node) { r.Keep = p.fractions(v, "keep") }},
		p.intField(at, "threads", &r.Threads, 0, math.MaxInt, " (0 = all CPUs)"),
		{"out", func(v *yaml.Node) {
			if s, ok := p.str(v, "out"); ok && s != "" {
				r.Out = s
			}
		}},
		{"fp16", func(v *yaml.Node) { r.FP16 = p.boolean(v, "fp16") }},
	})
	p.require(n, at, present, "model", "corpus", "out")
	if n.Kind != yaml.MappingNode {
		return r
	}
	if modelNode != nil {
		p.modelShape(modelNode)
		p.require(modelNode, "model", p.keysOf(modelNode), "arch")
		r.Model, r.Preset = p.s.Model, p.s.Preset
	}
	r.Seed, r.DataSeed = uint64(seed), uint64(dataSeed)
	r.SeqLen = min(defaultSeqLen, p.maxLen())
	if seqNode != nil {
		p.intField(at, "seq_len", &seqLen, 2, p.maxLen(), " (model max_len)").decode(seqNode)
		r.SeqLen = max(seqLen, 2)
	}
	switch {
	case present["steps"] != nil && present["tokens"] != nil:
		p.errorf(present["tokens"], "tokens: give steps or tokens, not both")
	case present["steps"] == nil && present["tokens"] == nil:
		p.errorf(n, "recipe: missing key \"steps\" or \"tokens\"")
	case present["tokens"] != nil:
		r.Tokens = int64(tokens)
		r.Steps = StepsForTokens(r.Tokens, r.Batch, r.SeqLen)
	}
	r.Warmup = r.Steps / 20
	if warmNode != nil {
		p.intField(at, "warmup", &r.Warmup, 0, max(r.Steps, 0), " steps (at most the steps)").decode(warmNode)
	}
	r.CheckpointEvery = time.Duration(minutes * float64(time.Minute))
	return r
}

// keysOf returns the keys of a mapping node, for require after a decode.
func (p *parser) keysOf(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = n.Content[i]
		}
	}
	return out
}

// fractions decodes a list of distinct fractions in [0, 1), returned sorted.
func (p *parser) fractions(n *yaml.Node, where string) []float64 {
	items, ok := p.list(n, where, "fractions in [0, 1)")
	if !ok {
		return nil
	}
	var out []float64
	for _, it := range items {
		if f, ok := p.number(it, where); ok && p.floatRange(it, where, f, 0, 1, false) {
			if slices.Contains(out, f) {
				p.errorf(it, "%s: %g is listed twice", where, f)
				continue
			}
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// boolean decodes true or false.
func (p *parser) boolean(n *yaml.Node, where string) bool {
	if p.scalar(n, where, "true or false") {
		if n.Tag == "!!bool" && !quoted(n) {
			return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
		}
		p.errorf(n, "%s: found %s, want true or false", where, kindName(n))
	}
	return false
}
