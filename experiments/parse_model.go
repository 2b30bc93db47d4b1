package experiments

import (
	"math"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/model/arch"
	model "loralab/model/arch" // the configuration alone: model.Config is arch.Config
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
	if hasKey(n, "from") {
		p.modelFrom(n)
		return
	}
	var pre *yaml.Node
	present := p.modelShape(n, field{"pretraining", func(v *yaml.Node) { pre = v }})
	p.require(n, "model", present, "arch", "pretraining")
	if pre != nil {
		p.pretraining(pre)
	}
}

// hasKey reports whether the mapping n has key.
func hasKey(n *yaml.Node, key string) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
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

// modelFrom decodes model: {from: DIR, ...}: the base is the model folder DIR (a folder
// runexp pretrain wrote, any loralab model folder, or a Hugging Face GPT-2 or RoBERTa
// folder), read rather than pretrained; from: [DIR, ...] is the base axis (fromFolders).
// Shape keys beside from must agree with the folder's config; dropout, which only
// fine-tuning uses, may change. pretraining is an error.
func (p *parser) modelFrom(n *yaml.Node) {
	var fromNode, dropNode *yaml.Node
	shape := map[string]*yaml.Node{}
	keep := func(key string) field { return field{key, func(v *yaml.Node) { shape[key] = v }} }
	p.mapping(n, "model", []field{
		{"from", func(v *yaml.Node) { fromNode = v }},
		keep("arch"), keep("preset"), keep("vocab"), keep("d_model"), keep("layers"), keep("heads"),
		keep("d_ff"), keep("max_len"), keep("activation"),
		{"dropout", func(v *yaml.Node) { dropNode = v }},
		{"pretraining", func(v *yaml.Node) {
			p.errorf(v, "model.pretraining: the base is read from the folder given by from, not pretrained: remove one of them")
		}},
	})
	if fromNode == nil {
		return
	}
	bases, list := p.fromFolders(fromNode)
	if len(bases) == 0 {
		return
	}
	cfg := bases[0].cfg
	consistent := p.agreesWith(cfg, bases[0].Dir, shape)
	if dropNode != nil {
		d := -1.0
		p.floatField("model", "dropout", &d, 0, 1, false).decode(dropNode)
		if d >= 0 {
			cfg.Dropout = float32(d)
		}
	}
	p.s.Model, p.s.Pretrain = cfg, Pretrain{From: bases[0].Dir, FromSHA256: bases[0].SHA256}
	p.s.BaseAxis = list
	for _, b := range bases {
		p.s.Bases = append(p.s.Bases, b.BaseFolder)
	}
	if n := shape["preset"]; n != nil {
		p.s.Preset = n.Value
	}
	p.modelOK = consistent
}

// agreesWith checks each shape key given beside from against the folder's config cfg, and
// reports whether all agree.
func (p *parser) agreesWith(cfg arch.Config, dir string, shape map[string]*yaml.Node) bool {
	ok := true
	disagree := func(n *yaml.Node, key string, given, folder any) {
		p.errorf(n, "model.%s: %v contradicts the folder %s, whose %s is %v", key, given, dir, key, folder)
		ok = false
	}
	if n := shape["arch"]; n != nil {
		if s, good := p.str(n, "model.arch"); good && s != cfg.Arch {
			disagree(n, "arch", s, cfg.Arch)
		}
	}
	if n := shape["activation"]; n != nil {
		if s, good := p.str(n, "model.activation"); good && s != cfg.Activation {
			disagree(n, "activation", s, cfg.Activation)
		}
	}
	dims := map[string]int{"vocab": cfg.Vocab, "d_model": cfg.DModel, "layers": cfg.Layers, "heads": cfg.Heads, "d_ff": cfg.DFF, "max_len": cfg.MaxLen}
	for _, key := range []string{"vocab", "d_model", "layers", "heads", "d_ff", "max_len"} {
		if n := shape[key]; n != nil {
			if v, good := p.integer(n, "model."+key); good && v != dims[key] {
				disagree(n, key, v, dims[key])
			}
		}
	}
	if n := shape["preset"]; n != nil {
		if name, good := p.str(n, "model.preset"); good {
			pc, err := model.Preset(name, cfg.Arch, cfg.Vocab)
			switch {
			case err != nil:
				p.errorf(n, "model.preset: %v", err)
				ok = false
			case pc.DModel != cfg.DModel || pc.Layers != cfg.Layers || pc.Heads != cfg.Heads || pc.DFF != cfg.DFF:
				p.errorf(n, "model.preset: %s (d=%d L=%d h=%d ff=%d) contradicts the folder %s, whose shape is d=%d L=%d h=%d ff=%d",
					name, pc.DModel, pc.Layers, pc.Heads, pc.DFF, dir, cfg.DModel, cfg.Layers, cfg.Heads, cfg.DFF)
				ok = false
			}
		}
	}
	return ok
}
