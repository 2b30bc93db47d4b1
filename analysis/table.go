package analysis

import (
	"math"
	"slices"

	"loralab/method"
)

// Table is a paper-style comparison: one row per method setting, one column per task, each
// cell the mean ± std over seeds of the column's metric, the best of each column marked.
type Table struct {
	Title  string
	Split  string
	Tasks  []string // column order
	Metric []string // metric of each column (a task's main metric may differ between tasks)
	Rows   []Row
	// LoRARef is, per column, the row of the LoRA setting the others are compared with (the
	// best LoRA mean with no collapsed seed), -1 when there is none.
	LoRARef []int
}

// Row is one method setting, or the chance control.
type Row struct {
	Method  string
	Setting string
	Spec    method.Spec // the setting, for ordering
	// Control marks the chance row (a model that ignores its input: the majority class): a
	// reference line, never best and never compared.
	Control bool
	// Params is the count of actual trainable tensors; Paper the count by the paper's formula
	// (Section 5.1). When tasks disagree (e.g. prefix slots differ) the smallest is shown.
	Params, Paper int
	Cells         []Cell // one per task, in Table.Tasks order
}

// Cell is one (setting, task) entry.
type Cell struct {
	OK   bool // false: no run reported the metric
	Mean float64
	Std  float64
	N    int // seeds
	// CILo and CIHi bound the Confidence interval of the mean (MeanCI); HasCI is false
	// below two seeds.
	CILo, CIHi float64
	HasCI      bool
	Seeds      []int     // the seeds, ascending
	Values     []float64 // the metric of each seed, for the paired comparisons
	// LR is the learning rate chosen for this setting and task when the sweep searched
	// several (Searched); 0 otherwise.
	LR       float64
	Searched bool
	// Collapsed counts the seeds whose run predicted one class: such a cell is never best.
	Collapsed int
	// Best: the best mean of its column, in the metric's direction (ties all best), among
	// the cells with no collapsed seed. Bold: Best, and better than every other such cell
	// of the column by a paired test over seeds (Paired.Holds). Only Bold is shown.
	Best, Bold bool
	// VsLoRA compares, in a column with a LoRA row, the best LoRA cell (Table.LoRARef) with
	// this one, seed by seed (LoRA minus this); nil for LoRA rows, the chance row and cells
	// sharing fewer than two seeds with it.
	VsLoRA *Paired
}

// PaperDiffers says whether any row's paper-formula count differs from its actual count,
// i.e. whether the table needs a column for the paper's count.
func (t *Table) PaperDiffers() bool {
	for _, r := range t.Rows {
		if r.Paper != r.Params {
			return true
		}
	}
	return false
}

// BuildTable lays the summary out as a comparison table: rows in the paper's method order,
// columns by task name, the best cell of each column marked.
func BuildTable(s Summary, title string) *Table {
	var tasks []string
	for _, g := range s.Groups {
		if !slices.Contains(tasks, g.Task) {
			tasks = append(tasks, g.Task)
		}
	}
	slices.Sort(tasks)
	t := &Table{Title: title, Split: s.Split, Tasks: tasks, Metric: make([]string, len(tasks))}
	t.fill(s.Groups, func(g Group) int { return slices.Index(t.Tasks, g.Task) })
	t.finish(s.Chance)
	return t
}

// BuildMetricTable lays out one task under several metrics, one column each (the paper's
// Table 3: BLEU, NIST, METEOR, ROUGE-L and CIDEr of one dataset). summaries holds one
// Aggregate per metric, in column order; their learning rates are chosen alike, on the main
// validation metric.
func BuildMetricTable(summaries []Summary, task, title string) *Table {
	t := &Table{Title: title}
	var chance map[string]map[string]float64
	for col, s := range summaries {
		t.Split = s.Split
		t.Tasks, t.Metric = append(t.Tasks, task), append(t.Metric, "")
		groups := slices.DeleteFunc(slices.Clone(s.Groups), func(g Group) bool { return g.Task != task })
		t.fill(groups, func(Group) int { return col })
		if chance == nil {
			chance = s.Chance
		}
	}
	t.finish(chance)
	return t
}

// fill adds the groups to the table, a row per setting in the paper's order, each group in
// the column col says.
func (t *Table) fill(groups []Group, col func(Group) int) {
	groups = slices.Clone(groups)
	slices.SortStableFunc(groups, func(a, b Group) int {
		return compareSettings(a.Spec, a.Setting, b.Spec, b.Setting)
	})
	for _, g := range groups {
		i := slices.IndexFunc(t.Rows, func(r Row) bool { return r.Setting == g.Setting })
		if i < 0 {
			i = len(t.Rows)
			t.Rows = append(t.Rows, Row{Method: g.Method, Setting: g.Setting, Spec: g.Spec,
				Params: g.TrainableParams, Paper: g.PaperFormulaParams})
		}
		row := &t.Rows[i]
		for len(row.Cells) < len(t.Tasks) {
			row.Cells = append(row.Cells, Cell{})
		}
		row.Params = min(row.Params, g.TrainableParams)
		row.Paper = min(row.Paper, g.PaperFormulaParams)
		c := col(g)
		if t.Metric[c] == "" {
			t.Metric[c] = g.Metric
		}
		if g.N() > 0 {
			row.Cells[c] = groupCell(g)
		}
	}
}

// finish orders the rows, adds the chance row and marks and compares the cells.
func (t *Table) finish(chance map[string]map[string]float64) {
	slices.SortStableFunc(t.Rows, func(a, b Row) int { return compareSettings(a.Spec, a.Setting, b.Spec, b.Setting) })
	for i := range t.Rows {
		for len(t.Rows[i].Cells) < len(t.Tasks) {
			t.Rows[i].Cells = append(t.Rows[i].Cells, Cell{})
		}
	}
	t.addChance(chance)
	t.markBest()
	t.compareLoRA()
}

// groupCell is the cell of one aggregated group.
func groupCell(g Group) Cell {
	c := Cell{OK: true, Mean: g.Mean, Std: g.Std, N: g.N(), Seeds: g.Seeds, Values: g.Values,
		LR: g.LR, Searched: len(g.LRs) > 1, Collapsed: len(g.Collapsed)}
	c.CILo, c.CIHi, c.HasCI = MeanCI(g.Values, Confidence)
	return c
}

// ChanceSetting labels the chance row.
const ChanceSetting = "chance (input ignored)"

// addChance appends the chance row when some column's metric has a chance score.
func (t *Table) addChance(chance map[string]map[string]float64) {
	row := Row{Setting: ChanceSetting, Control: true, Cells: make([]Cell, len(t.Tasks))}
	found := false
	for col, task := range t.Tasks {
		if v, ok := chance[task][t.Metric[col]]; ok {
			row.Cells[col] = Cell{OK: true, Mean: v, N: 1}
			found = true
		}
	}
	if found {
		t.Rows = append(t.Rows, row)
	}
}

// eligible says whether a cell may be best or compared: a number, from a method setting,
// with no collapsed seed.
func eligible(r Row, c Cell) bool {
	return !r.Control && c.OK && !math.IsNaN(c.Mean) && c.Collapsed == 0
}

// markBest marks, in each column, the eligible cells whose mean is the best of the column,
// and makes a best cell bold when a paired test over seeds says it beats every other
// eligible cell of its column.
func (t *Table) markBest() {
	for col, metric := range t.Metric {
		var best float64
		found := false
		for _, r := range t.Rows {
			if c := r.Cells[col]; eligible(r, c) && (!found || better(metric, c.Mean, best)) {
				best, found = c.Mean, true
			}
		}
		for i, r := range t.Rows {
			if c := &t.Rows[i].Cells[col]; eligible(r, *c) && c.Mean == best {
				c.Best = true
			}
		}
		for i := range t.Rows {
			if c := &t.Rows[i].Cells[col]; c.Best {
				c.Bold = t.beatsAll(i, col)
			}
		}
	}
}

// beatsAll says whether the cell of row i beats every other eligible cell of column col by
// the paired test, in the metric's direction, and the chance score by a one-sample t-test
// (the same test against a constant).
func (t *Table) beatsAll(i, col int) bool {
	c := t.Rows[i].Cells[col]
	for j, r := range t.Rows {
		o := r.Cells[col]
		if j == i || !(eligible(r, o) || r.Control && o.OK) {
			continue
		}
		if r.Control {
			o.Seeds, o.Values = c.Seeds, make([]float64, len(c.Values))
			for k := range o.Values {
				o.Values[k] = o.Mean
			}
		}
		p, ok := PairedTest(c.Seeds, c.Values, o.Seeds, o.Values)
		if !ok || !p.Holds() || !better(t.Metric[col], p.Diff, 0) {
			return false
		}
	}
	return true
}

// compareLoRA fills LoRARef and each eligible cell's VsLoRA.
func (t *Table) compareLoRA() {
	t.LoRARef = make([]int, len(t.Tasks))
	for col, metric := range t.Metric {
		ref := -1
		for i, r := range t.Rows {
			c := r.Cells[col]
			if r.Method == method.LoRA && eligible(r, c) && (ref < 0 || better(metric, c.Mean, t.Rows[ref].Cells[col].Mean)) {
				ref = i
			}
		}
		t.LoRARef[col] = ref
		if ref < 0 {
			continue
		}
		lc := t.Rows[ref].Cells[col]
		for i, r := range t.Rows {
			c := &t.Rows[i].Cells[col]
			if r.Method == method.LoRA || !eligible(r, *c) {
				continue
			}
			if p, ok := PairedTest(lc.Seeds, lc.Values, c.Seeds, c.Values); ok {
				c.VsLoRA = &p
			}
		}
	}
}
