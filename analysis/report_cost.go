package analysis

import (
	"fmt"
	"io"
	"strings"

	"loralab/experiments/record"
)

// CostSpec asks for the cost table: per method setting and task, the seconds per training
// step, the training throughput and the run's memory as its tensors account for it
// (record.Result.MemoryBytes), each mean ± std over the seeds of the chosen learning rate.
type CostSpec struct {
	// Task restricts the runs to one task ("" = every task).
	Task string `yaml:"task,omitempty" json:"task,omitempty"`
}

// Keys of the derived split costStudy aggregates.
const (
	costSplit       = "cost"
	costStepSeconds = "step_seconds"
	costTokens      = "tokens_per_s"
	costMemoryMB    = "memory_mb"
)

// withCost returns the done results of task ("" = all), each with a derived split holding
// its costs (a cost the run did not record, such as the memory of older runs, is absent),
// so that Aggregate reduces them over seeds like any metric.
func withCost(results []record.Result, task string) []record.Result {
	var out []record.Result
	for _, r := range results {
		if r.Status != record.StatusDone || task != "" && r.Task != task {
			continue
		}
		c := r
		c.Metrics = map[string]map[string]float64{costSplit: {}}
		cost := c.Metrics[costSplit]
		if s := stepSeconds(r); s > 0 {
			cost[costStepSeconds] = s
		}
		if r.TokensPerSecond > 0 {
			cost[costTokens] = r.TokensPerSecond
		}
		if r.MemoryBytes > 0 {
			cost[costMemoryMB] = float64(r.MemoryBytes) / (1 << 20)
		}
		for split, ms := range r.Metrics {
			c.Metrics[split] = ms
		}
		out = append(out, c)
	}
	return out
}

// costRow is one setting on one task.
type costRow struct {
	Setting, Task            string
	Params                   int
	StepSeconds, Tokens, Mem Group
}

// costStudy writes tables/cost.{md,csv}.
func (r *reporter) costStudy() error {
	c := r.spec.Cost
	if c == nil {
		return nil
	}
	results := withCost(Results(r.sweep.Runs), c.Task)
	if len(results) == 0 {
		r.note("cost: no done run")
		return nil
	}
	steps := Aggregate(results, costSplit, costStepSeconds)
	tokens := Aggregate(results, costSplit, costTokens)
	mem := Aggregate(results, costSplit, costMemoryMB)
	rows := make([]costRow, len(steps.Groups))
	for i, g := range steps.Groups {
		rows[i] = costRow{Setting: g.Setting, Task: g.Task, Params: g.TrainableParams, StepSeconds: g, Tokens: tokens.Groups[i], Mem: mem.Groups[i]}
	}
	md := costMarkdown(rows)
	csvData, err := render(func(w io.Writer) error { return costCSV(w, rows) })
	if err != nil {
		return err
	}
	sec, err := r.tableSection("Cost per method", "cost", md, csvData)
	if err != nil {
		return err
	}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// costMarkdown is the table: one row per setting and task.
func costMarkdown(rows []costRow) string {
	var b strings.Builder
	b.WriteString("Cost of a run, mean ± std over the seeds of the chosen learning rate: wall seconds per optimizer step " +
		"(training only, evaluations excluded; runs that shared the machine take longer), non-padding tokens per second through " +
		"forward and backward, and the run's memory as its tensors account for it (weights with the shared base, gradients, " +
		"optimizer moments and the tape's buffers at their largest; Go's own overhead not counted).\n\n")
	b.WriteString("| setting | task | trainable params | s / step | tokens / s | memory (MB) |\n")
	b.WriteString("|:---|:---|---:|---:|---:|---:|\n")
	for _, row := range rows {
		tokens := "–"
		switch row.Tokens.N() {
		case 0:
		case 1:
			tokens = fmt.Sprintf("%.0f", row.Tokens.Mean)
		default:
			tokens = fmt.Sprintf("%.0f ± %.0f", row.Tokens.Mean, row.Tokens.Std)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", row.Setting, row.Task, formatParams(row.Params),
			meanStd(row.StepSeconds, 3), tokens, meanStd(row.Mem, 4))
	}
	return b.String()
}

// costCSV writes one line per setting and task, full precision.
func costCSV(w io.Writer, rows []costRow) error {
	var lines [][]string
	for _, row := range rows {
		lines = append(lines, []string{row.Setting, row.Task, fmt.Sprint(row.Params), fmt.Sprint(row.StepSeconds.N()),
			exactIfAny(row.StepSeconds, row.StepSeconds.Mean), exactIfAny(row.StepSeconds, row.StepSeconds.Std),
			exactIfAny(row.Tokens, row.Tokens.Mean), exactIfAny(row.Mem, row.Mem.Mean), exactIfAny(row.Mem, row.Mem.Std)})
	}
	return writeCSV(w, "cost", []string{"setting", "task", "trainable_params", "seeds", "step_seconds_mean", "step_seconds_std",
		"tokens_per_s_mean", "memory_mb_mean", "memory_mb_std"}, lines)
}

// exactIfAny is v at full precision, or "" when the group has no value.
func exactIfAny(g Group, v float64) string {
	if g.N() == 0 {
		return ""
	}
	return formatExact(v)
}
