package experiments

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/datasets"
)

// ParseOptions change how a sweep file is checked.
type ParseOptions struct {
	// Tasks are the task and corpus names a sweep may use; nil means the built-in tasks of
	// package datasets. A program that registers its own tasks passes the registry's names.
	Tasks []string
	// CheckAnalysis, when set, checks the analysis: section, for example with
	// analysis.ParseSpecNode. Problems it returns are reported at their own positions (File
	// filled in), any other error at the section's. The package does not import analysis
	// itself, so that analysis may read what experiments writes.
	CheckAnalysis func(section *yaml.Node) error
	// CacheDir is the data cache folder (runexp --cache; "" = datasets.DefaultCacheDir()):
	// where the content hashes of the files the sweep reads are remembered (Sweep.CacheDir).
	CacheDir string
}

// Load reads and checks the sweep file at path against the built-in tasks. On any problem it
// returns Problems, every one of them, each as file:line:col: message.
func Load(path string) (*Sweep, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load sweep: %w", err)
	}
	return Parse(path, data, ParseOptions{})
}

// Parse reads and checks a sweep file held in data; file names it in problems.
func Parse(file string, data []byte, opts ParseOptions) (*Sweep, error) {
	if opts.Tasks == nil {
		opts.Tasks = datasets.NewRegistry(datasets.Options{}).Names()
	}
	p := &parser{decoder: decoder{file: file}, opts: opts, s: &Sweep{File: file, Source: data, CacheDir: opts.CacheDir}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		return nil, Problems{{File: file, Line: line, Col: 1, Msg: "invalid YAML: " + msg}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, Problems{{File: file, Line: 1, Col: 1, Msg: "empty sweep file, want a mapping with name, model, tasks, train, methods and seeds"}}
	}
	p.top(doc.Content[0])
	if len(p.problems) > 0 {
		return nil, p.problems.sorted()
	}
	return p.s, nil
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// yamlErrorLine pulls the line number out of a yaml.v3 syntax error. yaml.v3 numbers the
// lines of its parser errors ("did not find expected ...") from 0 and those of its scanner
// errors from 1; both come out numbered from 1.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	m := yamlLine.FindStringSubmatchIndex(msg)
	if m == nil {
		return 1, msg
	}
	line, _ := strconv.Atoi(msg[m[2]:m[3]])
	msg = msg[:m[0]] + msg[m[1]:]
	if strings.HasPrefix(msg, "did not find expected") {
		line++
	}
	return line, msg
}

// parser decodes the sections of one sweep file into s.
type parser struct {
	decoder
	opts ParseOptions
	s    *Sweep
	// modelOK says the model resolved, so the method values can be checked against it.
	modelOK bool
}

// sweepName is what a results folder name may hold.
var sweepName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// top decodes the document's mapping. Sections are gathered first and decoded in dependency
// order: the model before the methods, whose values are checked against its dimensions.
func (p *parser) top(root *yaml.Node) {
	sections := map[string]*yaml.Node{}
	keep := func(key string) field {
		return field{key, func(v *yaml.Node) { sections[key] = v }}
	}
	present := p.mapping(root, "sweep", []field{
		keep("name"), keep("version"), keep("model"), keep("data"), keep("tasks"), keep("train"),
		keep("methods"), keep("budget"), keep("seeds"), keep("threads"), keep("analysis"),
	})
	p.require(root, "sweep", present, "name", "model", "tasks", "train", "methods", "seeds")
	if root.Kind != yaml.MappingNode {
		return
	}
	if n := sections["name"]; n != nil {
		name, ok := p.str(n, "name")
		switch {
		case !ok:
		case !sweepName.MatchString(name):
			p.errorf(n, "name: %q cannot name a folder, want letters, digits, '.', '_' or '-'", name)
		default:
			p.s.Name = name
		}
	}
	p.s.Version = 1
	if n := sections["version"]; n != nil {
		if v, ok := p.integer(n, "version"); ok && v != 1 {
			p.errorf(n, "version: %d is not supported, want 1", v)
		}
	}
	if n := sections["model"]; n != nil {
		p.model(n)
	}
	p.data(sections["data"])
	if n := sections["tasks"]; n != nil {
		p.tasks(n)
	}
	if n := sections["train"]; n != nil {
		p.train(n)
	}
	if n := sections["seeds"]; n != nil {
		p.seeds(n)
	}
	if n := sections["threads"]; n != nil {
		if v, ok := p.integer(n, "threads"); ok && p.intRange(n, "threads", v, 0, math.MaxInt, " (0 = all CPUs)") {
			p.s.Threads = v
		}
	}
	if n := sections["methods"]; n != nil {
		p.methods(n, sections["budget"])
	}
	if n := sections["analysis"]; n != nil {
		p.analysis(n)
	}
	if len(p.problems) == 0 {
		p.checkExpansion()
	}
}

// knownTask checks a task or corpus name against the known tasks, and the file tasks of
// package datasets (glue:TASK:DIR, e2e:DIR, jsonl:DIR) by the form of their name.
func (p *parser) knownTask(n *yaml.Node, where, name string) bool {
	if slices.Contains(p.opts.Tasks, name) || fileTask(name) {
		return true
	}
	p.errorf(n, "%s: unknown task %q, want one of %s", where, name, strings.Join(p.opts.Tasks, ", "))
	return false
}

// seeds decodes the replicate axis: one seed or a list of distinct non-negative seeds.
func (p *parser) seeds(n *yaml.Node) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		var ok bool
		if items, ok = p.list(n, "seeds", "seed"); !ok {
			return
		}
	}
	for i, it := range items {
		at := fmt.Sprintf("seeds[%d]", i)
		v, ok := p.integer(it, at)
		if !ok || !p.intRange(it, at, v, 0, math.MaxInt, "") {
			continue
		}
		if slices.Contains(p.s.Seeds, v) {
			p.errorf(it, "%s: seed %d repeated", at, v)
			continue
		}
		p.s.Seeds = append(p.s.Seeds, v)
	}
}

// data decodes the optional data: section.
func (p *parser) data(n *yaml.Node) {
	if n == nil {
		return
	}
	d := &p.s.Data
	capField := func(key string, dst *int) field {
		return field{key, func(v *yaml.Node) {
			at := "data." + key
			if x, ok := p.integer(v, at); ok && p.intRange(v, at, x, -1, math.MaxInt, " (0 = the task's default, -1 = all)") {
				*dst = x
			}
		}}
	}
	p.mapping(n, "data", []field{
		{"seed", func(v *yaml.Node) {
			if x, ok := p.integer(v, "data.seed"); ok && p.intRange(v, "data.seed", x, 0, math.MaxInt, "") {
				d.Seed = x
			}
		}},
		capField("max_train", &d.MaxTrain),
		capField("max_validation", &d.MaxValidation),
		capField("max_test", &d.MaxTest),
	})
}

// analysis keeps the analysis: section and has it checked when the options say how.
func (p *parser) analysis(n *yaml.Node) {
	p.s.Analysis = n
	if p.opts.CheckAnalysis == nil {
		return
	}
	err := p.opts.CheckAnalysis(n)
	var ps Problems
	switch {
	case err == nil:
	case errors.As(err, &ps):
		for _, q := range ps {
			q.File, q.Msg = p.file, "analysis."+q.Msg
			if q.Line == 0 {
				q.Line, q.Col = n.Line, n.Column
			}
			p.problems = append(p.problems, q)
		}
	default:
		p.errorf(n, "analysis: %v", err)
	}
}

// AnalysisYAML returns the sweep's analysis: section as a YAML document, or nil when the
// sweep has none; analysis.ParseSpec decodes it.
func (s *Sweep) AnalysisYAML() ([]byte, error) {
	if s.Analysis == nil {
		return nil, nil
	}
	data, err := yaml.Marshal(s.Analysis)
	if err != nil {
		return nil, fmt.Errorf("sweep %s: analysis section: %w", s.Name, err)
	}
	return data, nil
}

// fileTask reports whether name is a file task that datasets.Registry.Load reads from the
// user's own files: glue:TASK:DIR, e2e:DIR or jsonl:DIR. Whether the files are there is
// checked when the run loads them.
func fileTask(name string) bool {
	return strings.Contains(name, ":") && datasets.NewRegistry(datasets.Options{}).Known(name)
}
