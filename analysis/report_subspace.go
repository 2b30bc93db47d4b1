package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"loralab/model/target"
	"strconv"
	"strings"

	"path/filepath"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// subspaceJob is one comparison of two runs' A matrices.
type subspaceJob struct {
	a, b     Selector
	layers   []int
	matrices []string
}

// subspaceJobs lists the spec's subspace pairs and seed pairs as comparisons.
func (s Spec) subspaceJobs() []subspaceJob {
	var jobs []subspaceJob
	for _, p := range s.Subspace {
		jobs = append(jobs, subspaceJob{p.A, p.B, p.Layers, orDefault(p.Matrices, target.Default())})
	}
	for _, p := range s.SeedPairs {
		a, b := p.Setting, p.Setting
		a.Seed, b.Seed = p.Seeds[0], p.Seeds[1]
		jobs = append(jobs, subspaceJob{a, b, p.Layers, orDefault(p.Matrices, target.Default())})
	}
	return jobs
}

// subspaceStudies draws a heatmap of phi next to its random baseline for every layer and
// matrix of every pair the spec asks for.
func (r *reporter) subspaceStudies() error {
	jobs := r.spec.subspaceJobs()
	if len(jobs) == 0 {
		return nil
	}
	sec := Section{Title: "Subspace similarity",
		Body: "phi(A1, A2, i, j) = ||U1[:, :i]^T U2[:, :j]||_F^2 / min(i, j) over the right-singular vectors of " +
			"the LoRA A matrices (paper Section 7.2, eq. 4), next to two random Gaussian matrices of the same shapes, " +
			"whose expectation is max(i, j)/d.\n"}
	merged := false
	var corners []phiCorners
	for _, job := range jobs {
		arts, found, deltaW, err := r.subspaceJob(job)
		if err != nil {
			return err
		}
		sec.Files = append(sec.Files, arts...)
		corners = append(corners, found...)
		merged = merged || deltaW
	}
	if len(corners) > 0 {
		md := phiCornersMarkdown(corners)
		path, err := r.writeFile(TablesDir+"/subspace_corners.md", []byte(md))
		if err != nil {
			return err
		}
		sec.Body += "\n" + md
		sec.Files = append(sec.Files, Artifact{Title: "the corners of every grid (Markdown)", Path: path})
	}
	if merged {
		sec.Body += "For a run other than plain LoRA (an initialisation from W, DoRA, VeRA, ...), whose A is not what it adds, " +
			"the top-r right-singular vectors of its merged update ΔW take the place of A's.\n"
	}
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// phiCorners is what a reader looks for in one phi grid: the top directions' overlap
// phi(1, 1) and the whole smaller subspace's phi(k, k), k the smaller rank, each beside the
// random baseline's.
type phiCorners struct {
	Pair, Matrix           string
	Layer, K               int
	Top, TopRandom         float64
	Smaller, SmallerRandom float64
}

// corners reads phiCorners off a grid and its random baseline.
func corners(pair string, u Update, phi, random *mat.Dense) phiCorners {
	rows, cols := phi.Dims()
	k := min(rows, cols)
	return phiCorners{Pair: pair, Layer: u.Layer, Matrix: u.Matrix, K: k,
		Top: phi.At(0, 0), TopRandom: random.At(0, 0),
		Smaller: phi.At(k-1, k-1), SmallerRandom: random.At(k-1, k-1)}
}

// phiCornersMarkdown is the table of every grid's corners, one row per pair, layer and matrix.
func phiCornersMarkdown(cs []phiCorners) string {
	var b strings.Builder
	b.WriteString("The corners of each grid: phi(1, 1), the top directions, and phi(k, k), k the smaller rank, each beside the random baseline's (one draw).\n\n")
	b.WriteString("| pair | layer | matrix | phi(1, 1) | random | k | phi(k, k) | random |\n")
	b.WriteString("| :--- | ---: | :--- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, c := range cs {
		fmt.Fprintf(&b, "| %s | %d | W%s | %.3f | %.3f | %d | %.3f | %.3f |\n",
			c.Pair, c.Layer, c.Matrix, c.Top, c.TopRandom, c.K, c.Smaller, c.SmallerRandom)
	}
	return b.String()
}

// subspaceJob makes the figures of one pair of runs and the corners of their grids, and says
// whether it compared a merged update rather than LoRA's A.
func (r *reporter) subspaceJob(job subspaceJob) ([]Artifact, []phiCorners, bool, error) {
	what := fmt.Sprintf("subspace %s vs %s", job.a, job.b)
	runA, err := job.a.pick(r.sweep.Runs, r.summary)
	var runB Run
	if err == nil {
		runB, err = partner(job.b, runA, r.sweep.Runs, r.summary)
	}
	if err != nil {
		r.note("%s: %v", what, err)
		return nil, nil, false, nil
	}
	usA, errA := r.subspaceUpdates(runA)
	usB, errB := r.subspaceUpdates(runB)
	if errA != nil || errB != nil {
		r.note("%s: %v", what, firstError(errA, errB))
		return nil, nil, false, nil
	}
	if runA.Dir == runB.Dir {
		r.note("%s: both selectors pick the same run %s; the figure compares it with itself", what, runA.Result.RunID)
	}
	var arts []Artifact
	var found []phiCorners
	deltaW := false
	for _, m := range job.matrices {
		layers := job.layers
		if layers == nil {
			layers = intersect(updateLayers(usA, m), updateLayers(usB, m))
		}
		for _, layer := range layers {
			ua, okA := findUpdate(usA, layer, m)
			ub, okB := findUpdate(usB, layer, m)
			if !okA || !okB {
				r.note("%s: layer %d matrix %s is not adapted in both runs", what, layer, m)
				continue
			}
			made, c, err := r.subspaceFigure(job, runA, runB, ua, ub)
			if err != nil {
				return nil, nil, false, err
			}
			arts = append(arts, made...)
			found = append(found, c)
			deltaW = deltaW || ua.A == nil || ub.A == nil
		}
	}
	return arts, found, deltaW, nil
}

// subspaceUpdates reads the updates of a run for the subspace analysis: plain LoRA's need
// no base (its A is compared), the merged ones are read against the run's base.
func (r *reporter) subspaceUpdates(run Run) ([]Update, error) {
	base := ""
	if !readsFactors(methodSpec(run.Result), run.Dir) {
		base = r.resolveBase("", run)
	}
	return r.runUpdates(run, base)
}

// subspaceBasis is the matrix whose top-k right-singular vectors the subspace analysis
// compares, k, and its name: LoRA's A, all its r rows (the paper's eq. 4); for any other
// update ΔW itself and its top r directions (all of them for a method without a rank),
// which for plain LoRA would span the same row space as A.
func subspaceBasis(u Update) (m mat.Matrix, k int, name string) {
	if u.A != nil {
		rows, _ := u.A.Dims()
		return u.A, rows, "A"
	}
	k = u.Rank
	if rows, cols := u.DeltaW.Dims(); k == 0 || k > min(rows, cols) {
		k = min(rows, cols)
	}
	return u.DeltaW, k, "ΔW"
}

// partner picks the run b selects, preferring one on the task and with the seed of runA
// where b leaves them open, so that a rank comparison holds everything else fixed. Its
// error is b's own when no narrower selector picks a run.
func partner(b Selector, runA Run, runs []Run, s Summary) (Run, error) {
	var tries []Selector
	if b.Task == "" {
		narrow := b
		narrow.Task = runA.Result.Task
		if b.Seed == 0 {
			withSeed := narrow
			withSeed.Seed = runA.Result.Seed
			tries = append(tries, withSeed)
		}
		tries = append(tries, narrow)
	}
	for _, sel := range tries {
		if run, err := sel.pick(runs, s); err == nil {
			return run, nil
		}
	}
	return b.pick(runs, s)
}

// subspaceFigure computes phi for one layer and matrix, writes its grid as CSV and, if the
// spec wants heatmaps, draws it next to its random baseline.
func (r *reporter) subspaceFigure(job subspaceJob, runA, runB Run, ua, ub Update) ([]Artifact, phiCorners, error) {
	ma, ka, whatA := subspaceBasis(ua)
	mb, kb, whatB := subspaceBasis(ub)
	phi, err := similarity(ma, ka, mb, kb)
	if err != nil {
		return nil, phiCorners{}, fmt.Errorf("analysis: %s: %w", ua.Module, err)
	}
	_, d := ma.Dims()
	random, err := RandomSimilarity(ka, kb, d, r.spec.seed())
	if err != nil {
		return nil, phiCorners{}, fmt.Errorf("analysis: random baseline: %w", err)
	}
	c := corners(fmt.Sprintf("%s vs %s", shortLabel(runA), shortLabel(runB)), ua, phi, random)
	name := fmt.Sprintf("subspace_%s_vs_%s_L%d_%s", slug(job.a.String()), slug(job.b.String()), ua.Layer, ua.Matrix)
	title := fmt.Sprintf("layer %d, W%s: A of %s vs %s", ua.Layer, ua.Matrix, runLabel(runA), runLabel(runB))
	if whatA != "A" || whatB != "A" {
		title = fmt.Sprintf("layer %d, W%s: %s of %s vs %s of %s", ua.Layer, ua.Matrix, whatA, runLabel(runA), whatB, runLabel(runB))
	}
	data, err := render(func(w io.Writer) error { return writePhiCSV(w, phi, random) })
	if err != nil {
		return nil, phiCorners{}, err
	}
	csvPath, err := r.writeFile(TablesDir+"/"+name+".csv", data)
	if err != nil {
		return nil, phiCorners{}, err
	}
	if !r.spec.wantsPlot(PlotHeatmaps) {
		return []Artifact{{Title: fmt.Sprintf("layer %d, W%s (phi grid)", ua.Layer, ua.Matrix), Path: csvPath}}, c, nil
	}
	xLabel, yLabel := fmt.Sprintf("j (r=%d)", kb), fmt.Sprintf("i (r=%d)", ka)
	panels := []HeatmapPanel{
		{Title: fmt.Sprintf("%s vs %s", shortLabel(runA), shortLabel(runB)), XLabel: xLabel, YLabel: yLabel, Phi: phi},
		{Title: fmt.Sprintf("random Gaussian, d=%d", d), XLabel: xLabel, YLabel: yLabel, Phi: random},
	}
	paths, err := SaveHeatmaps(filepath.Join(r.dir, FiguresDir, name), title, panels, r.spec.HeatmapScale)
	if err != nil {
		return nil, phiCorners{}, err
	}
	fig, err := r.relFigure(title, paths)
	if err != nil {
		return nil, phiCorners{}, err
	}
	fig.Data = csvPath
	return []Artifact{fig}, c, nil
}

// writePhiCSV writes the grid in long form: i, j, phi, and the random baseline's phi.
func writePhiCSV(w io.Writer, phi, random *mat.Dense) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"i", "j", "phi", "phi_random"})
	rows, cols := phi.Dims()
	for i := range rows {
		for j := range cols {
			cw.Write([]string{strconv.Itoa(i + 1), strconv.Itoa(j + 1), formatExact(phi.At(i, j)), formatExact(random.At(i, j))})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("analysis: phi csv: %w", err)
	}
	return nil
}

// runUpdates loads (once per run folder and base) the updates of a run (loadUpdates).
func (r *reporter) runUpdates(run Run, base string) ([]Update, error) {
	key := run.Dir + "\x00" + base
	if us, ok := r.updates[key]; ok {
		return us, nil
	}
	us, err := loadUpdates(r.opt.Merge, run.Result, run.Dir, base)
	if err != nil {
		return nil, err
	}
	r.updates[key] = us
	return us, nil
}

// runLabel names a run in figure titles: "lora r=8 q,v (seed 1)".
func runLabel(run Run) string {
	return fmt.Sprintf("%s (seed %d)", run.Result.Setting, run.Result.Seed)
}

// shortLabel is the rank and seed of a LoRA run: "r=8 s1".
func shortLabel(run Run) string {
	return fmt.Sprintf("r=%d seed %d", methodSpec(run.Result).Rank, run.Result.Seed)
}

// intersect is the sorted values present in both sorted lists.
func intersect(a, b []int) []int {
	var out []int
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
