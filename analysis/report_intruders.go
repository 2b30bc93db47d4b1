package analysis

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"loralab/analysis/spectral"
	"loralab/method"
)

// intruderRow is the intruder measurement of one fine-tuned matrix W + ΔW.
type intruderRow struct {
	Setting, Task string
	Spec          method.Spec
	Seed, Layer   int
	Matrix        string
	K, BaseK      int
	Cosines       []float64 // max |cos| of each of the top K singular vectors of W + ΔW
}

// count is the number of intruder dimensions at threshold eps.
func (row intruderRow) count(eps float64) int { return spectral.CountBelow(row.Cosines, eps) }

// intrudersStudy counts the intruder dimensions of every selected fine-tuned matrix and
// writes tables/intruders.{md,csv} and the figure of the count against the threshold ε.
func (r *reporter) intrudersStudy() error {
	in := r.spec.Intruders
	if in == nil {
		return nil
	}
	var rows []intruderRow
	err := r.eachUpdate("intruders", in.UpdateSelection, func(m measuredUpdate) error {
		out, inDim := m.W.Dims()
		n := min(out, inDim)
		var ft mat.Dense
		ft.Add(m.W, m.DeltaW)
		cos, err := spectral.MaxCosines(m.W, &ft, in.k(n), in.baseK(n))
		if err != nil {
			return fmt.Errorf("analysis: intruders of %s: %w", m.Module, err)
		}
		rows = append(rows, intruderRow{Setting: m.Run.Result.Setting, Task: m.Run.Result.Task, Spec: methodSpec(m.Run.Result),
			Seed: m.Run.Result.Seed, Layer: m.Layer, Matrix: m.Matrix, K: in.k(n), BaseK: in.baseK(n), Cosines: cos})
		return nil
	})
	if err != nil || len(rows) == 0 {
		if err == nil {
			r.note("intruders: no run with an update of a weight matrix")
		}
		return err
	}
	order := matrixOrder()
	slices.SortStableFunc(rows, func(a, b intruderRow) int {
		return cmp.Or(cmp.Compare(a.Task, b.Task), compareSettings(a.Spec, a.Setting, b.Spec, b.Setting),
			cmp.Compare(order[a.Matrix], order[b.Matrix]), cmp.Compare(a.Layer, b.Layer), cmp.Compare(a.Seed, b.Seed))
	})
	md := intrudersMarkdown(rows, in.epsilon())
	csvData, err := render(func(w io.Writer) error { return intrudersCSV(w, rows, in.epsilons()) })
	if err != nil {
		return err
	}
	sec, err := r.tableSection("Intruder dimensions", "intruders", md, csvData)
	if err != nil {
		return err
	}
	lp := LinePlot{Title: "intruder dimensions vs threshold ε", XLabel: "ε (largest |cosine| with W's singular vectors below ε)",
		YLabel: "intruders per matrix, mean over layers and seeds", Series: intruderSeries(rows, in.epsilons())}
	if err := r.saveLinePlot(&sec, "intruders", lp); err != nil {
		return err
	}
	fmt.Fprint(r.opt.Out, "\n"+md)
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// intrudersMarkdown is one line per setting, task and matrix: the count at eps, mean ± std
// over layers and seeds [min–max].
func intrudersMarkdown(rows []intruderRow, eps float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Intruder dimensions (Shuttleworth et al. 2024): among the top k left singular vectors of the fine-tuned W + ΔW, "+
		"those whose largest |cosine| with the top k_W left singular vectors of W is below ε = %g. Mean ± std over layers and seeds [min–max].\n\n", eps)
	b.WriteString("| setting | task | matrix | matrices | k | k_W | intruders |\n|:---|:---|:---|---:|---:|---:|---:|\n")
	for i := 0; i < len(rows); {
		j := i
		var counts []float64
		for ; j < len(rows) && rows[j].Setting == rows[i].Setting && rows[j].Task == rows[i].Task && rows[j].Matrix == rows[i].Matrix; j++ {
			counts = append(counts, float64(rows[j].count(eps)))
		}
		fmt.Fprintf(&b, "| %s | %s | W%s | %d | %d | %d | %s |\n", rows[i].Setting, rows[i].Task, rows[i].Matrix, j-i, rows[i].K, rows[i].BaseK,
			spreadText(counts, 2))
		i = j
	}
	return b.String()
}

// intruderSeries is the mean count per matrix against ε, one line per setting and task.
func intruderSeries(rows []intruderRow, epsilons []float64) []Series {
	var out []Series
	tasks := map[string]bool{}
	for _, row := range rows {
		tasks[row.Task] = true
	}
	for i := 0; i < len(rows); {
		j := i
		for j < len(rows) && rows[j].Setting == rows[i].Setting && rows[j].Task == rows[i].Task {
			j++
		}
		name := rows[i].Setting
		if len(tasks) > 1 {
			name += " (" + rows[i].Task + ")"
		}
		s := Series{Name: name}
		for _, eps := range epsilons {
			var counts []float64
			for _, row := range rows[i:j] {
				counts = append(counts, float64(row.count(eps)))
			}
			s.X = append(s.X, eps)
			s.Y = append(s.Y, stat.Mean(counts, nil))
		}
		out = append(out, s)
		i = j
	}
	return out
}

// intrudersCSV writes one line per matrix: the count at each ε of the figure, then the
// largest cosine of each examined singular vector.
func intrudersCSV(w io.Writer, rows []intruderRow, epsilons []float64) error {
	header := []string{"setting", "task", "seed", "layer", "matrix", "k", "k_w"}
	for _, e := range epsilons {
		header = append(header, "intruders_eps_"+strconv.FormatFloat(e, 'g', -1, 64))
	}
	header = append(header, "max_cosines")
	var lines [][]string
	for _, row := range rows {
		line := []string{row.Setting, row.Task, strconv.Itoa(row.Seed), strconv.Itoa(row.Layer), row.Matrix, strconv.Itoa(row.K), strconv.Itoa(row.BaseK)}
		for _, e := range epsilons {
			line = append(line, strconv.Itoa(row.count(e)))
		}
		cos := make([]string, len(row.Cosines))
		for i, c := range row.Cosines {
			cos[i] = formatExact(c)
		}
		lines = append(lines, append(line, strings.Join(cos, " ")))
	}
	return writeCSV(w, "intruders", header, lines)
}
