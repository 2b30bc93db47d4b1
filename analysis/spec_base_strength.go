package analysis

import "slices"

// BaseStrengthSpec asks for the base-strength study of a sweep on the base axis (model:
// {from: [DIR, ...]}, package experiments): each method setting's metric and the gap
// between two settings, LoRA − FT, with its confidence interval over the seeds paired by
// seed, against the pretraining tokens of the base. The metric and split are the comparison
// table's (table:).
type BaseStrengthSpec struct {
	// Tasks are the tasks shown, in this order; nil = every task of the runs.
	Tasks []string `yaml:"tasks,omitempty" json:"tasks,omitempty"`
	// LoRA and FT are the settings of the gap LoRA − FT, by their labels as the tables show
	// them ("lora r=8 q,v", "ft"); "" = the only setting of method lora, of method ft.
	LoRA string `yaml:"lora,omitempty" json:"lora,omitempty"`
	FT   string `yaml:"ft,omitempty" json:"ft,omitempty"`
}

// baseStrengthProblems reports the problems of the base-strength spec through bad.
func (s Spec) baseStrengthProblems(bad func(string, ...any)) {
	b := s.BaseStrength
	if b == nil {
		return
	}
	for i, t := range b.Tasks {
		switch {
		case t == "":
			bad("base_strength.tasks[%d]: empty task name", i)
		case slices.Index(b.Tasks, t) < i:
			bad("base_strength.tasks[%d]: task %s repeated", i, t)
		}
	}
	if b.LoRA != "" && b.LoRA == b.FT {
		bad("base_strength.ft: %q is also lora: the gap needs two settings", b.FT)
	}
}
