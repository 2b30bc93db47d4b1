package experiments

import (
	"math"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/model"
)

// Defaults of the model: and pretraining: sections.
const (
	defaultVocab         = 4096
	defaultPretrainBatch = 16
	defaultSeqLen        = 128
	defaultPretrainLR    = 5e-4
	defaultPretrainSeed  = 1
)

// model decodes the model: section into a model.Config, from a preset and explicit
// dimensions, and its pretraining: subsection.
func (p *parser) model(n *yaml.Node) {
	var pre *yaml.Node
	present := p.modelShape(n, field{"pretraining", func(v *yaml.Node) { pre = v }})
	p.require(n, "model", present, "arch", "pretraining")
	if pre != nil {
		p.pretraining(pre)
	}
}

// modelShape decodes the shape keys of a model: section (and the extra keys given) into
// p.s.Model and p.s.Preset, setting p.modelOK if the shape is valid; it returns the keys
// present.
func (p *parser) modelShape(n *yaml.Node, extra ...field) map[string]*yaml.Node {
	var arch, preset, activation string
	vocab := defaultVocab
	dims := map[string]*int{}
	dim := func(key string) field {
		x := new(int)
		return field{key, func(v *yaml.Node) {
			if p.intField("model", key, x, 1, math.MaxInt, "").decode(v); *x > 0 {
				dims[key] = x
			}
		}}
	}
	dropout := -1.0
	present := p.mapping(n, "model", append([]field{
		p.enumField("model", "arch", &arch, model.Encoder, model.Decoder),
		p.enumField("model", "preset", &preset, "tiny", "small", "gpt2-small"),
		p.intField("model", "vocab", &vocab, 2, math.MaxInt, ""),
		dim("d_model"), dim("layers"), dim("heads"), dim("d_ff"), dim("max_len"),
		p.floatField("model", "dropout", &dropout, 0, 1, false),
		p.enumField("model", "activation", &activation, "gelu", "relu"),
	}, extra...))
	if p.resolveModel(n, present, arch, preset, vocab, dims, dropout, activation) {
		p.modelOK = true
	}
	return present
}

// resolveModel builds the model config from a preset and the explicit dimensions, and
// reports whether it is valid.
func (p *parser) resolveModel(n *yaml.Node, present map[string]*yaml.Node, arch, preset string, vocab int,
	dims map[string]*int, dropout float64, activation string) bool {
	if n.Kind != yaml.MappingNode || arch == "" {
		return false
	}
	c := model.Config{Arch: arch, Vocab: vocab, Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	if preset != "" {
		var err error
		if c, err = model.Preset(preset, arch, vocab); err != nil {
			p.errorf(present["preset"], "model.preset: %v", err)
			return false
		}
	} else {
		missing := false
		for _, k := range []string{"d_model", "layers", "heads", "d_ff", "max_len"} {
			if present[k] == nil {
				p.errorf(n, "model: missing key %q (or give a preset: tiny, small or gpt2-small)", k)
				missing = true
			}
		}
		if missing {
			return false
		}
	}
	set := map[string]*int{"d_model": &c.DModel, "layers": &c.Layers, "heads": &c.Heads, "d_ff": &c.DFF, "max_len": &c.MaxLen}
	for k, v := range dims {
		*set[k] = *v
	}
	if dropout >= 0 {
		c.Dropout = float32(dropout)
	}
	if activation != "" {
		c.Activation = activation
	}
	p.s.Model, p.s.Preset = c, preset
	if err := c.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			p.errorf(n, "model: %s", strings.TrimPrefix(line, "model config: "))
		}
		return false
	}
	return true
}

// pretraining decodes model.pretraining: the corpus and the masked-/causal-LM schedule.
func (p *parser) pretraining(n *yaml.Node) {
	const at = "model.pretraining"
	maxLen := p.maxLen()
	pt := Pretrain{Batch: defaultPretrainBatch, SeqLen: min(defaultSeqLen, maxLen), LR: defaultPretrainLR, Seed: defaultPretrainSeed}
	present := p.mapping(n, at, []field{
		{"corpus", func(v *yaml.Node) {
			if s, ok := p.str(v, at+".corpus"); ok && p.knownTask(v, at+".corpus", s) {
				pt.Corpus = s
			}
		}},
		p.intField(at, "steps", &pt.Steps, 0, math.MaxInt, " (0 = no pretraining)"),
		p.intField(at, "batch", &pt.Batch, 1, math.MaxInt, ""),
		p.intField(at, "seq_len", &pt.SeqLen, 2, maxLen, " (model max_len)"),
		p.positiveField(at, "lr", &pt.LR),
		p.intField(at, "seed", &pt.Seed, 0, math.MaxInt, ""),
	})
	p.require(n, at, present, "corpus", "steps")
	p.s.Pretrain = pt
}
