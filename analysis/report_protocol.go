package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"loralab/experiments/record"
)

// writeTable writes a table as tables/<base>.{md,csv,tex}, links the files in sec and returns
// the Markdown.
func (r *reporter) writeTable(sec *Section, base string, t *Table) ([]byte, error) {
	md, err := render(t.WriteMarkdown)
	if err != nil {
		return nil, err
	}
	formats := []struct {
		title, ext string
		write      func() ([]byte, error)
	}{
		{"Markdown", "md", func() ([]byte, error) { return md, nil }},
		{"CSV", "csv", func() ([]byte, error) { return render(t.WriteCSV) }},
		{"LaTeX (booktabs)", "tex", func() ([]byte, error) { return render(t.WriteLaTeX) }},
	}
	for _, f := range formats {
		data, err := f.write()
		if err != nil {
			return nil, err
		}
		rel, err := r.writeFile(TablesDir+"/"+base+"."+f.ext, data)
		if err != nil {
			return nil, err
		}
		sec.Files = append(sec.Files, Artifact{Title: f.title, Path: rel})
	}
	return md, nil
}

// metricTables writes the tables: of the spec, one task under several metrics each.
func (r *reporter) metricTables() error {
	results := Results(r.sweep.Runs)
	for i, mt := range r.spec.Tables {
		var sums []Summary
		for _, m := range mt.Metrics {
			sums = append(sums, Aggregate(results, mt.split(), m))
		}
		t := BuildMetricTable(sums, mt.Task, fmt.Sprintf("%s: %s", r.produced.Sweep, mt.Task))
		if !hasCells(t) {
			r.note("tables[%d] %s: no done run of task %s reports %s", i, mt.Name, mt.Task, strings.Join(mt.Metrics, ", "))
			continue
		}
		sec := Section{Title: fmt.Sprintf("Table %s: %s, %s", mt.Name, mt.Task, strings.Join(mt.Metrics, ", "))}
		md, err := r.writeTable(&sec, r.named(mt.Name), t)
		if err != nil {
			return err
		}
		sec.Body = string(md)
		r.produced.Sections = append(r.produced.Sections, sec)
	}
	return nil
}

// hasCells says whether some non-control row of t has a value.
func hasCells(t *Table) bool {
	for _, row := range t.Rows {
		for _, c := range row.Cells {
			if c.OK && !row.Control {
				return true
			}
		}
	}
	return false
}

// protocolSections adds what the comparison table leaves to other sections: LoRA against
// each method, the runs that collapsed to one class, and the searches that could not choose
// a learning rate.
func (r *reporter) protocolSections() error {
	for _, u := range r.summary.Unchosen {
		r.note("%s: no learning rate could be chosen (every rate failed, or no validation metric)", u)
	}
	if t := r.produced.Table; t != nil && slices.ContainsFunc(t.LoRARef, func(i int) bool { return i >= 0 }) {
		sec := Section{Title: "LoRA against each method"}
		body := t.ComparisonMarkdown()
		rel, err := r.writeFile(TablesDir+"/"+r.named("vs_lora")+".md", []byte(body))
		if err != nil {
			return err
		}
		sec.Body, sec.Files = body, []Artifact{{Title: "Markdown", Path: rel}}
		r.produced.Sections = append(r.produced.Sections, sec)
	}
	if body := collapsedRuns(r.sweep.Runs, r.summary.Split); body != "" {
		r.produced.Sections = append(r.produced.Sections, Section{Title: "Runs that predict one class", Body: body})
	}
	if body := edgeChoices(r.summary.Groups); body != "" {
		r.produced.Sections = append(r.produced.Sections, Section{Title: "Rates chosen at the edge of the search", Body: body})
	}
	return nil
}

// edgeChoices lists the settings whose chosen learning rate is the smallest or the largest
// of three or more searched: the validation metric was still rising towards the edge of the
// grid, so a rate beyond it may do better, and the setting's cells may understate it. (With
// two rates every choice is an edge, which says nothing.)
func edgeChoices(groups []Group) string {
	var b strings.Builder
	for _, g := range groups {
		n := len(g.LRs)
		if n < 3 || (g.LR != g.LRs[0] && g.LR != g.LRs[n-1]) {
			continue
		}
		which := "largest"
		if g.LR == g.LRs[0] {
			which = "smallest"
		}
		searched := make([]string, n)
		for i, lr := range g.LRs {
			searched[i] = formatLR(lr)
		}
		fmt.Fprintf(&b, "- %s on %s%s: lr %s, the %s of %s\n", g.Setting, g.Task, onBase(g.Base.Dir), formatLR(g.LR), which, strings.Join(searched, ", "))
	}
	if b.Len() == 0 {
		return ""
	}
	return "The best mean validation metric of these settings was at the smallest or the largest rate searched: a rate beyond the grid may do better, so their cells may understate them.\n\n" + b.String()
}

// collapsedRuns lists the done runs whose predictions on split all fell in one class.
func collapsedRuns(runs []Run, split string) string {
	var b strings.Builder
	for _, run := range runs {
		res := run.Result
		if class, ok := res.Collapsed(split); ok && res.Status == record.StatusDone {
			fmt.Fprintf(&b, "- `%s` %s on %s, seed %d: every %s prediction is class %d\n", res.RunID, res.Setting, res.Task, res.Seed, split, class)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "These runs are flagged † in the tables and never marked best: a constant output is no result to rank.\n\n" + b.String()
}

// levelLines adds to the series of a task's plot a horizontal line across their x range for
// each control: the chance score of metric, and every setting that trains no tensor of its
// own (the head-only probe: only the task head learns), which has no place on a parameter
// axis.
func levelLines(series []Series, s Summary, task, metric string) []Series {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, sr := range series {
		for _, x := range sr.X {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi {
		return series
	}
	level := func(name string, y float64) {
		if finite(y) {
			series = append(series, Series{Name: name, X: []float64{lo, hi}, Y: []float64{y, y}, Level: true})
		}
	}
	for _, g := range s.Groups {
		if g.Task == task && g.TrainableParams == 0 && g.N() > 0 {
			level(g.Setting, g.Mean)
		}
	}
	if v, ok := s.Chance[task][metric]; ok {
		level(ChanceSetting, v)
	}
	return series
}

// lrSensitivity draws, per task with a learning-rate search, the validation metric against
// the learning rate, one line per setting (what ChooseLR chose from).
func (r *reporter) lrSensitivity() error {
	sec := Section{Title: "Learning-rate sensitivity",
		Body: "Main metric on the validation split at each learning rate searched, mean ± std over the seeds every rate ran (what the choice compared); the tables report each setting at its best rate.\n"}
	for _, task := range r.tasks() {
		series := seriesBy(Summary{Groups: r.summary.Searches}, task, func(g Group) (string, float64, bool) {
			return g.Setting, math.Log10(g.LR), g.LR > 0
		})
		if !hasPoints(series, 2) {
			continue
		}
		metric := ""
		for _, g := range r.summary.Searches {
			if g.Task == task {
				metric = g.Metric
			}
		}
		lp := LinePlot{Title: task + ": " + metric + " vs learning rate", XLabel: "learning rate (log10)",
			YLabel: metric + " (validation), mean ± std over seeds", Series: series}
		if err := r.saveLinePlot(&sec, "lr_"+slug(task), lp); err != nil {
			return err
		}
	}
	r.addIfFiles(sec)
	return nil
}
