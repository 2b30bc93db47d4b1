package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"loralab/analysis/spectral"
	"loralab/method"
)

// measuredUpdate is one update of one run, as an analysis found it.
type measuredUpdate struct {
	Run Run
	Update
}

// eachUpdate calls fn with every selected update of every done run of sel's task whose
// method changes weight matrices, among the runs at the learning rate the protocol chose for
// their setting and task (the runs the tables report). Runs whose method does not, runs
// whose files cannot be read, and searches where no rate could be chosen become notes of the
// analysis what.
func (r *reporter) eachUpdate(what string, sel UpdateSelection, fn func(measuredUpdate) error) error {
	skipped := map[string]bool{}
	for _, run := range r.sweep.Done() {
		if sel.Task != "" && run.Result.Task != sel.Task {
			continue
		}
		if !r.summary.atChosenRate(run.Result) {
			search := run.Result.Setting + " on " + run.Result.Task
			if slices.Contains(r.summary.Unchosen, search) && !skipped[search] {
				skipped[search] = true
				r.note("%s: %s left out: no learning rate could be chosen (every rate failed or lacks the validation metric)", what, search)
			}
			continue
		}
		base := r.resolveBase(sel.Base, run)
		if base == "" {
			r.note("%s: %s seed %d: no base checkpoint: set analysis.%s.base", what, run.Result.Setting, run.Result.Seed, what)
			continue
		}
		us, err := loadUpdates(r.opt.Merge, run.Result, run.Dir, base)
		if errors.Is(err, errNoUpdate) {
			if !skipped[run.Result.Setting] {
				skipped[run.Result.Setting] = true
				r.note("%s: %s left out: %v", what, run.Result.Setting, err)
			}
			continue
		}
		if err != nil {
			r.note("%s: %s seed %d: %v", what, run.Result.Setting, run.Result.Seed, err)
			continue
		}
		for _, u := range us {
			if !sel.selects(u) {
				continue
			}
			if err := fn(measuredUpdate{Run: run, Update: u}); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveBase is the pretrained checkpoint of a run: path, relative to the sweep folder,
// when the analysis sets one; else the checkpoint the run's config records ("base"), an
// absolute path, or for runs recorded before it was made absolute, a path relative to the
// folder runexp ran in.
func (r *reporter) resolveBase(path string, run Run) string {
	if path == "" {
		path, _ = run.Result.Config["base"].(string)
		return path
	}
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(r.dir, path)
}

// rankRow is the effective rank of one update.
type rankRow struct {
	Setting, Task string
	Spec          method.Spec
	Seed, Layer   int
	Matrix        string
	Dim           int // min(d_out, d_in): the largest rank possible
	Norm          float64
	Energy        int     // singular values holding the spec's fraction of ||ΔW||_F²
	Entropy       float64 // Roy-Vetterli effective rank
}

// updateRankStudy measures the effective rank of every selected update and writes
// tables/update_rank.{md,csv} and the figure of effective rank against LoRA rank.
func (r *reporter) updateRankStudy() error {
	u := r.spec.UpdateRank
	if u == nil {
		return nil
	}
	var rows []rankRow
	err := r.eachUpdate("update_rank", u.UpdateSelection, func(m measuredUpdate) error {
		sv, err := spectral.Values(m.DeltaW)
		if err != nil {
			return fmt.Errorf("analysis: update rank of %s: %w", m.Module, err)
		}
		out, in := m.DeltaW.Dims()
		rows = append(rows, rankRow{Setting: m.Run.Result.Setting, Task: m.Run.Result.Task, Spec: methodSpec(m.Run.Result),
			Seed: m.Run.Result.Seed, Layer: m.Layer, Matrix: m.Matrix, Dim: min(out, in), Norm: normOf(sv),
			Energy: spectral.EnergyRank(sv, u.energy()), Entropy: spectral.EntropyRank(sv)})
		return nil
	})
	if err != nil || len(rows) == 0 {
		if err == nil {
			r.note("update_rank: no run with an update of a weight matrix")
		}
		return err
	}
	sortRankRows(rows)
	md := rankMarkdown(rows, u.energy())
	lines := make([][]string, len(rows))
	for i, row := range rows {
		lines[i] = []string{row.Setting, row.Task, fmt.Sprint(row.Seed), fmt.Sprint(row.Layer), row.Matrix, fmt.Sprint(row.Dim),
			formatExact(row.Norm), fmt.Sprint(row.Energy), formatExact(row.Entropy)}
	}
	csvData, err := render(func(w io.Writer) error {
		return writeCSV(w, "update rank", []string{"setting", "task", "seed", "layer", "matrix", "max_rank", "norm_delta_w",
			fmt.Sprintf("energy_rank_%g", u.energy()), "entropy_rank"}, lines)
	})
	if err != nil {
		return err
	}
	sec, err := r.tableSection("Effective rank of ΔW", "update_rank", md, csvData)
	if err != nil {
		return err
	}
	if s := rankSeries(rows); hasPoints(s, 2) {
		lp := LinePlot{Title: "effective rank of ΔW (entropy) vs LoRA rank", XLabel: "LoRA rank r (log2 scale); full fine-tuning as a flat line",
			YLabel: "entropy effective rank (mean)", XLog: log2Axis, Series: s}
		if err := r.saveLinePlot(&sec, "update_rank", lp); err != nil {
			return err
		}
	}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// tableSection writes a table's Markdown and CSV under tables/<name>.* and returns a
// section showing the Markdown and linking both.
func (r *reporter) tableSection(title, name, md string, csvData []byte) (Section, error) {
	sec := Section{Title: title, Body: md}
	mdPath, err := r.writeFile(TablesDir+"/"+name+".md", []byte(md))
	if err != nil {
		return sec, err
	}
	csvPath, err := r.writeFile(TablesDir+"/"+name+".csv", csvData)
	if err != nil {
		return sec, err
	}
	sec.Files = append(sec.Files, Artifact{Title: "Markdown", Path: mdPath}, Artifact{Title: "CSV", Path: csvPath})
	return sec, nil
}

// normOf is the Frobenius norm from the singular values.
func normOf(sv []float64) float64 {
	s := 0.0
	for _, v := range sv {
		s += v * v
	}
	return math.Sqrt(s)
}

// sortRankRows orders rows as the comparison table orders settings, then by matrix, layer,
// seed.
func sortRankRows(rows []rankRow) {
	order := matrixOrder()
	slices.SortStableFunc(rows, func(a, b rankRow) int {
		return cmp.Or(cmp.Compare(a.Task, b.Task), compareSettings(a.Spec, a.Setting, b.Spec, b.Setting),
			cmp.Compare(order[a.Matrix], order[b.Matrix]), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Seed, b.Seed))
	})
}

// matrixOrder maps each block matrix to its place in the block.
func matrixOrder() map[string]int {
	order := map[string]int{}
	for i, m := range blockMatrices() {
		order[m] = i
	}
	return order
}

// rankGroup is the rows of one setting, task and matrix.
type rankGroup struct {
	first rankRow
	rows  []rankRow
}

// groupRankRows groups sorted rows by setting, task and matrix.
func groupRankRows(rows []rankRow) []rankGroup {
	var out []rankGroup
	for _, row := range rows {
		if n := len(out); n > 0 && out[n-1].first.Setting == row.Setting && out[n-1].first.Task == row.Task && out[n-1].first.Matrix == row.Matrix {
			out[n-1].rows = append(out[n-1].rows, row)
			continue
		}
		out = append(out, rankGroup{first: row, rows: []rankRow{row}})
	}
	return out
}

// rankMarkdown is one line per setting, task and matrix: both effective ranks, mean ± std
// over layers and seeds, and their range.
func rankMarkdown(rows []rankRow, energy float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Effective rank of each update ΔW (plain LoRA: s·B·A; every other method, LoRA initialised from W among them: merged weight − base): the number of singular values holding %g%% of ‖ΔW‖_F², "+
		"and the entropy-based effective rank exp(−Σ p_i ln p_i), p_i = σ_i/Σσ (Roy and Vetterli 2007). Mean ± std over layers and seeds [min–max]; "+
		"max = min(d_out, d_in).\n\n", 100*energy)
	fmt.Fprintf(&b, "| setting | task | matrix | matrices | max | rank at %g%% energy | entropy rank |\n", 100*energy)
	b.WriteString("|:---|:---|:---|---:|---:|---:|---:|\n")
	for _, g := range groupRankRows(rows) {
		var en, ent []float64
		for _, row := range g.rows {
			en = append(en, float64(row.Energy))
			ent = append(ent, row.Entropy)
		}
		fmt.Fprintf(&b, "| %s | %s | W%s | %d | %d | %s | %s |\n", g.first.Setting, g.first.Task, g.first.Matrix, len(g.rows), g.first.Dim,
			spreadText(en, 1), spreadText(ent, 1))
	}
	return b.String()
}

// spreadText prints mean ± std [min–max] of xs with prec decimals.
func spreadText(xs []float64, prec int) string {
	mean, std := stat.MeanStdDev(xs, nil)
	if len(xs) < 2 {
		return fmt.Sprintf("%.*f", prec, xs[0])
	}
	return fmt.Sprintf("%.*f ± %.*f [%.*f–%.*f]", prec, mean, prec, std, prec, slices.Min(xs), prec, slices.Max(xs))
}

// rankSeries is the entropy effective rank against the LoRA rank, one line per LoRA target
// set and matrix, and for every other method a flat line at its mean over the same x range.
func rankSeries(rows []rankRow) []Series {
	type key struct{ name, matrix string }
	sums := map[key]map[float64][]float64{}
	var keys []key
	var xs []float64
	for _, row := range rows {
		k, x := key{row.Spec.Name, row.Matrix}, 0.0
		if row.Spec.Name == method.LoRA {
			k.name = "LoRA " + strings.Join(row.Spec.Targets, ",")
			x = float64(row.Spec.Rank)
			xs = append(xs, x)
		}
		if sums[k] == nil {
			sums[k] = map[float64][]float64{}
			keys = append(keys, k)
		}
		sums[k][x] = append(sums[k][x], row.Entropy)
	}
	if len(xs) == 0 {
		return nil
	}
	lo, hi := slices.Min(xs), slices.Max(xs)
	var out []Series
	for _, k := range keys {
		s := Series{Name: k.name + " W" + k.matrix}
		if flat, ok := sums[k][0]; ok && !strings.HasPrefix(k.name, "LoRA") {
			m := stat.Mean(flat, nil)
			s.X, s.Y = []float64{lo, hi}, []float64{m, m}
		} else {
			for x, v := range sums[k] {
				s.X = append(s.X, x)
				s.Y = append(s.Y, stat.Mean(v, nil))
			}
			sortSeries(&s)
		}
		out = append(out, s)
	}
	return out
}
