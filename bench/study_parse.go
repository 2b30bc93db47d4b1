package bench

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/target"
)

// defaultVocab is the vocabulary of the tiny and small presets when the study gives none
// (a sweep file's default too); gpt2-small has GPT-2's 50257.
const defaultVocab = 4096

// LoadLatencyStudy reads and checks the latency-study file at path.
func LoadLatencyStudy(path string) (*LatencyStudy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load latency study: %w", err)
	}
	return ParseLatencyStudy(path, data)
}

// ParseLatencyStudy checks a latency-study file held in data (file names it in problems) and
// returns it with every default filled in. On any problem it returns experiments.Problems,
// all of them, in file order.
func ParseLatencyStudy(file string, data []byte) (*LatencyStudy, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, experiments.Problems{{File: file, Line: yamlErrorLine(err), Col: 1, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, experiments.Problems{{File: file, Line: 1, Col: 1, Msg: "empty latency study, want a mapping with study: latency, name, batch, seq and sizes"}}
	}
	p := &studyParser{file: file, s: &LatencyStudy{File: file, Source: data, Preset: "gpt2-small",
		Reps: map[int]int{0: 10}, Warmup: 1, Estimator: EstimatorMedian, Seed: 1, Variants: slices.Clone(defaultVariants), LoRATargets: target.Default()}}
	p.top(doc.Content[0])
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b experiments.Problem) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Col - b.Col
		})
		return nil, p.problems
	}
	return p.s, nil
}

var yamlErrLine = regexp.MustCompile(`line (\d+)`)

// yamlErrorLine is the line a yaml.v3 syntax error names (1 when it names none). yaml.v3
// numbers the lines of its parser errors ("did not find expected ...") from 0 and those of
// its scanner errors from 1; both come out numbered from 1.
func yamlErrorLine(err error) int {
	m := yamlErrLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 1
	}
	n, _ := strconv.Atoi(m[1])
	if strings.Contains(err.Error(), "did not find expected") {
		n++
	}
	return max(n, 1)
}

// studyParser decodes a latency-study file, collecting problems instead of stopping.
type studyParser struct {
	file     string
	s        *LatencyStudy
	problems experiments.Problems
}

func (p *studyParser) bad(n *yaml.Node, format string, a ...any) {
	p.problems = append(p.problems, experiments.Problem{File: p.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, a...)})
}

var studyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// top decodes the top-level mapping, then checks what needs several keys at once.
func (p *studyParser) top(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.bad(n, "want a mapping with study: latency, name, batch, seq and sizes, found a %s", kindName(n))
		return
	}
	var modelNode, seqNode, sizesNode, variantsNode, repsNode *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.bad(k, "key %q given twice", k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "study":
			if v.Kind != yaml.ScalarNode || v.Value != LatencyStudyKind {
				p.bad(v, "study: want %q, found %q", LatencyStudyKind, v.Value)
			}
		case "name":
			if v.Kind != yaml.ScalarNode || !studyName.MatchString(v.Value) {
				p.bad(v, "name: want letters, digits, '_', '.' or '-' (it names the results folder), found %q", v.Value)
			}
			p.s.Name = v.Value
		case "model":
			modelNode = v
		case "batch":
			p.s.Batches = p.positiveList(v, "batch")
		case "seq":
			seqNode, p.s.Seqs = v, p.positiveList(v, "seq")
		case "sizes":
			sizesNode, p.s.Sizes = v, p.positiveList(v, "sizes")
		case "variants":
			variantsNode, p.s.Variants = v, p.variants(v)
		case "lora_targets":
			p.s.LoRATargets = p.targets(v)
		case "reps":
			repsNode = v
		case "warmup":
			p.s.Warmup = p.integer(v, "warmup", 0)
		case "estimator":
			if v.Value != EstimatorMedian && v.Value != EstimatorMin {
				p.bad(v, "estimator: want median or min, found %q", v.Value)
			}
			p.s.Estimator = v.Value
		case "threads":
			p.s.Threads = p.integer(v, "threads", 0)
		case "seed":
			p.s.Seed = uint64(p.integer(v, "seed", 0))
		default:
			p.bad(k, "unknown key %q, want study, name, model, batch, seq, sizes, variants, lora_targets, reps, warmup, estimator, threads or seed", k.Value)
		}
	}
	if repsNode != nil {
		p.reps(repsNode)
	}
	for _, key := range []string{"study", "name", "batch", "seq", "sizes"} {
		if !seen[key] {
			p.bad(n, "missing key %q", key)
		}
	}
	shape, ok := p.model(modelNode)
	if !ok {
		return
	}
	p.s.Shape = Shape{Arch: shape.Arch, DModel: shape.DModel, Layers: shape.Layers, Heads: shape.Heads,
		DFF: shape.DFF, Vocab: shape.Vocab, MaxLen: shape.MaxLen}
	p.checkGrid(shape, seqNode, sizesNode, variantsNode)
}

// checkGrid checks the sequence lengths against the model and every variant at every size.
func (p *studyParser) checkGrid(cfg model.Config, seqNode, sizesNode, variantsNode *yaml.Node) {
	for i, seq := range p.s.Seqs {
		if seq > cfg.MaxLen {
			p.bad(seqNode.Content[i], "seq %d exceeds the model's max_len %d", seq, cfg.MaxLen)
		}
	}
	if variantsNode == nil {
		variantsNode = sizesNode
	}
	dims := arch.DimsOf(cfg)
	for i, size := range p.s.Sizes {
		for _, v := range p.s.VariantsAt(size) {
			if err := v.Spec.Validate(dims); err != nil {
				p.bad(sizesNode.Content[i], "size %d for %s: %v", size, v.Name, err)
			}
			if v.Spec.Prefix > 0 && len(p.s.Seqs) > 0 && v.Spec.Prefix+2 > slices.Min(p.s.Seqs) {
				p.bad(variantsNode, "%s with %d prefix tokens does not fit in seq %d (want prefix + 2 <= every seq)", v.Name, size, slices.Min(p.s.Seqs))
			}
		}
	}
}

// model decodes the model: section into a configuration (the preset, then any explicit
// dimensions), with dropout off: latency is measured without it.
func (p *studyParser) model(n *yaml.Node) (model.Config, bool) {
	arch, preset, vocab := model.Decoder, p.s.Preset, 0
	dims := map[string]*int{}
	var dimNodes []*yaml.Node
	if n != nil {
		if n.Kind != yaml.MappingNode {
			p.bad(n, "model: want a mapping (preset, arch, vocab, d_model, layers, heads, d_ff, max_len), found a %s", kindName(n))
			return model.Config{}, false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "preset":
				preset = v.Value
			case "arch":
				if v.Value != model.Decoder && v.Value != model.Encoder {
					p.bad(v, "model.arch: want decoder or encoder, found %q", v.Value)
					return model.Config{}, false
				}
				arch = v.Value
			case "vocab":
				vocab = p.integer(v, "model.vocab", 1)
			case "d_model", "layers", "heads", "d_ff", "max_len":
				x := p.integer(v, "model."+k.Value, 1)
				dims[k.Value] = &x
				dimNodes = append(dimNodes, v)
			default:
				p.bad(k, "unknown key model.%s, want preset, arch, vocab, d_model, layers, heads, d_ff or max_len", k.Value)
			}
		}
	}
	if vocab == 0 && preset != "gpt2-small" {
		vocab = defaultVocab
	}
	cfg, err := model.Preset(preset, arch, vocab)
	if err != nil {
		at := n
		if at == nil {
			at = &yaml.Node{Line: 1, Column: 1}
		}
		p.bad(at, "%v", err)
		return model.Config{}, false
	}
	p.s.Preset = preset
	for key, dst := range map[string]*int{"d_model": &cfg.DModel, "layers": &cfg.Layers, "heads": &cfg.Heads, "d_ff": &cfg.DFF, "max_len": &cfg.MaxLen} {
		if v, ok := dims[key]; ok {
			*dst = *v
		}
	}
	cfg.Dropout = 0
	if err := cfg.Validate(); err != nil {
		at := n
		if len(dimNodes) > 0 {
			at = dimNodes[0]
		}
		p.bad(at, "model: %v", err)
		return model.Config{}, false
	}
	return cfg, true
}

// integer decodes a scalar integer of at least lo (lo itself after reporting a problem).
func (p *studyParser) integer(n *yaml.Node, key string, lo int) int {
	v, ok := p.checkedInteger(n, key, lo)
	if !ok {
		return lo
	}
	return v
}

// checkedInteger decodes a scalar integer of at least lo and says whether it was one.
func (p *studyParser) checkedInteger(n *yaml.Node, key string, lo int) (int, bool) {
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v < lo {
		p.bad(n, "%s: want an integer >= %d, found %q", key, lo, n.Value)
		return 0, false
	}
	return v, true
}

// positiveList decodes a non-empty list of distinct positive integers (a scalar is a list of
// one).
func (p *studyParser) positiveList(n *yaml.Node, key string) []int {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			p.bad(n, "%s: want at least one value", key)
		}
	}
	var out []int
	for _, it := range items {
		v, ok := p.checkedInteger(it, key, 1)
		if !ok {
			continue
		}
		if slices.Contains(out, v) {
			p.bad(it, "%s: %d given twice", key, v)
		}
		out = append(out, v)
	}
	return out
}

// reps decodes reps: one number for every batch size, or a mapping from each batch size of
// the study to its number.
func (p *studyParser) reps(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.s.Reps = map[int]int{0: p.integer(n, "reps", 1)}
		return
	}
	p.s.Reps = map[int]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		batch, ok := p.checkedInteger(k, "reps key", 1)
		if !ok {
			continue
		}
		if !slices.Contains(p.s.Batches, batch) {
			p.bad(k, "reps: batch %d is not in the study's batch list %v", batch, p.s.Batches)
		}
		p.s.Reps[batch] = p.integer(v, fmt.Sprintf("reps for batch %d", batch), 1)
	}
	for _, b := range p.s.Batches {
		if _, ok := p.s.Reps[b]; !ok {
			p.bad(n, "reps: no entry for batch %d (give every batch size its number of passes, or one number for all)", b)
		}
	}
}

// variants decodes the variant kinds to time.
func (p *studyParser) variants(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.bad(n, "variants: want a non-empty list of %s", strings.Join(VariantKinds(), ", "))
		return nil
	}
	var out []string
	for _, it := range n.Content {
		switch {
		case !slices.Contains(VariantKinds(), it.Value):
			p.bad(it, "variants: unknown variant %q, want one of %s", it.Value, strings.Join(VariantKinds(), ", "))
		case slices.Contains(out, it.Value):
			p.bad(it, "variants: %q given twice", it.Value)
		default:
			out = append(out, it.Value)
		}
	}
	return out
}

// targets decodes the LoRA target matrices.
func (p *studyParser) targets(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.bad(n, "lora_targets: want a non-empty list such as [q, v]")
		return nil
	}
	out := make([]string, len(n.Content))
	for i, it := range n.Content {
		out[i] = it.Value
	}
	return out
}

// kindName names a YAML node kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return fmt.Sprintf("scalar %q", n.Value)
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}
