package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"loralab/experiments/record"
	"loralab/model/arch"
)

// Keys of the derived split forgettingStudy aggregates: the held-out loss changes.
const (
	forgettingDelta      = "after_minus_base"
	forgettingDeltaStep0 = "step0_minus_base"
	forgettingSplit      = "forgetting"
)

// withForgetting returns the done results that measured held-out losses, each with a
// derived split holding the differences to the base, so that Aggregate reduces them over
// seeds like any metric.
func withForgetting(results []record.Result, task string) []record.Result {
	var out []record.Result
	for _, r := range results {
		h, ok := r.Metrics[record.ForgettingSplit]
		if r.Status != record.StatusDone || !ok || task != "" && r.Task != task {
			continue
		}
		c := r
		c.Metrics = map[string]map[string]float64{forgettingSplit: {
			forgettingDelta:      h[record.NLLAfter] - h[record.NLLBase],
			forgettingDeltaStep0: h[record.NLLStep0] - h[record.NLLBase],
			record.NLLBase:       h[record.NLLBase],
			record.NLLTokens:     h[record.NLLTokens],
		}}
		for split, ms := range r.Metrics {
			if split != record.ForgettingSplit {
				c.Metrics[split] = ms
			}
		}
		out = append(out, c)
	}
	return out
}

// unmeasuredWhy says which runs never measure held-out losses (sweeprun's forgetting).
const unmeasuredWhy = "prefix methods, and bases neither pretrained by the sweep nor read from a model folder carrying its held-out windows (" + arch.HeldOutFile + "; a Hugging Face folder has none), are never measured"

// unmeasured lists the settings and tasks of the done runs without held-out losses, in
// order of first appearance: what the forgetting table leaves out.
func unmeasured(results []record.Result, task string) []string {
	var out []string
	for _, r := range results {
		if _, ok := r.Metrics[record.ForgettingSplit]; ok || r.Status != record.StatusDone || task != "" && r.Task != task {
			continue
		}
		if s := r.Setting + " on " + r.Task; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// forgettingRow is one setting on one task: its task metric and held-out loss changes.
type forgettingRow struct {
	Task, Setting     string
	Metric            Group // the task metric over seeds
	Delta, DeltaStep0 Group // held-out NLL after fine-tuning, and before it, minus the base's
	Base              Group // the base's held-out NLL
	Tokens            Group // the predicted tokens scored
}

// forgettingStudy writes tables/forgetting.{md,csv} and, per task, the figure of the task
// metric against forgetting, one point per method setting.
func (r *reporter) forgettingStudy() error {
	f := r.spec.Forgetting
	if f == nil {
		return nil
	}
	results := withForgetting(Results(r.sweep.Runs), f.Task)
	if len(results) == 0 {
		r.note("forgetting: no done run measured held-out losses: set train.forgetting_tokens in the sweep (%s)", unmeasuredWhy)
		return nil
	}
	if missing := unmeasured(Results(r.sweep.Runs), f.Task); len(missing) > 0 {
		r.note("forgetting: %s: done runs without held-out losses, left out of the table (%s)", strings.Join(missing, ", "), unmeasuredWhy)
	}
	rows := forgettingRows(results, r.spec.Table.split(), r.spec.Table.Metric)
	md := forgettingMarkdown(rows, r.spec.Table.split())
	csvData, err := render(func(w io.Writer) error { return forgettingCSV(w, rows) })
	if err != nil {
		return err
	}
	sec, err := r.tableSection("Forgetting", "forgetting", md, csvData)
	if err != nil {
		return err
	}
	for _, task := range forgettingTasks(rows) {
		lp := LinePlot{Title: task + ": task metric vs forgetting", XLabel: "held-out pretraining NLL after fine-tuning − base (nats)",
			YLabel: fmt.Sprintf("%s (%s), mean ± std over seeds", rows[0].Metric.Metric, r.spec.Table.split()), Series: forgettingSeries(rows, task)}
		if err := r.saveLinePlot(&sec, "forgetting_"+slug(task), lp); err != nil {
			return err
		}
	}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// forgettingRows aggregates the task metric and the held-out loss changes per setting and
// task, in the order of the comparison table.
func forgettingRows(results []record.Result, split, metric string) []forgettingRow {
	task := Aggregate(results, split, metric)
	delta := Aggregate(results, forgettingSplit, forgettingDelta)
	step0 := Aggregate(results, forgettingSplit, forgettingDeltaStep0)
	base := Aggregate(results, forgettingSplit, record.NLLBase)
	tokens := Aggregate(results, forgettingSplit, record.NLLTokens)
	var rows []forgettingRow
	for i, g := range delta.Groups {
		rows = append(rows, forgettingRow{Task: g.Task, Setting: g.Setting, Metric: task.Groups[i], Delta: g,
			DeltaStep0: step0.Groups[i], Base: base.Groups[i], Tokens: tokens.Groups[i]})
	}
	return rows
}

// forgettingTasks lists the tasks of rows in order.
func forgettingTasks(rows []forgettingRow) []string {
	var out []string
	for _, row := range rows {
		if !slices.Contains(out, row.Task) {
			out = append(out, row.Task)
		}
	}
	return out
}

// forgettingSeries is one single-point series per setting: (mean forgetting, mean metric)
// with the metric's spread over seeds.
func forgettingSeries(rows []forgettingRow, task string) []Series {
	var out []Series
	for _, row := range rows {
		if row.Task != task || row.Delta.N() == 0 || row.Metric.N() == 0 {
			continue
		}
		out = append(out, Series{Name: row.Setting, X: []float64{row.Delta.Mean}, Y: []float64{row.Metric.Mean},
			Err: []float64{row.Metric.Std}})
	}
	return out
}

// forgettingMarkdown is the table: one row per setting and task.
func forgettingMarkdown(rows []forgettingRow, split string) string {
	var b strings.Builder
	b.WriteString("Held-out loss: mean NLL (nats) on the base's held-out pretraining documents (masked-LM for an encoder, next-token for a decoder; " +
		"predicted tokens scored: " + tokenRange(rows) + "); " +
		"forgetting = after fine-tuning − base, and the same at step 0 (the method applied, untrained: not 0 for methods that do not start as the identity). " +
		"Mean ± std over seeds.\n\n")
	fmt.Fprintf(&b, "| setting | task | metric | %s | base NLL | step 0 − base | forgetting: after − base |\n", split)
	b.WriteString("|:---|:---|:---|---:|---:|---:|---:|\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", row.Setting, row.Task, row.Metric.Metric, meanStd(row.Metric, 3), meanStd(row.Base, 4),
			meanStd(row.DeltaStep0, 4), meanStd(row.Delta, 4))
	}
	return b.String()
}

// meanStd prints a group's mean ± std with prec significant digits ("–" when empty).
func meanStd(g Group, prec int) string {
	switch g.N() {
	case 0:
		return "–"
	case 1:
		return formatSig(g.Mean, prec)
	}
	return formatSig(g.Mean, prec) + " ± " + formatSig(g.Std, 2)
}

// formatSig prints x with prec significant digits.
func formatSig(x float64, prec int) string { return fmt.Sprintf("%.*g", prec, x) }

// forgettingCSV writes one line per setting and task, full precision.
func forgettingCSV(w io.Writer, rows []forgettingRow) error {
	var lines [][]string
	for _, row := range rows {
		lines = append(lines, []string{row.Setting, row.Task, row.Metric.Metric, fmt.Sprint(row.Delta.N()),
			formatExact(row.Metric.Mean), formatExact(row.Metric.Std), formatExact(row.Base.Mean),
			formatExact(row.DeltaStep0.Mean), formatExact(row.DeltaStep0.Std), formatExact(row.Delta.Mean), formatExact(row.Delta.Std)})
	}
	return writeCSV(w, "forgetting", []string{"setting", "task", "metric", "seeds", "metric_mean", "metric_std", "nll_base",
		"step0_minus_base_mean", "step0_minus_base_std", "after_minus_base_mean", "after_minus_base_std"}, lines)
}

// writeCSV writes a header and lines as CSV; what names the table in errors.
func writeCSV(w io.Writer, what string, header []string, lines [][]string) error {
	cw := csv.NewWriter(w)
	cw.Write(header)
	cw.WriteAll(lines)
	if err := cw.Error(); err != nil {
		return fmt.Errorf("analysis: %s csv: %w", what, err)
	}
	return nil
}

// tokenRange prints the number of predicted tokens the runs scored, or its range.
func tokenRange(rows []forgettingRow) string {
	var all []float64
	for _, row := range rows {
		all = append(all, row.Tokens.Values...)
	}
	lo, hi := slices.Min(all), slices.Max(all)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%g to %g", lo, hi)
}
