package experiments

import (
	"fmt"
	"math"
	"slices"

	"gopkg.in/yaml.v3"
)

// TaskBudget is a task's own training length, which replaces train.steps or train.epochs
// for its runs: generation tasks such as grapheme-to-phoneme need far more steps than a
// small classification task. Exactly one of the two is set.
type TaskBudget struct {
	Steps  int
	Epochs int
}

// tasks decodes the tasks: list. Each item is a task name, or a mapping with the name and
// the task's own steps or epochs: [{name: cmudict-g2p, steps: 2000}, sotu-party].
func (p *parser) tasks(n *yaml.Node) {
	items, ok := p.list(n, "tasks", "task names")
	if !ok {
		return
	}
	for i, it := range items {
		at := fmt.Sprintf("tasks[%d]", i)
		nameNode, budget, ok := p.taskItem(it, at)
		if !ok {
			continue
		}
		name, ok := p.str(nameNode, at)
		if !ok || !p.knownTask(nameNode, at, name) {
			continue
		}
		if slices.Contains(p.s.Tasks, name) {
			p.errorf(nameNode, "%s: task %q repeated", at, name)
			continue
		}
		p.s.Tasks = append(p.s.Tasks, name)
		if budget != (TaskBudget{}) {
			if p.s.TaskBudgets == nil {
				p.s.TaskBudgets = map[string]TaskBudget{}
			}
			p.s.TaskBudgets[name] = budget
		}
	}
}

// taskItem splits one item of tasks: into the node holding the name and the task's budget.
func (p *parser) taskItem(it *yaml.Node, at string) (*yaml.Node, TaskBudget, bool) {
	var b TaskBudget
	if it.Kind != yaml.MappingNode {
		return it, b, true
	}
	var name *yaml.Node
	present := p.mapping(it, at, []field{
		{"name", func(v *yaml.Node) { name = v }},
		p.intField(at, "steps", &b.Steps, 1, math.MaxInt, ""),
		p.intField(at, "epochs", &b.Epochs, 1, math.MaxInt, ""),
	})
	p.require(it, at, present, "name")
	switch {
	case present["steps"] != nil && present["epochs"] != nil:
		p.errorf(present["epochs"], "%s: both steps and epochs given, want one of them", at)
		return nil, b, false
	case present["steps"] == nil && present["epochs"] == nil:
		p.errorf(it, "%s: missing key \"steps\" or \"epochs\" (or write the task's name alone)", at)
		return nil, b, false
	}
	return name, b, name != nil && b != (TaskBudget{})
}

// everyTaskBudgeted says whether every task gives its own steps or epochs, so that the
// train: section needs neither.
func (p *parser) everyTaskBudgeted() bool {
	return len(p.s.Tasks) > 0 && len(p.s.TaskBudgets) == len(p.s.Tasks)
}

// trainFor is the train settings of a task's runs: the sweep's, with the task's own budget.
func (s *Sweep) trainFor(task string) Train {
	t := s.Train
	if b, ok := s.TaskBudgets[task]; ok {
		t.Steps, t.Epochs = b.Steps, b.Epochs
	}
	return t
}
