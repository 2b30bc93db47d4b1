package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// amplificationRow is one (layer, matrix, rank) measurement, with the run it came from.
type amplificationRow struct {
	Layer   int
	Matrix  string
	Setting string
	LR      float64 // the run's learning rate (0 when its config does not say)
	Seed    int
	Amplification
}

// amplificationStudy computes the paper's Table 7 for every layer, matrix and rank the spec
// asks for and writes tables/amplification.{md,csv}.
func (r *reporter) amplificationStudy() error {
	a := r.spec.Amplification
	if a == nil {
		return nil
	}
	var rows []amplificationRow
	for _, m := range a.matrices() {
		for _, rank := range a.Ranks {
			found, err := r.amplifyRank(a, m, rank)
			if err != nil {
				return err
			}
			rows = append(rows, found...)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	md := amplificationMarkdown(rows)
	csvData, err := render(func(w io.Writer) error { return amplificationCSV(w, rows) })
	if err != nil {
		return err
	}
	mdPath, err := r.writeFile(TablesDir+"/amplification.md", []byte(md))
	if err != nil {
		return err
	}
	csvPath, err := r.writeFile(TablesDir+"/amplification.csv", csvData)
	if err != nil {
		return err
	}
	sec := Section{Title: "Amplification (paper Table 7)", Body: md,
		Files: []Artifact{{Title: "Markdown", Path: mdPath}, {Title: "CSV", Path: csvPath}}}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// amplifyRank measures one matrix of the run of one rank at each asked layer.
func (r *reporter) amplifyRank(a *AmplificationSpec, matrix string, rank int) ([]amplificationRow, error) {
	what := fmt.Sprintf("amplification r=%d W%s", rank, matrix)
	run, err := Selector{Rank: rank, Task: a.Task}.pick(r.sweep.Runs, r.summary)
	if err != nil {
		r.note("%s: %v", what, err)
		return nil, nil
	}
	base := r.resolveBase(a.Base, run)
	if base == "" {
		r.note("%s: no base checkpoint: set analysis.amplification.base", what)
		return nil, nil
	}
	us, err := r.runUpdates(run, base)
	if err != nil {
		r.note("%s: %v", what, err)
		return nil, nil
	}
	layers := a.Layers
	if layers == nil {
		if all := updateLayers(us, matrix); len(all) > 0 {
			layers = []int{all[len(all)/2]}
		}
	}
	var rows []amplificationRow
	for _, layer := range layers {
		u, ok := findUpdate(us, layer, matrix)
		if !ok {
			r.note("%s: %s does not adapt W%s in layer %d", what, run.Result.Setting, matrix, layer)
			continue
		}
		row, err := r.amplifyUpdate(run, u)
		if err != nil {
			r.note("%s: %v", what, err)
			continue
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// amplifyUpdate measures one adapted matrix against its pretrained weight, at the run's rank.
func (r *reporter) amplifyUpdate(run Run, u Update) (amplificationRow, error) {
	amp, err := Amplify(u.W, u.DeltaW, u.Rank, r.spec.seed())
	if err != nil {
		return amplificationRow{}, fmt.Errorf("%s: %w", u.Module, err)
	}
	return amplificationRow{Layer: u.Layer, Matrix: u.Matrix, Setting: run.Result.Setting, LR: runLR(run.Result),
		Seed: run.Result.Seed, Amplification: amp}, nil
}

// amplificationMarkdown lays the rows out as the paper's Table 7: one column per measured
// (layer, matrix, rank), one row per quantity.
func amplificationMarkdown(rows []amplificationRow) string {
	var b strings.Builder
	b.WriteString("| |")
	for _, row := range rows {
		fmt.Fprintf(&b, " layer %d W%s, r=%d |", row.Layer, row.Matrix, row.Rank)
	}
	b.WriteString("\n|:---|" + strings.Repeat("---:|", len(rows)) + "\n")
	lines := []struct {
		name  string
		value func(amplificationRow) float64
	}{
		{"‖UᵀWVᵀ‖_F, U, V from ΔW", func(r amplificationRow) float64 { return r.ProjDeltaW }},
		{"‖UᵀWVᵀ‖_F, U, V from W", func(r amplificationRow) float64 { return r.ProjW }},
		{"‖UᵀWVᵀ‖_F, U, V random", func(r amplificationRow) float64 { return r.ProjRandom }},
		{"‖W‖_F", func(r amplificationRow) float64 { return r.NormW }},
		{"‖ΔW‖_F", func(r amplificationRow) float64 { return r.NormDeltaW }},
		{"amplification ‖ΔW‖_F / ‖UᵀWVᵀ‖_F", func(r amplificationRow) float64 { return r.Factor }},
	}
	for _, l := range lines {
		b.WriteString("| " + l.name + " |")
		for _, row := range rows {
			b.WriteString(" " + strconv.FormatFloat(l.value(row), 'g', 4, 64) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\nRuns: " + amplificationRuns(rows) + ".\n")
	return b.String()
}

// amplificationRuns names the run of each rank once, e.g. "r=4: lora r=4 q,v lr 3e-3 seed 1".
func amplificationRuns(rows []amplificationRow) string {
	var runs []string
	for _, row := range rows {
		run := fmt.Sprintf("r=%d: %s", row.Rank, row.Setting)
		if row.LR != 0 {
			run += " lr " + formatLR(row.LR)
		}
		if run += fmt.Sprintf(" seed %d", row.Seed); !slices.Contains(runs, run) {
			runs = append(runs, run)
		}
	}
	return strings.Join(runs, "; ")
}

// amplificationCSV writes one line per measurement, full precision.
func amplificationCSV(w io.Writer, rows []amplificationRow) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"layer", "matrix", "rank", "setting", "seed", "proj_delta_w", "proj_w", "proj_random", "norm_w", "norm_delta_w", "amplification", "lr"})
	for _, r := range rows {
		cw.Write([]string{strconv.Itoa(r.Layer), r.Matrix, strconv.Itoa(r.Rank), r.Setting, strconv.Itoa(r.Seed),
			formatExact(r.ProjDeltaW), formatExact(r.ProjW), formatExact(r.ProjRandom),
			formatExact(r.NormW), formatExact(r.NormDeltaW), formatExact(r.Factor), formatExact(r.LR)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("analysis: amplification csv: %w", err)
	}
	return nil
}
