package analysis

import (
	"encoding/csv"
	"errors"
	"fmt"
	"loralab/analysis/merge"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"loralab/analysis/spectral"
	"loralab/experiments/record"
	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// updateFixture is a sweep folder with a real (tiny) base checkpoint and runs whose updates
// are known: full fine-tuning with a planted update of one matrix, LoRA with kept steps, and
// an adapter, which has no update of a weight matrix.
type updateFixture struct {
	dir, base string
	planted   *mat.Dense // FT's update of blocks.1.attn.q: singular values 3, 1, 1, 1
}

const updateD = 16

func writeUpdateFixture(t *testing.T) updateFixture {
	t.Helper()
	f, m := newUpdateFixture(t)
	for seed := 1; seed <= 2; seed++ {
		f.writeRun(t, m, method.Spec{Name: method.FT}, seed, 5+0.2*float64(seed)+0.1, func(meth tuner.Method, m *model.Model) {
			q := m.Blocks[1].Q.W
			for i := range updateD {
				q.Data[i*updateD+i] += float32(f.planted.At(i, i))
			}
		})
	}
	loraSpec := method.Spec{Name: method.LoRA, Rank: 2, Alpha: 4, Targets: []string{"q", "v"}}
	f.writeRun(t, m, loraSpec, 1, 5.05, func(meth tuner.Method, m *model.Model) { scaleB(meth, 1) })
	f.writeRun(t, m, method.Spec{Name: method.AdapterH, Size: 2}, 1, 5.2, nil)
	return f
}

// newUpdateFixture is a sweep folder holding only the base checkpoint, and its model.
func newUpdateFixture(t *testing.T) (updateFixture, *model.Model) {
	t.Helper()
	dir := t.TempDir()
	cfg := model.Config{Arch: model.Encoder, Vocab: 64, DModel: updateD, Layers: 2, Heads: 2, DFF: 32, MaxLen: 16,
		Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "base")
	if err := model.Save(base, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	f := updateFixture{dir: dir, base: filepath.Join(base, model.WeightsFile), planted: mat.NewDense(updateD, updateD, nil)}
	for i, s := range []float64{3, 1, 1, 1} {
		f.planted.Set(i, i, s)
	}
	return f, m
}

// scaleB sets every LoRA B to a fixed pattern times c, so that ΔW is not zero.
func scaleB(meth tuner.Method, c float32) {
	for _, p := range meth.Trainable() {
		if strings.HasSuffix(p.Name, "lora_B") || strings.Contains(p.Name, ".B") {
			for i := range p.Data {
				p.Data[i] = c * float32((i%5)-2) / 10
			}
		}
	}
}

// writeRun applies spec to a clone of m, lets change train it, and writes the run folder
// as the executor does: checkpoint, adapter for LoRA, kept steps 2 and 4 for LoRA (with B
// at half and full scale), and result.json with held-out losses (base 5, step 0 5).
func (f updateFixture) writeRun(t *testing.T, m *model.Model, spec method.Spec, seed int, nll float64, change func(tuner.Method, *model.Model)) {
	t.Helper()
	meth, err := tuner.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	if err := meth.Apply(c, uint64(seed)); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(f.dir, "runs", fmt.Sprintf("%s-%d", strings.ReplaceAll(spec.Label(), " ", "-"), seed))
	save := func(dir string) {
		mustMkdir(t, dir)
		if _, err := tuner.Save(filepath.Join(dir, record.CheckpointFile), meth, nil); err != nil {
			t.Fatal(err)
		}
		if err := tuner.ExportRun(meth, dir); err != nil {
			t.Fatal(err)
		}
	}
	if spec.Name == method.LoRA {
		if spec.Init != "" {
			save(filepath.Join(runDir, record.StepDir(0))) // the factors as initialised
		}
		for step, scale := range map[int]float32{2: 0.5, 4: 1} {
			scaleB(meth, scale)
			save(filepath.Join(runDir, record.StepDir(step)))
		}
	}
	if change != nil {
		change(meth, c)
	}
	save(runDir)
	specJSON := map[string]any{"name": spec.Name}
	if spec.Rank > 0 {
		specJSON = map[string]any{"name": spec.Name, "rank": spec.Rank, "alpha": spec.Alpha, "targets": spec.Targets}
	}
	if spec.Init != "" {
		specJSON["init"] = spec.Init
	}
	if spec.Size > 0 {
		specJSON["size"] = spec.Size
	}
	writeJSON(t, filepath.Join(runDir, record.ResultFile), record.Result{
		RunID: filepath.Base(runDir), Status: record.StatusDone, Sweep: "updates", Method: spec.Name, Setting: spec.Label(),
		Task: "cls", Seed: seed, Config: map[string]any{"method": specJSON, "base": f.base}, MainMetric: "accuracy",
		Metrics: map[string]map[string]float64{"test": {"accuracy": 0.7 + 0.1*float64(seed)},
			record.ForgettingSplit: {record.NLLBase: 5, record.NLLStep0: 5, record.NLLAfter: nll, record.NLLTokens: 100}},
	})
}

func readResult(t *testing.T, dir string) record.Result {
	t.Helper()
	s, err := LoadSweep(dir)
	if err != nil || len(s.Runs) != 1 {
		t.Fatalf("load %s: %v", dir, err)
	}
	return s.Runs[0].Result
}

// TestLoadUpdatesGenericPathFindsThePlantedUpdate: merging FT's checkpoint and subtracting
// the base gives back exactly the one changed matrix, within float32 rounding of W + ΔW.
func TestLoadUpdatesGenericPathFindsThePlantedUpdate(t *testing.T) {
	f := writeUpdateFixture(t)
	dir := filepath.Join(f.dir, "runs", "ft-1")
	us, err := loadUpdates(merge.Matrices, readResult(t, dir), dir, f.base)
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 || us[0].Module != "blocks.1.attn.q" || us[0].Layer != 1 || us[0].Matrix != "q" {
		t.Fatalf("updates %+v, want only blocks.1.attn.q", us)
	}
	if !mat.EqualApprox(us[0].DeltaW, f.planted, 1e-6) {
		t.Errorf("ΔW differs from the planted update:\n%v", mat.Formatted(us[0].DeltaW))
	}
	w, err := LoadBaseWeight(f.base, "blocks.1.attn.q")
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(us[0].W, w) {
		t.Error("W is not the base weight")
	}
}

// TestLoadUpdatesLoRAPathsAgree: LoRA's update read from its adapter, s·B·A, equals the
// generic path through LoRA's own Merge, within float32 rounding.
func TestLoadUpdatesLoRAPathsAgree(t *testing.T) {
	f := writeUpdateFixture(t)
	dir := filepath.Join(f.dir, "runs", "lora-r=2-q,v-1")
	res := readResult(t, dir)
	fromAdapter, err := loadUpdates(merge.Matrices, res, dir, f.base)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := mergedUpdates(merge.Matrices, methodSpec(res), 1, filepath.Join(dir, record.CheckpointFile), f.base)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromAdapter) != 4 || len(merged) != 4 {
		t.Fatalf("%d updates from the adapter and %d merged, want 4 (q, v in 2 layers)", len(fromAdapter), len(merged))
	}
	for i := range fromAdapter {
		a, b := fromAdapter[i], merged[i]
		if a.Module != b.Module || mat.Norm(a.DeltaW, 2) == 0 || !mat.EqualApprox(a.DeltaW, b.DeltaW, 1e-6) {
			t.Errorf("%s vs %s: the adapter's s·B·A and the merged update differ", a.Module, b.Module)
		}
	}
}

func TestLoadUpdatesOfAnAdapterIsNoUpdate(t *testing.T) {
	f := writeUpdateFixture(t)
	dir := filepath.Join(f.dir, "runs", "adapter_h-r=2-1")
	if _, err := os.Stat(dir); err != nil {
		entries, _ := os.ReadDir(filepath.Join(f.dir, "runs"))
		t.Fatalf("%v (runs: %v)", err, entries)
	}
	_, err := loadUpdates(merge.Matrices, readResult(t, dir), dir, f.base)
	if !errors.Is(err, errNoUpdate) {
		t.Errorf("error %v, want errNoUpdate (an adapter cannot merge)", err)
	}
	if _, err := loadUpdates(nil, readResult(t, dir), dir, f.base); err == nil || !strings.Contains(err.Error(), "analysis.Options.Merge") {
		t.Errorf("without a merger: error %v, want one naming analysis.Options.Merge", err)
	}
}

// readCSV reads a produced table as records, keyed by its header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, h := range lines[0] {
			row[h] = l[i]
		}
		out = append(out, row)
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestUpdateAnalysesReport runs the four analyses on the fixture and checks their tables
// against values computed by hand: forgetting means and spreads, the effective ranks of the
// planted update (σ = 3, 1, 1, 1: 3 at 90% energy, entropy rank sqrt(12)), the intruder
// count of an update that changes no direction (0), and Table 7 at each kept step.
func TestUpdateAnalysesReport(t *testing.T) {
	f := writeUpdateFixture(t)
	spec, err := ParseSpec([]byte(`
plots: []
forgetting: {}
update_rank: {energy: 0.9}
intruders: {k: 4, epsilon: 0.5, epsilons: [0.5, 1]}
amplification_steps: {ranks: [2], layers: [0], matrices: [v]}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := WriteReport(f.dir, spec, Options{Merge: merge.Matrices})
	if err != nil {
		t.Fatal(err)
	}
	tables := filepath.Join(f.dir, TablesDir)

	forget := readCSV(t, filepath.Join(tables, "forgetting.csv"))
	if len(forget) != 3 {
		t.Fatalf("forgetting rows %v, want ft, adapter_h, lora", forget)
	}
	ft := forget[0] // seeds 1, 2: after - base = 0.3 and 0.5
	if ft["setting"] != "ft" || math.Abs(num(t, ft["after_minus_base_mean"])-0.4) > 1e-12 ||
		math.Abs(num(t, ft["after_minus_base_std"])-math.Sqrt(0.02)) > 1e-12 || num(t, ft["step0_minus_base_mean"]) != 0 ||
		math.Abs(num(t, ft["metric_mean"])-0.85) > 1e-12 {
		t.Errorf("ft forgetting row %v, want after - base 0.4 ± 0.1414, step 0 0, accuracy 0.85", ft)
	}

	if md, _ := os.ReadFile(filepath.Join(tables, "forgetting.md")); !strings.Contains(string(md), "predicted tokens scored: 100)") {
		t.Errorf("forgetting table does not say the 100 tokens scored:\n%s", md)
	}

	ranks := readCSV(t, filepath.Join(tables, "update_rank.csv"))
	var ftRows int
	for _, row := range ranks {
		if row["setting"] != "ft" {
			continue
		}
		ftRows++
		if row["layer"] != "1" || row["matrix"] != "q" || row["energy_rank_0.9"] != "3" ||
			math.Abs(num(t, row["entropy_rank"])-math.Sqrt(12)) > 1e-5 {
			t.Errorf("ft update rank row %v, want layer 1 q, 3 at 90%%, entropy rank sqrt(12)", row)
		}
	}
	if ftRows != 2 || len(ranks) != 2+4 {
		t.Errorf("%d update rank rows, %d of ft: want ft's 2 seeds and LoRA's 4 matrices", len(ranks), ftRows)
	}
	if !strings.Contains(strings.Join(p.Notes, "\n"), "adapter_h r=2 left out") {
		t.Errorf("notes %q lack the adapter left out", p.Notes)
	}

	intr := readCSV(t, filepath.Join(tables, "intruders.csv"))
	wq, _ := LoadBaseWeight(f.base, "blocks.1.attn.q")
	var ftq mat.Dense
	ftq.Add(wq, f.planted)
	cos, err := spectral.MaxCosines(wq, &ftq, 4, updateD)
	if err != nil {
		t.Fatal(err)
	}
	if intr[0]["setting"] != "ft" || intr[0]["intruders_eps_0.5"] != strconv.Itoa(spectral.CountBelow(cos, 0.5)) {
		t.Errorf("ft intruder row %v, want %d intruders at ε = 0.5 (max cosines %v)", intr[0], spectral.CountBelow(cos, 0.5), cos)
	}
	for _, row := range intr {
		if row["k"] != "4" || row["k_w"] != strconv.Itoa(updateD) {
			t.Errorf("intruder row %v, want k 4 against all %d of W's vectors", row, updateD)
		}
		// Every cosine is at most 1, so all k vectors are below ε = 1 only if none is W's own.
		if n := num(t, row["intruders_eps_1"]); n < num(t, row["intruders_eps_0.5"]) {
			t.Errorf("intruder row %v: fewer intruders at ε = 1 than at 0.5", row)
		}
	}

	steps := readCSV(t, filepath.Join(tables, "amplification_steps.csv"))
	if len(steps) != 2 || steps[0]["step"] != "2" || steps[1]["step"] != "4" {
		t.Fatalf("amplification steps %v, want steps 2 and 4", steps)
	}
	w, _ := LoadBaseWeight(f.base, "blocks.0.attn.v")
	for i, step := range []int{2, 4} {
		ad, err := LoadRunAdapter(filepath.Join(f.dir, "runs", "lora-r=2-q,v-1", record.StepDir(step)))
		if err != nil {
			t.Fatal(err)
		}
		pair, _ := ad.Find(0, "v")
		dw, _ := DeltaW(pair.B, pair.A, 2) // alpha 4 / r 2
		want, err := Amplify(w, dw, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := num(t, steps[i]["amplification"]); math.Abs(got-want.Factor) > 1e-12*want.Factor {
			t.Errorf("step %d: amplification %g, want %g", step, got, want.Factor)
		}
	}
	// B at half scale halves ΔW and leaves its directions: half the factor.
	if a, b := num(t, steps[0]["amplification"]), num(t, steps[1]["amplification"]); math.Abs(2*a-b) > 1e-6*b {
		t.Errorf("amplification %g at half B and %g at full B, want a ratio of 2", a, b)
	}
}

// TestLoadUpdatesPiSSAIsMergedMinusBase: LoRA initialised by PiSSA freezes the residual
// W0 - s·B0·A0 in W0's place, so its update against the base is W_res + s·B·A - W0, not the
// s·B·A of its factors. The analyses read that, within float32 rounding of the merged
// weight: about 0 at step 0, where s·B·A is W0's principal part.
func TestLoadUpdatesPiSSAIsMergedMinusBase(t *testing.T) {
	f, m := newUpdateFixture(t)
	spec := method.Spec{Name: method.LoRA, Rank: 2, Alpha: 4, Targets: []string{"q", "v"}, Init: "pissa"}
	for seed, c := range map[int]float32{1: 1, 2: -3} { // the final B: c times scaleB's pattern; A moved by seed
		f.writeRun(t, m, spec, seed, 5.05, func(meth tuner.Method, m *model.Model) {
			scaleB(meth, c)
			for _, p := range meth.Trainable() {
				if strings.HasSuffix(p.Name, "lora_A") || strings.Contains(p.Name, ".A") {
					for i := range p.Data {
						p.Data[i] += float32((i*seed)%7-3) / 10
					}
				}
			}
		})
	}
	residual := m.Clone() // the frozen weights of the runs, as PiSSA leaves them
	meth, err := tuner.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := meth.Apply(residual, 1); err != nil {
		t.Fatal(err)
	}
	runDir := func(seed int) string { return filepath.Join(f.dir, "runs", fmt.Sprintf("lora-r=2-q,v-pissa-%d", seed)) }
	want := map[int]map[string]*mat.Dense{} // seed -> module -> W_res + s·B·A - W0, in float64
	for seed := 1; seed <= 2; seed++ {
		dir := runDir(seed)
		ad, err := LoadRunAdapter(dir)
		if err != nil {
			t.Fatal(err)
		}
		us, err := loadUpdates(merge.Matrices, readResult(t, dir), dir, f.base)
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 4 {
			t.Fatalf("seed %d: %d updates, want q and v in 2 layers", seed, len(us))
		}
		want[seed] = map[string]*mat.Dense{}
		for _, u := range us {
			p, ok := ad.Find(u.Layer, u.Matrix)
			if !ok {
				t.Fatalf("%s not in the adapter", u.Module)
			}
			lin := residual.Blocks[u.Layer].Q
			if u.Matrix == "v" {
				lin = residual.Blocks[u.Layer].V
			}
			w0, err := LoadBaseWeight(f.base, u.Module)
			if err != nil {
				t.Fatal(err)
			}
			sBA, _ := DeltaW(p.B, p.A, 2) // alpha 4 / r 2
			var dw mat.Dense
			dw.Add(denseFromFloat32(updateD, updateD, lin.W.Data), sBA)
			dw.Sub(&dw, w0)
			want[seed][u.Module] = &dw
			if !mat.EqualApprox(u.DeltaW, &dw, 1e-6) || !mat.Equal(u.W, w0) || u.A != nil || u.Rank != 2 {
				t.Errorf("seed %d %s: ΔW is not W_res + s·B·A - W0 against the base W0 (rank %d)", seed, u.Module, u.Rank)
			}
			if mat.EqualApprox(u.DeltaW, sBA, 1e-2) {
				t.Errorf("seed %d %s: ΔW equals s·B·A; the fixture does not tell the paths apart", seed, u.Module)
			}
		}
	}

	// At step 0 the model is the base: ΔW about 0, where s·B0·A0 holds W0's top directions.
	dir := filepath.Join(runDir(1), record.StepDir(0))
	us, err := loadUpdates(merge.Matrices, readResult(t, runDir(1)), dir, f.base)
	if err != nil {
		t.Fatal(err)
	}
	ad, err := LoadRunAdapter(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		p, _ := ad.Find(u.Layer, u.Matrix)
		principal, _ := DeltaW(p.B, p.A, 2)
		if n, nw := mat.Norm(u.DeltaW, 2), mat.Norm(u.W, 2); n > 1e-6*nw || mat.Norm(principal, 2) < 0.1*nw {
			t.Errorf("step 0 %s: ‖ΔW‖ %g, ‖s·B0·A0‖ %g, ‖W‖ %g: want ΔW about 0 and the principal part large",
				u.Module, n, mat.Norm(principal, 2), nw)
		}
	}

	// The analyses read the same ΔW: Table 7's norms and the subspace of ΔW (not of A, which
	// both seeds share).
	spec2, err := ParseSpec([]byte(`
plots: []
amplification: {ranks: [2], layers: [1], matrices: [v]}
amplification_steps: {ranks: [2], layers: [1], matrices: [v]}
seed_pairs: [{setting: {rank: 2}, seeds: [1, 2], layers: [0], matrices: [q]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := WriteReport(f.dir, spec2, Options{Merge: merge.Matrices})
	if err != nil {
		t.Fatal(err)
	}
	tables := filepath.Join(f.dir, TablesDir)
	amp := readCSV(t, filepath.Join(tables, "amplification.csv"))
	if wantNorm := mat.Norm(want[1]["blocks.1.attn.v"], 2); len(amp) != 1 || math.Abs(num(t, amp[0]["norm_delta_w"])-wantNorm) > 1e-6*wantNorm {
		t.Errorf("amplification %v, want ‖ΔW‖_F %g (notes %q)", amp, wantNorm, p.Notes)
	}
	steps := readCSV(t, filepath.Join(tables, "amplification_steps.csv"))
	if len(steps) != 3 || steps[0]["step"] != "0" || num(t, steps[0]["norm_delta_w"]) > 1e-6*num(t, steps[0]["norm_w"]) {
		t.Errorf("amplification steps %v, want steps 0, 2, 4 with ΔW about 0 at step 0", steps)
	}
	phi := readCSV(t, filepath.Join(tables, "subspace_lora-r2-seed1_vs_lora-r2-seed2_L0_q.csv"))
	wantPhi, err := similarity(want[1]["blocks.0.attn.q"], 2, want[2]["blocks.0.attn.q"], 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(phi) != 4 {
		t.Fatalf("phi rows %v, want a 2 x 2 grid", phi)
	}
	for _, row := range phi {
		i, j := int(num(t, row["i"])), int(num(t, row["j"]))
		if got := num(t, row["phi"]); math.Abs(got-wantPhi.At(i-1, j-1)) > 1e-5 {
			t.Errorf("phi(%d, %d) = %g, want %g from the two ΔW", i, j, got, wantPhi.At(i-1, j-1))
		}
	}
	corners := readFile(t, filepath.Join(tables, "subspace_corners.md"))
	wantRow := fmt.Sprintf("| r=2 seed 1 vs r=2 seed 2 | 0 | Wq | %.3f |", wantPhi.At(0, 0))
	wantK := fmt.Sprintf("| 2 | %.3f |", wantPhi.At(1, 1))
	if !strings.Contains(corners, wantRow) || !strings.Contains(corners, wantK) || !strings.Contains(readFile(t, filepath.Join(f.dir, "report.md")), wantRow) {
		t.Errorf("subspace_corners.md (and report.md) lack the row %q ... %q:\n%s", wantRow, wantK, corners)
	}
	if wantPhi.At(1, 1) > 0.999 {
		t.Errorf("phi(2, 2) of the two ΔW is %g: the seeds' updates share their subspace, the test cannot tell ΔW from A", wantPhi.At(1, 1))
	}
	md := readFile(t, filepath.Join(f.dir, "report.md"))
	if !strings.Contains(md, "merged update ΔW take the place of A's") {
		t.Error("report.md does not say the subspace compared ΔW")
	}
}
