package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"loralab/experiments"
	"loralab/method"
)

// BaseStrength is the base-strength study: per task and base, each method setting's metric
// and the gap LoRA − FT with its confidence interval, the bases ordered by the pretraining
// tokens they have seen.
type BaseStrength struct {
	Split    string
	Settings []string // the columns, in the paper's method order
	LoRA, FT string   // the settings of the gap LoRA − FT
	Rows     []StrengthRow
}

// StrengthRow is one task on one base.
type StrengthRow struct {
	Task   string
	Metric string
	Base   experiments.BaseFolder // Tokens is set
	Cells  []Cell                 // one per setting, as in the comparison table
	// Gap compares LoRA with FT seed by seed (LoRA minus FT), GapLo and GapHi bound the
	// Confidence interval of its mean difference (MeanCI of the paired differences); HasGap
	// is false below two seeds both ran.
	Gap          Paired
	GapLo, GapHi float64
	HasGap       bool
	// GapCollapsed says some run of LoRA or FT predicted one class for every input: the
	// gap then compares a constant, not what the method learned.
	GapCollapsed bool
}

// BuildBaseStrength lays out the base-strength study from a summary of a sweep on the base
// axis. It is an error when the runs come from fewer than two bases, when a base records no
// pretraining tokens, when a task asked for has no run, or when the LoRA or FT setting is
// not found (or, not named, is not the only setting of its method).
func BuildBaseStrength(s Summary, spec BaseStrengthSpec) (*BaseStrength, error) {
	bases := s.Bases()
	if len(bases) < 2 {
		return nil, fmt.Errorf("the runs start from %d base, want several: a sweep on the base axis, model: {from: [DIR, ...]}", len(bases))
	}
	for _, b := range bases {
		if b.Tokens == nil {
			return nil, fmt.Errorf("base %q records no pretraining tokens (its folder had no stats.json)", b.Dir)
		}
	}
	tasks, err := strengthTasks(s, spec.Tasks)
	if err != nil {
		return nil, err
	}
	bs := &BaseStrength{Split: s.Split, Settings: strengthSettings(s, tasks)}
	if bs.LoRA, err = pickSetting(s, tasks, spec.LoRA, method.LoRA); err != nil {
		return nil, err
	}
	if bs.FT, err = pickSetting(s, tasks, spec.FT, method.FT); err != nil {
		return nil, err
	}
	for _, task := range tasks {
		for _, b := range bases {
			bs.Rows = append(bs.Rows, bs.row(s, task, b))
		}
	}
	return bs, nil
}

// row is one task on one base: its cells and the gap.
func (bs *BaseStrength) row(s Summary, task string, b experiments.BaseFolder) StrengthRow {
	row := StrengthRow{Task: task, Base: b, Cells: make([]Cell, len(bs.Settings))}
	groups := map[string]Group{}
	for _, g := range s.Groups {
		if g.Task == task && g.Base.Dir == b.Dir {
			groups[g.Setting] = g
			row.Metric = g.Metric
		}
	}
	for i, setting := range bs.Settings {
		if g, ok := groups[setting]; ok && g.N() > 0 {
			row.Cells[i] = groupCell(g)
		}
	}
	lora, ft := groups[bs.LoRA], groups[bs.FT]
	if p, ok := PairedTest(lora.Seeds, lora.Values, ft.Seeds, ft.Values); ok {
		row.Gap, row.HasGap = p, true
		row.GapLo, row.GapHi, _ = MeanCI(PairedDiffs(lora.Seeds, lora.Values, ft.Seeds, ft.Values), Confidence)
		row.GapCollapsed = len(lora.Collapsed)+len(ft.Collapsed) > 0
	}
	return row
}

// strengthTasks are the tasks asked for, checked against the runs, or every task of the runs
// in name order.
func strengthTasks(s Summary, asked []string) ([]string, error) {
	var have []string
	for _, g := range s.Groups {
		if !slices.Contains(have, g.Task) {
			have = append(have, g.Task)
		}
	}
	slices.Sort(have)
	if len(asked) == 0 {
		if len(have) == 0 {
			return nil, errors.New("no done run")
		}
		return have, nil
	}
	for _, t := range asked {
		if !slices.Contains(have, t) {
			return nil, fmt.Errorf("task %s has no done run (the runs have %v)", t, have)
		}
	}
	return asked, nil
}

// strengthSettings are the settings run on the tasks, in the paper's method order.
func strengthSettings(s Summary, tasks []string) []string {
	var groups []Group
	for _, g := range s.Groups {
		if slices.Contains(tasks, g.Task) && !slices.ContainsFunc(groups, func(o Group) bool { return o.Setting == g.Setting }) {
			groups = append(groups, g)
		}
	}
	slices.SortFunc(groups, func(a, b Group) int {
		return cmp.Or(compareSettings(a.Spec, a.Setting, b.Spec, b.Setting), cmp.Compare(a.Setting, b.Setting))
	})
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Setting
	}
	return out
}

// pickSetting is the setting named, checked against the runs on the tasks, or else the only
// setting of method name.
func pickSetting(s Summary, tasks []string, named, name string) (string, error) {
	var of []string
	for _, g := range s.Groups {
		if !slices.Contains(tasks, g.Task) || slices.Contains(of, g.Setting) {
			continue
		}
		if (named != "" && g.Setting == named) || (named == "" && g.Method == name) {
			of = append(of, g.Setting)
		}
	}
	switch {
	case len(of) == 1:
		return of[0], nil
	case named != "":
		return "", fmt.Errorf("no done run of the setting %q", named)
	case len(of) == 0:
		return "", fmt.Errorf("no done run of method %s", name)
	}
	slices.Sort(of)
	return "", fmt.Errorf("several settings of method %s (%v): name the one to compare in base_strength.%s", name, of, name)
}
