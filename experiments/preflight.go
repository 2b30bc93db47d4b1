package experiments

import (
	"context"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Parts of a sweep a preflight problem can be about (CheckProblem.Part).
const (
	PartTask   = "task"   // the run's fine-tuning task: its entry in tasks:
	PartCorpus = "corpus" // the pretraining corpus: model.pretraining.corpus
	PartMethod = "method" // the run's method setting: its entry in methods:
	PartBase   = "base"   // the model folder the base is read from: model.from
)

// CheckProblem is one problem a Checker found with a run, about one part of its sweep.
type CheckProblem struct {
	Part string // PartTask, PartCorpus, PartMethod or PartBase
	Err  error
}

// Checker is implemented by executors that can check a run before anything is pretrained or
// trained: they load the task and the corpus it reads (a malformed row is found here, with
// its file and line) and check them, and the method, against the model — task kind against
// architecture, labels against the head, a corpus named as a fine-tuning task or the other
// way round, the method's slot positions against max_len. Check returns every problem it
// finds.
type Checker interface {
	Check(ctx context.Context, run RunSpec) []CheckProblem
}

// Preflight checks the runs with exec, when it is a Checker, before any of them starts:
// every distinct combination of task, corpus, data, model and method setting once. It
// returns every problem as Problems, each at the line of the sweep file that names the task,
// corpus or method entry concerned, so that a sweep with a broken task refuses to start
// instead of failing after pretraining. It returns nil when all is well or exec cannot check.
func Preflight(ctx context.Context, sw *Sweep, runs []RunSpec, exec Executor) error {
	checker, ok := exec.(Checker)
	if !ok {
		return nil
	}
	pos := newPositions(sw)
	var problems Problems
	seen := map[string]bool{}
	for _, r := range runs {
		key := hashJSON([]any{r.Task, r.Pretrain.Corpus, r.Data, r.Model, r.Method.Label(), r.Method})
		if seen[key] {
			continue
		}
		seen[key] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, cp := range checker.Check(ctx, r) {
			problems = append(problems, pos.problem(r, cp))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return problems.sorted()
}

// positions finds the YAML nodes of a sweep file that preflight problems point at.
type positions struct {
	file    string
	tasks   map[string]*yaml.Node // by task name
	corpus  *yaml.Node
	from    *yaml.Node
	methods map[string]*yaml.Node // the first entry of each method name
	top     *yaml.Node
}

// newPositions reads the sweep's source again for the positions of its tasks, corpus and
// method entries. A source that does not parse (a sweep built in code) gives line 1.
func newPositions(sw *Sweep) *positions {
	p := &positions{file: sw.File, tasks: map[string]*yaml.Node{}, methods: map[string]*yaml.Node{}}
	var doc yaml.Node
	if yaml.Unmarshal(sw.Source, &doc) != nil || len(doc.Content) == 0 {
		return p
	}
	p.top = doc.Content[0]
	for _, it := range seqOf(valueOf(p.top, "tasks")) {
		name := it
		if it.Kind == yaml.MappingNode {
			name = valueOf(it, "name")
		}
		if name != nil {
			p.tasks[name.Value] = name
		}
	}
	p.corpus = valueOf(valueOf(valueOf(p.top, "model"), "pretraining"), "corpus")
	p.from = valueOf(valueOf(p.top, "model"), "from")
	for _, it := range seqOf(valueOf(p.top, "methods")) {
		if name := valueOf(it, "name"); name != nil && p.methods[name.Value] == nil {
			p.methods[name.Value] = it
		}
	}
	return p
}

// problem places a check problem of run r at its node.
func (p *positions) problem(r RunSpec, cp CheckProblem) Problem {
	var n *yaml.Node
	var what string
	switch cp.Part {
	case PartTask:
		n, what = p.tasks[r.Task], "task "+r.Task
	case PartCorpus:
		n, what = p.corpus, "corpus "+r.Pretrain.Corpus
	case PartBase:
		n, what = p.from, "model.from "+r.Pretrain.From
	default:
		n, what = p.methods[r.Method.Name], r.Method.Label()
	}
	if n == nil {
		n = p.top
	}
	line, col := 1, 1
	if n != nil {
		line, col = n.Line, n.Column
	}
	return Problem{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf("%s: %v", what, cp.Err)}
}

// valueOf returns the value of key in the mapping node n, or nil.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// seqOf returns the items of the sequence node n, or none.
func seqOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}
