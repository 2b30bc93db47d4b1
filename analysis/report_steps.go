package analysis

import (
	"fmt"
	"io"
	"loralab/experiments/record"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// stepRow is the amplification study of one matrix at one kept step of a run.
type stepRow struct {
	Step int
	amplificationRow
}

// amplificationStepsStudy computes the paper's Table 7 at every step a LoRA run of each
// asked rank kept (train.save_steps), and writes tables/amplification_steps.{md,csv} and
// the figures of the amplification factor and of the projections against the step.
func (r *reporter) amplificationStepsStudy() error {
	a := r.spec.AmplificationSteps
	if a == nil {
		return nil
	}
	var rows []stepRow
	for _, m := range a.matrices() {
		for _, rank := range a.Ranks {
			rows = append(rows, r.amplifySteps(a, m, rank)...)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	md := stepsMarkdown(rows)
	lines := make([][]string, len(rows))
	for i, row := range rows {
		lines[i] = []string{strconv.Itoa(row.Step), strconv.Itoa(row.Layer), row.Matrix, strconv.Itoa(row.Rank), row.Setting,
			strconv.Itoa(row.Seed), formatExact(row.ProjDeltaW), formatExact(row.ProjW), formatExact(row.ProjRandom),
			formatExact(row.NormW), formatExact(row.NormDeltaW), formatExact(row.Factor), formatExact(row.LR)}
	}
	csvData, err := render(func(w io.Writer) error {
		return writeCSV(w, "amplification steps", []string{"step", "layer", "matrix", "rank", "setting", "seed", "proj_delta_w",
			"proj_w", "proj_random", "norm_w", "norm_delta_w", "amplification", "lr"}, lines)
	})
	if err != nil {
		return err
	}
	sec, err := r.tableSection("Amplification through training (paper Table 7 at each kept step)", "amplification_steps", md, csvData)
	if err != nil {
		return err
	}
	factor, proj := stepSeries(rows)
	plots := []struct {
		name string
		plot LinePlot
	}{{"amplification_steps", LinePlot{Title: "amplification factor through training", XLabel: "step",
		YLabel: "‖ΔW‖_F / ‖UᵀWVᵀ‖_F, U, V from ΔW", Series: factor}}}
	for _, m := range proj {
		plots = append(plots, struct {
			name string
			plot LinePlot
		}{"amplification_steps_w" + m.matrix, LinePlot{Title: "W" + m.matrix + ": ‖UᵀWVᵀ‖_F through training", XLabel: "step",
			YLabel: "‖UᵀWVᵀ‖_F; U, V: top r of ΔW, of W, or random", Series: m.series}})
	}
	for _, lp := range plots {
		if hasPoints(lp.plot.Series, 2) {
			if err := r.saveLinePlot(&sec, lp.name, lp.plot); err != nil {
				return err
			}
		}
	}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// amplifySteps measures one matrix of the run of one rank at each of its kept steps.
func (r *reporter) amplifySteps(a *AmplificationSpec, matrix string, rank int) []stepRow {
	what := fmt.Sprintf("amplification_steps r=%d W%s", rank, matrix)
	run, err := Selector{Rank: rank, Task: a.Task}.pick(r.sweep.Runs, r.summary)
	if err != nil {
		r.note("%s: %v", what, err)
		return nil
	}
	base := r.resolveBase(a.Base, run)
	steps, err := keptSteps(run.Dir)
	if err != nil || len(steps) == 0 || base == "" {
		r.note("%s: %s keeps no steps or has no base checkpoint: set train.save_steps (and analysis.amplification_steps.base) (%v)",
			what, run.Result.Setting, err)
		return nil
	}
	var rows []stepRow
	for _, step := range steps {
		us, err := loadUpdates(r.opt.Merge, run.Result, filepath.Join(run.Dir, record.StepDir(step)), base)
		if err != nil {
			r.note("%s: step %d: %v", what, step, err)
			continue
		}
		layers := a.Layers
		if layers == nil {
			if all := updateLayers(us, matrix); len(all) > 0 {
				layers = []int{all[len(all)/2]}
			}
		}
		for _, layer := range layers {
			u, ok := findUpdate(us, layer, matrix)
			if !ok {
				r.note("%s: %s does not adapt W%s in layer %d", what, run.Result.Setting, matrix, layer)
				continue
			}
			row, err := r.amplifyUpdate(run, u)
			if err != nil {
				r.note("%s: step %d: %v", what, step, err)
				continue
			}
			if row.NormDeltaW == 0 {
				r.note("%s: step %d: ΔW is zero (no direction to amplify)", what, step)
				continue
			}
			rows = append(rows, stepRow{Step: step, amplificationRow: row})
		}
	}
	return rows
}

// keptSteps lists the steps a run kept (record.StepDir folders), ascending.
func keptSteps(runDir string) ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(runDir, record.CheckpointsDir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var steps []int
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), "step-"); ok && e.IsDir() {
			if s, err := strconv.Atoi(n); err == nil && filepath.Base(record.StepDir(s)) == e.Name() {
				steps = append(steps, s)
			}
		}
	}
	slices.Sort(steps)
	return steps, nil
}

// stepsMarkdown is one line per kept step and measured (layer, matrix, rank).
func stepsMarkdown(rows []stepRow) string {
	var b strings.Builder
	b.WriteString("The paper's Table 7 at each step the run kept: ‖UᵀWVᵀ‖_F for the top-r singular directions U, V of ΔW, of W itself and random; " +
		"amplification = ‖ΔW‖_F / ‖UᵀWVᵀ‖_F (U, V from ΔW).\n\n")
	b.WriteString("| rank | layer | matrix | step | ‖UᵀWVᵀ‖_F, ΔW | W | random | ‖ΔW‖_F | amplification |\n")
	b.WriteString("|---:|---:|:---|---:|---:|---:|---:|---:|---:|\n")
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
	for _, row := range rows {
		fmt.Fprintf(&b, "| %d | %d | W%s | %d | %s | %s | %s | %s | %s |\n", row.Rank, row.Layer, row.Matrix, row.Step,
			g(row.ProjDeltaW), g(row.ProjW), g(row.ProjRandom), g(row.NormDeltaW), g(row.Factor))
	}
	amps := make([]amplificationRow, len(rows))
	for i, row := range rows {
		amps[i] = row.amplificationRow
	}
	b.WriteString("\nRuns: " + amplificationRuns(amps) + ".\n")
	return b.String()
}

// matrixSeries are the lines of one matrix's figure.
type matrixSeries struct {
	matrix string
	series []Series
}

// stepSeries are the figures' lines: the amplification factor, one line per measured
// (rank, layer, matrix); and for each matrix, the three projections of each (rank, layer).
func stepSeries(rows []stepRow) (factor []Series, proj []matrixSeries) {
	type key struct {
		rank, layer int
		matrix      string
	}
	type place struct{ factor, matrix, first int } // the line in factor; the figure in proj and its first line
	index := map[key]place{}
	for _, row := range rows {
		k := key{row.Rank, row.Layer, row.Matrix}
		at, ok := index[k]
		if !ok {
			m := slices.IndexFunc(proj, func(ms matrixSeries) bool { return ms.matrix == row.Matrix })
			if m < 0 {
				m = len(proj)
				proj = append(proj, matrixSeries{matrix: row.Matrix})
			}
			name := fmt.Sprintf("r=%d layer %d", row.Rank, row.Layer)
			factor = append(factor, Series{Name: name + " W" + row.Matrix})
			at = place{factor: len(factor) - 1, matrix: m, first: len(proj[m].series)}
			proj[m].series = append(proj[m].series, Series{Name: name + ", ΔW's"}, Series{Name: name + ", W's"}, Series{Name: name + ", random"})
			index[k] = at
		}
		f := &factor[at.factor]
		f.X, f.Y = append(f.X, float64(row.Step)), append(f.Y, row.Factor)
		for j, v := range []float64{row.ProjDeltaW, row.ProjW, row.ProjRandom} {
			s := &proj[at.matrix].series[at.first+j]
			s.X, s.Y = append(s.X, float64(row.Step)), append(s.Y, v)
		}
	}
	return factor, proj
}
