package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"loralab/datasets"
	"loralab/method"
	"loralab/model/arch"
)

// identitySchema is part of every run id: bump it when the meaning of a config field changes,
// so old results are not mistaken for new ones.
const identitySchema = 1

// RunSpec is one training run, fully resolved: everything that decides its result, plus the
// labels reports need. config.json in the run folder is its JSON.
type RunSpec struct {
	Index int    `json:"-"`  // position in the expanded sweep: the stable order shards use
	ID    string `json:"id"` // content hash of the resolved config (see RunID)
	Sweep string `json:"sweep"`

	Model    arch.Config `json:"model"` // NumLabels is 0: the executor sets it from the task
	Pretrain Pretrain    `json:"pretraining"`
	// Base is the model folder the run starts from (model: {from: ...}), with its
	// pretraining tokens, for reports; nil for a pretrained base. It is no part of the run's
	// identity: Pretrain.FromSHA256 is.
	Base   *BaseFolder `json:"base_folder,omitempty"`
	Data   Data        `json:"data"`
	Task   string      `json:"task"`
	Train  Train       `json:"train"`  // Train.LR resolved for this method
	Method method.Spec `json:"method"` // Method.LR folded into Train.LR
	Seed   int         `json:"seed"`

	// Axes are the values this run takes on its entry's swept fields, plus "budget" and the
	// solved field when a budget chose the size; reports group runs by them.
	Axes   map[string]any `json:"axes,omitempty"`
	Budget int            `json:"budget,omitempty"` // parameter budget that chose the size, 0 = none
	// PaperParams is the trainable-parameter count by the paper's formula (head excluded).
	PaperParams int `json:"paper_params"`
	// Inputs holds the content hash (HashDir) of every file input the run reads, keyed by
	// its name in the sweep (a task or corpus such as jsonl:DIR); the run's identity names
	// the input by this hash instead of its folder (contentName).
	Inputs map[string]string `json:"inputs,omitempty"`

	Threads int `json:"-"` // threads this run may use; no part of its identity
	// ThreadsNow, when set (Run sets it), says how many threads the run may use now, which
	// is more than Threads once the sweep's other jobs have no run left to take; executors
	// that can change their thread count between steps ask it. No part of its identity.
	ThreadsNow func() int `json:"-"`
}

// identity is what a run id hashes: the resolved config, without labels or threads.
type identity struct {
	Schema   int         `json:"schema"`
	Model    arch.Config `json:"model"`
	Pretrain Pretrain    `json:"pretraining"`
	Data     Data        `json:"data"`
	Task     string      `json:"task"`
	Train    Train       `json:"train"`
	Method   method.Spec `json:"method"`
	Seed     int         `json:"seed"`
}

// RunID is the content id of a run: the first 12 hex digits of the SHA-256 of the canonical
// JSON of its resolved config (model, pretraining, data, task, train settings, method setting,
// seed). Labels, the sweep's name and the thread count are not part of it, so the same run in
// two sweeps, or on two machines, has the same id.
//
// A task or corpus read from files enters by its kind and the content hash of its folder
// (Inputs): editing a file changes the id, moving the folder does not. Built-in tasks enter
// by name, so their ids do not depend on the data cache.
func (r RunSpec) RunID() string {
	return hashJSON(identity{identitySchema, r.Model, r.pretrainIdentity(), r.Data, r.contentName(r.Task), r.Train, r.Method, r.Seed})
}

// contentName is how a run's identity names a task or corpus: one read from files by its
// kind and the content hash of its folder ("jsonl@sha256:…"), any other by its name.
func (r RunSpec) contentName(name string) string {
	h, ok := r.Inputs[name]
	if !ok {
		return name
	}
	kind, _, _ := datasets.FileTask(name)
	return kind + "@sha256:" + h
}

// pretrainIdentity is the pretraining settings with the corpus named by content.
func (r RunSpec) pretrainIdentity() Pretrain {
	p := r.Pretrain
	p.Corpus = r.contentName(p.Corpus)
	return p
}

// PretrainKey identifies the pretrained base model of a run: runs with the same key can share
// one pretraining.
func (r RunSpec) PretrainKey() string {
	return hashJSON(struct {
		Schema   int         `json:"schema"`
		Model    arch.Config `json:"model"`
		Pretrain Pretrain    `json:"pretraining"`
		DataSeed int         `json:"data_seed"`
	}{identitySchema, r.Model, r.pretrainIdentity(), r.Data.Seed})
}

// hashJSON hashes the JSON of v. encoding/json writes struct fields in declaration order and
// map keys sorted, so the encoding is canonical for these types.
func hashJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("experiments: run config does not encode: %v", err)) // plain data: cannot happen
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// AxisBase is the axis key that names a run's base folder on the base axis
// (model: {from: [DIR, ...]}).
const AxisBase = "base"

// Label names the run for people: its base on the base axis, task, method setting,
// learning rate when the sweep searches it, and seed.
func (r RunSpec) Label() string {
	out := fmt.Sprintf("%s %s", r.Task, r.Method.Label())
	if b, ok := r.Axes[AxisBase]; ok {
		out = fmt.Sprintf("%s@%v", out, b)
	}
	if _, ok := r.Axes["lr"]; ok {
		out += fmt.Sprintf(" lr=%g", r.Train.LR)
	}
	return fmt.Sprintf("%s seed=%d", out, r.Seed)
}

// Expand turns the sweep into its runs, in a stable order: bases (on the base axis), then
// tasks, then method entries, then the entry's settings (its last axis varying fastest),
// then seeds. A run that two entries both produce (a budget list solving to the same size,
// say) appears once, at its first place.
func (s *Sweep) Expand() ([]RunSpec, error) {
	var runs []RunSpec
	seen := map[string]bool{}
	inputs := s.inputHashes()
	bases := s.Bases
	if len(bases) == 0 {
		bases = []BaseFolder{{}} // the pretrained base
	}
	for _, b := range bases {
		for _, task := range s.Tasks {
			var err error
			if runs, err = s.expandTask(runs, seen, b, task, inputs); err != nil {
				return nil, err
			}
		}
	}
	return runs, nil
}

// expandTask appends to runs the runs of one base and task not seen yet: method entries,
// then the entry's settings, then seeds.
func (s *Sweep) expandTask(runs []RunSpec, seen map[string]bool, b BaseFolder, task string, inputs map[string]string) ([]RunSpec, error) {
	for i, m := range s.Methods {
		settings, err := s.settings(m)
		if err != nil {
			return nil, fmt.Errorf("expand methods[%d]: %w", i, err)
		}
		for _, st := range settings {
			for _, seed := range s.Seeds {
				r := s.run(b, task, st, seed, inputs)
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				r.Index = len(runs)
				runs = append(runs, r)
			}
		}
	}
	return runs, nil
}

// run builds the RunSpec of one base, task, setting and seed, with the content hashes of
// the file inputs it reads among inputs. A zero base is the sweep's pretrained base.
func (s *Sweep) run(b BaseFolder, task string, st setting, seed int, inputs map[string]string) RunSpec {
	r := RunSpec{
		Sweep: s.Name, Model: s.Model, Pretrain: s.Pretrain, Data: s.Data, Task: task,
		Train: s.trainFor(task), Method: st.spec, Seed: seed, Axes: st.axes, Budget: st.budget, PaperParams: st.params,
	}
	if b.Dir != "" {
		r.Pretrain.From, r.Pretrain.FromSHA256 = b.Dir, b.SHA256
		r.Base = &b
		if s.BaseAxis {
			r.Axes = maps.Clone(r.Axes)
			if r.Axes == nil {
				r.Axes = map[string]any{}
			}
			r.Axes[AxisBase] = b.Dir
		}
	}
	for _, name := range []string{task, s.Pretrain.Corpus} {
		if h, ok := inputs[name]; ok {
			if r.Inputs == nil {
				r.Inputs = map[string]string{}
			}
			r.Inputs[name] = h
		}
	}
	r.Train.LR = st.lr
	r.ID = r.RunID()
	return r
}

// setting is one resolved method setting of an entry.
type setting struct {
	spec   method.Spec // LR cleared: it lives in the run's Train.LR
	lr     float64
	axes   map[string]any
	budget int
	params int
}

// settings expands one method entry into its settings: the cartesian product of its axes,
// each with the budget solved and the learning rate resolved, each checked.
func (s *Sweep) settings(m MethodAxes) ([]setting, error) {
	var out []setting
	kind, ok := method.Lookup(m.Name)
	if !ok {
		return nil, fmt.Errorf("unknown method %q", m.Name)
	}
	for _, combo := range product(m.Axes) {
		spec := method.Spec{Name: m.Name}
		axes := map[string]any{}
		budget := 0
		for i, ax := range m.Axes {
			v := ax.Values[combo[i]]
			if ax.swept {
				axes[ax.Key] = v
			}
			switch ax.Key {
			case keyBudget:
				budget = v.(int)
			case keyLR:
				spec.LR = v.(float64)
			default:
				key, _ := kind.Key(ax.Key)
				spec.Set(key, v)
			}
		}
		spec = spec.WithDefaults()
		var err error
		if budget > 0 {
			if spec, err = SolveBudget(spec, s.Dims(), budget); err != nil {
				return nil, err
			}
			axes["budget"] = budget
			axes[kind.Size] = method.SizeOf(spec)
		}
		if ps := spec.Problems(s.Dims()); len(ps) > 0 {
			return nil, &settingError{spec, ps}
		}
		params, err := method.PaperParams(spec, s.Dims())
		if err != nil {
			return nil, err
		}
		lrs := s.lrsFor(spec)
		if len(lrs) == 0 {
			return nil, fmt.Errorf("no learning rate for %s: want train.lr (a number, or a mapping with default, %s or %s) or the entry's lr", spec.Name, spec.Name, method.FamilyOf(spec.Name))
		}
		spec.LR = 0
		for _, lr := range lrs {
			out = append(out, setting{spec: spec, lr: lr, axes: lrAxes(axes, lrs, lr), budget: budget, params: params})
		}
	}
	return out, nil
}

// lrAxes are a setting's axes with its learning rate when train.lr searches several.
func lrAxes(axes map[string]any, lrs []float64, lr float64) map[string]any {
	out := maps.Clone(axes)
	if len(lrs) > 1 {
		if out == nil {
			out = map[string]any{}
		}
		out["lr"] = lr
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// product lists the index tuples of the cartesian product of the axes, last axis fastest.
func product(axes []Axis) [][]int {
	combos := [][]int{{}}
	for _, ax := range axes {
		var next [][]int
		for _, c := range combos {
			for j := range ax.Values {
				next = append(next, append(slices.Clone(c), j))
			}
		}
		combos = next
	}
	return combos
}

// settingError is a setting that its method's checks reject, with each problem naming its
// key, so that the parser can report it at that key's line.
type settingError struct {
	spec     method.Spec
	problems []method.Problem
}

func (e *settingError) Error() string {
	msgs := make([]string, len(e.problems))
	for i, p := range e.problems {
		msgs[i] = p.Msg
	}
	return fmt.Sprintf("%s: %s", e.spec.Label(), strings.Join(msgs, "; "))
}

// checkExpansion reports every setting that its method's checks reject (combinations the
// per-value checks cannot see, such as prefix + infix >= max_len): at the line of the key a
// problem names, or at the entry's position.
//
// Two entries that expand to the same setting (two identical lora entries) are an error at
// the later one: the runs would be merged silently. Settings that budgets solve are exempt,
// since two budgets may solve to the same size.
func (p *parser) checkExpansion() {
	first := map[string]int{} // a setting's key -> the entry that first produced it
	for i, m := range p.s.Methods {
		settings, err := p.s.settings(m)
		for _, st := range settings {
			if st.budget != 0 {
				continue
			}
			key, kerr := json.Marshal(struct {
				Spec method.Spec
				LR   float64
			}{st.spec, st.lr})
			if kerr != nil {
				continue
			}
			if j, ok := first[string(key)]; ok && j != i {
				p.problems = append(p.problems, Problem{File: p.file, Line: m.line, Col: m.col,
					Msg: fmt.Sprintf("methods[%d]: %s is also a setting of methods[%d]: remove one of them", i, st.spec.Label(), j)})
				break
			}
			first[string(key)] = i
		}
		var se *settingError
		switch {
		case errors.As(err, &se):
			for _, pr := range se.problems {
				line, col := m.line, m.col
				if ax := m.axis(pr.Key); ax != nil && len(ax.lines) > 0 {
					line, col = ax.lines[0], ax.cols[0]
				}
				p.problems = append(p.problems, Problem{File: p.file, Line: line, Col: col,
					Msg: fmt.Sprintf("methods[%d]: %s: %s", i, se.spec.Label(), pr.Msg)})
			}
		case err != nil:
			p.problems = append(p.problems, Problem{File: p.file, Line: m.line, Col: m.col,
				Msg: fmt.Sprintf("methods[%d]: %v", i, err)})
		}
	}
}
