package analysis

import (
	"math"
	"slices"
)

// Table is a paper-style comparison: one row per method setting, one column per task, each
// cell the mean ± std over seeds of the column's metric, the best of each column marked.
type Table struct {
	Title  string
	Split  string
	Tasks  []string // column order
	Metric []string // metric of each column (a task's main metric may differ between tasks)
	Rows   []Row
}

// Row is one method setting.
type Row struct {
	Method  string
	Setting string
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
	N    int  // seeds
	Best bool // best mean of its column, in the metric's direction (ties all best)
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
	t := &Table{Title: title, Split: s.Split}
	rowIndex := map[string]int{}
	for _, g := range s.Groups {
		if !slices.Contains(t.Tasks, g.Task) {
			t.Tasks = append(t.Tasks, g.Task)
		}
	}
	slices.Sort(t.Tasks)
	t.Metric = make([]string, len(t.Tasks))
	groups := slices.Clone(s.Groups)
	slices.SortStableFunc(groups, func(a, b Group) int {
		return compareSettings(a.Spec, a.Setting, b.Spec, b.Setting)
	})
	for _, g := range groups {
		i, ok := rowIndex[g.Setting]
		if !ok {
			i = len(t.Rows)
			rowIndex[g.Setting] = i
			t.Rows = append(t.Rows, Row{Method: g.Method, Setting: g.Setting,
				Params: g.TrainableParams, Paper: g.PaperFormulaParams, Cells: make([]Cell, len(t.Tasks))})
		}
		row := &t.Rows[i]
		row.Params = min(row.Params, g.TrainableParams)
		row.Paper = min(row.Paper, g.PaperFormulaParams)
		col := slices.Index(t.Tasks, g.Task)
		if t.Metric[col] == "" {
			t.Metric[col] = g.Metric
		}
		if g.N() > 0 {
			row.Cells[col] = Cell{OK: true, Mean: g.Mean, Std: g.Std, N: g.N()}
		}
	}
	t.markBest()
	return t
}

// markBest marks, in each column, the cells whose mean is the best of the column.
func (t *Table) markBest() {
	for col, metric := range t.Metric {
		var best float64
		found := false
		for _, r := range t.Rows {
			if c := r.Cells[col]; c.OK && !math.IsNaN(c.Mean) && (!found || better(metric, c.Mean, best)) {
				best, found = c.Mean, true
			}
		}
		for i := range t.Rows {
			if c := &t.Rows[i].Cells[col]; c.OK && c.Mean == best {
				c.Best = true
			}
		}
	}
}
