package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"loralab/model/target"
	"strconv"

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
	for _, job := range jobs {
		arts, err := r.subspaceJob(job)
		if err != nil {
			return err
		}
		sec.Files = append(sec.Files, arts...)
	}
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// subspaceJob makes the figures of one pair of runs.
func (r *reporter) subspaceJob(job subspaceJob) ([]Artifact, error) {
	what := fmt.Sprintf("subspace %s vs %s", job.a, job.b)
	runA, err := job.a.pick(r.sweep.Runs, r.summary)
	var runB Run
	if err == nil {
		runB, err = partner(job.b, runA, r.sweep.Runs, r.summary)
	}
	if err != nil {
		r.note("%s: %v", what, err)
		return nil, nil
	}
	adA, errA := r.adapter(runA)
	adB, errB := r.adapter(runB)
	if errA != nil || errB != nil {
		r.note("%s: %v", what, firstError(errA, errB))
		return nil, nil
	}
	if runA.Dir == runB.Dir {
		r.note("%s: both selectors pick the same run %s; the figure compares it with itself", what, runA.Result.RunID)
	}
	var arts []Artifact
	for _, m := range job.matrices {
		layers := job.layers
		if layers == nil {
			layers = intersect(adA.Layers(m), adB.Layers(m))
		}
		for _, layer := range layers {
			pa, okA := adA.Find(layer, m)
			pb, okB := adB.Find(layer, m)
			if !okA || !okB {
				r.note("%s: layer %d matrix %s is not adapted in both runs", what, layer, m)
				continue
			}
			made, err := r.subspaceFigure(job, runA, runB, pa, pb)
			if err != nil {
				return nil, err
			}
			arts = append(arts, made...)
		}
	}
	return arts, nil
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
func (r *reporter) subspaceFigure(job subspaceJob, runA, runB Run, pa, pb LoRAPair) ([]Artifact, error) {
	phi, err := Similarity(pa.A, pb.A)
	if err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", pa.Module, err)
	}
	_, d := pa.A.Dims()
	random, err := RandomSimilarity(pa.Rank(), pb.Rank(), d, r.spec.seed())
	if err != nil {
		return nil, fmt.Errorf("analysis: random baseline: %w", err)
	}
	name := fmt.Sprintf("subspace_%s_vs_%s_L%d_%s", slug(job.a.String()), slug(job.b.String()), pa.Layer, pa.Matrix)
	title := fmt.Sprintf("layer %d, W%s: A of %s vs %s", pa.Layer, pa.Matrix, runLabel(runA), runLabel(runB))
	data, err := render(func(w io.Writer) error { return writePhiCSV(w, phi, random) })
	if err != nil {
		return nil, err
	}
	csvPath, err := r.writeFile(TablesDir+"/"+name+".csv", data)
	if err != nil {
		return nil, err
	}
	if !r.spec.wantsPlot(PlotHeatmaps) {
		return []Artifact{{Title: fmt.Sprintf("layer %d, W%s (phi grid)", pa.Layer, pa.Matrix), Path: csvPath}}, nil
	}
	xLabel, yLabel := fmt.Sprintf("j (r=%d)", pb.Rank()), fmt.Sprintf("i (r=%d)", pa.Rank())
	panels := []HeatmapPanel{
		{Title: fmt.Sprintf("%s vs %s", shortLabel(runA), shortLabel(runB)), XLabel: xLabel, YLabel: yLabel, Phi: phi},
		{Title: fmt.Sprintf("random Gaussian, d=%d", d), XLabel: xLabel, YLabel: yLabel, Phi: random},
	}
	paths, err := SaveHeatmaps(filepath.Join(r.dir, FiguresDir, name), title, panels, r.spec.HeatmapScale)
	if err != nil {
		return nil, err
	}
	fig, err := r.relFigure(title, paths)
	if err != nil {
		return nil, err
	}
	fig.Data = csvPath
	return []Artifact{fig}, nil
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

// adapter loads (once) the LoRA factors of a run.
func (r *reporter) adapter(run Run) (Adapter, error) {
	if ad, ok := r.adapters[run.Dir]; ok {
		return ad, nil
	}
	ad, err := LoadRunAdapter(run.Dir)
	if err != nil {
		return nil, err
	}
	r.adapters[run.Dir] = ad
	return ad, nil
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
