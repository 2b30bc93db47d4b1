package analysis

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// strengthBase is one base of the base-strength fixture: its folder, tokens, and per
// setting the test accuracy of seeds 1, 2, 3.
type strengthBase struct {
	dir    string
	tokens int64
	acc    map[string][3]float64
}

// strengthBases are written in an order that is not the tokens' order. The LoRA − FT
// differences by seed: base 0 (-0.02, -0.06, +0.02), base 1 (-0.02, -0.03, -0.01), base 2
// (+0.05, +0.06, +0.06).
var strengthBases = []strengthBase{
	{"models/enc/checkpoints/step-000009", 1000, map[string][3]float64{
		"ft": {0.60, 0.64, 0.62}, "lora r=8 q,v": {0.58, 0.61, 0.61}, "bitfit": {0.50, 0.52, 0.54}}},
	{"models/enc", 4000, map[string][3]float64{
		"ft": {0.70, 0.72, 0.74}, "lora r=8 q,v": {0.75, 0.78, 0.80}, "bitfit": {0.60, 0.62, 0.64}}},
	{"models/enc/checkpoints/step-000000", 0, map[string][3]float64{
		"ft": {0.50, 0.56, 0.53}, "lora r=8 q,v": {0.48, 0.50, 0.55}, "bitfit": {0.40, 0.42, 0.44}}},
}

// writeStrengthSweep writes the done runs of a sweep on the base axis: task cls, the
// settings of strengthBases, seeds 1-3, each run's config naming its base and tokens as
// experiments.RunSpec.Base does.
func writeStrengthSweep(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, b := range strengthBases {
		for setting, accs := range b.acc {
			for i, acc := range accs {
				writeStrengthRun(t, dir, b, setting, i+1, 1e-3, acc, acc)
			}
		}
	}
	return dir
}

// writeStrengthRun writes one done run of the base-strength fixture.
func writeStrengthRun(t *testing.T, dir string, b strengthBase, setting string, seed int, lr, test, validation float64) {
	t.Helper()
	name, spec := setting, map[string]any{"name": setting}
	if strings.HasPrefix(setting, "lora") {
		name, spec = "lora", map[string]any{"name": "lora", "rank": 8, "alpha": 8.0, "targets": []string{"q", "v"}}
	}
	id := fmt.Sprintf("%s-%s-%d-%g", slug(b.dir), slug(setting), seed, lr)
	runDir := filepath.Join(dir, "runs", id)
	mustMkdir(t, runDir)
	writeJSON(t, filepath.Join(runDir, record.ResultFile), record.Result{
		RunID: id, Status: record.StatusDone, Sweep: "strength", Method: name, Setting: setting, Task: "cls", Seed: seed,
		Config: map[string]any{"method": spec, "train": map[string]any{"lr": lr},
			"base_folder": map[string]any{"dir": b.dir, "tokens": b.tokens}},
		TrainableParams: 100, PaperFormulaParams: 100, MainMetric: "accuracy",
		Metrics: map[string]map[string]float64{"test": {"accuracy": test}, "validation": {"accuracy": validation}},
		Chance:  map[string]map[string]float64{"test": {"accuracy": 0.25}},
	})
}

// TestBaseStrengthByHand checks the study's numbers on the fixture against values computed
// by hand. With three seeds the paired differences d have n-1 = 2 degrees of freedom, where
// Student's t has closed forms: the 0.975 quantile is 0.95·sqrt(2/(4·0.975·0.025)) =
// 4.302653, and P(|T| > t) = 1 - t/sqrt(t²+2).
//
//	base 0 (0 tokens): d = (-0.02, -0.06, +0.02), mean -0.02, sd 0.04, se 0.023094:
//	  CI -0.02 ± 0.099366 = [-0.119366, 0.079366]; t = -0.866025, p = 1 - 0.866025/sqrt(2.75) = 0.477767
//	base 1 (1000):     d = (-0.02, -0.03, -0.01), mean -0.02, sd 0.01, se 0.0057735:
//	  CI [-0.044841, 0.004841]; t = -3.464102, p = 1 - 3.464102/sqrt(14) = 0.074180
//	base 2 (4000):     d = (+0.05, +0.06, +0.06), mean 0.056667, sd 0.0057735:
//	  CI [0.042324, 0.071009]; t = 17, p = 1 - 17/sqrt(291) = 0.003442 (the only gap that holds)
func TestBaseStrengthByHand(t *testing.T) {
	sweep, err := LoadSweep(writeStrengthSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	bs, err := BuildBaseStrength(Aggregate(Results(sweep.Runs), "test", ""), BaseStrengthSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if bs.LoRA != "lora r=8 q,v" || bs.FT != "ft" || strings.Join(bs.Settings, "|") != "ft|bitfit|lora r=8 q,v" {
		t.Fatalf("lora %q, ft %q, settings %q", bs.LoRA, bs.FT, bs.Settings)
	}
	want := []struct {
		tokens           int64
		diff, lo, hi, p  float64
		holds            bool
		ftMean, loraMean float64
	}{
		{0, -0.02, -0.119365508470013, 0.079365508470013, 0.477767032132907, false, 0.53, 0.51},
		{1000, -0.02, -0.044841377117503, 0.004841377117503, 0.074179900227449, false, 0.62, 0.6},
		{4000, 0.056666666666667, 0.042324490900835, 0.071008842432498, 0.003442351007066, true, 0.72, 0.776666666666667},
	}
	if len(bs.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(bs.Rows), len(want))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	for i, w := range want {
		r := bs.Rows[i]
		if *r.Base.Tokens != w.tokens || r.Task != "cls" || r.Metric != "accuracy" || !r.HasGap || r.Gap.N != 3 {
			t.Fatalf("row %d: base %+v (tokens %d), task %s, metric %s, gap %+v", i, r.Base, *r.Base.Tokens, r.Task, r.Metric, r.Gap)
		}
		if !near(r.Gap.Diff, w.diff) || !near(r.GapLo, w.lo) || !near(r.GapHi, w.hi) || !near(r.Gap.P, w.p) || r.Gap.Holds() != w.holds {
			t.Errorf("row %d: gap %.15f [%.15f, %.15f] p %.15f holds %v; want %.15f [%.15f, %.15f] p %.15f holds %v",
				i, r.Gap.Diff, r.GapLo, r.GapHi, r.Gap.P, r.Gap.Holds(), w.diff, w.lo, w.hi, w.p, w.holds)
		}
		if !near(r.Cells[0].Mean, w.ftMean) || !near(r.Cells[2].Mean, w.loraMean) || r.Cells[1].N != 3 {
			t.Errorf("row %d: cells %+v", i, r.Cells)
		}
	}
}

// TestBaseStrengthCollapsedGap: a gap that compares a run predicting one class is marked.
func TestBaseStrengthCollapsedGap(t *testing.T) {
	sweep, err := LoadSweep(writeStrengthSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	s := Aggregate(Results(sweep.Runs), "test", "")
	for i, g := range s.Groups {
		if g.Setting == "ft" && g.Base.Tokens != nil && *g.Base.Tokens == 0 {
			s.Groups[i].Collapsed = []int{2}
		}
	}
	bs, err := BuildBaseStrength(s, BaseStrengthSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if !bs.Rows[0].GapCollapsed || bs.Rows[1].GapCollapsed || bs.Rows[2].GapCollapsed {
		t.Errorf("collapsed gaps %v %v %v, want only the first", bs.Rows[0].GapCollapsed, bs.Rows[1].GapCollapsed, bs.Rows[2].GapCollapsed)
	}
	md, err := render(bs.WriteMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "−0.020 [−0.119, +0.079] (3 seeds) † |") || !strings.Contains(string(md), "a gap marked † compares such runs") {
		t.Errorf("markdown:\n%s", md)
	}
}

// TestBaseStrengthErrors: what the runs cannot give is an error saying why.
func TestBaseStrengthErrors(t *testing.T) {
	sweep, err := LoadSweep(writeStrengthSweep(t))
	if err != nil {
		t.Fatal(err)
	}
	results := Results(sweep.Runs)
	full := Aggregate(results, "test", "")
	noTokens := Aggregate(results, "test", "")
	for i := range noTokens.Groups {
		if noTokens.Groups[i].Base.Dir == "models/enc" {
			noTokens.Groups[i].Base.Tokens = nil
		}
	}
	twoLoRA := Aggregate(results, "test", "")
	extra := twoLoRA.Groups[0]
	extra.Method, extra.Setting = "lora", "lora r=2 q,v"
	twoLoRA.Groups = append(twoLoRA.Groups, extra)
	tests := []struct {
		name string
		s    Summary
		spec BaseStrengthSpec
		want string
	}{
		{"one base", full.OfBase("models/enc"), BaseStrengthSpec{}, "the runs start from 1 base, want several"},
		{"no tokens", noTokens, BaseStrengthSpec{}, `base "models/enc" records no pretraining tokens`},
		{"unknown task", full, BaseStrengthSpec{Tasks: []string{"reg"}}, "task reg has no done run (the runs have [cls])"},
		{"unknown setting", full, BaseStrengthSpec{LoRA: "lora r=4 q,v"}, `no done run of the setting "lora r=4 q,v"`},
		{"two LoRA settings", twoLoRA, BaseStrengthSpec{}, "several settings of method lora ([lora r=2 q,v lora r=8 q,v]): name the one to compare in base_strength.lora"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BuildBaseStrength(tt.s, tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	if bs, err := BuildBaseStrength(twoLoRA, BaseStrengthSpec{LoRA: "lora r=8 q,v"}); err != nil || bs.LoRA != "lora r=8 q,v" {
		t.Errorf("LoRA named among two: %v", err)
	}
}

// TestAggregateChoosesLRPerBase: a learning-rate search is decided on each base apart. On
// base a the rate 1e-3 has the better validation accuracy, on base b 1e-2; taken together
// (means 0.6 and 0.65) 1e-2 would win on both.
func TestAggregateChoosesLRPerBase(t *testing.T) {
	dir := t.TempDir()
	a := strengthBase{dir: "a", tokens: 0}
	b := strengthBase{dir: "b", tokens: 10}
	writeStrengthRun(t, dir, a, "ft", 1, 1e-3, 0.61, 0.6)
	writeStrengthRun(t, dir, a, "ft", 1, 1e-2, 0.51, 0.5)
	writeStrengthRun(t, dir, b, "ft", 1, 1e-3, 0.52, 0.6)
	writeStrengthRun(t, dir, b, "ft", 1, 1e-2, 0.82, 0.8)
	sweep, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := Aggregate(Results(sweep.Runs), "test", "")
	if len(s.Groups) != 2 || len(s.Searches) != 4 {
		t.Fatalf("%d groups, %d searched groups; want 2 and 4", len(s.Groups), len(s.Searches))
	}
	for i, w := range []struct {
		base     string
		lr, mean float64
	}{{"a", 1e-3, 0.61}, {"b", 1e-2, 0.82}} {
		if g := s.Groups[i]; g.Base.Dir != w.base || g.LR != w.lr || g.Mean != w.mean || g.N() != 1 {
			t.Errorf("group %d: base %s, lr %g, mean %g over %d; want base %s, lr %g, mean %g", i, g.Base.Dir, g.LR, g.Mean, g.N(), w.base, w.lr, w.mean)
		}
	}
	if bases := s.Bases(); len(bases) != 2 || bases[0].Dir != "a" || bases[1].Dir != "b" {
		t.Errorf("bases %+v", bases)
	}
}

// TestReportBaseStrength: a report of a sweep on the base axis makes one comparison table
// per base (never one that mixes them) and the base-strength section: its table, its
// figure, in report.md and report.html.
func TestReportBaseStrength(t *testing.T) {
	dir := writeStrengthSweep(t)
	p, err := WriteReport(dir, Spec{BaseStrength: &BaseStrengthSpec{}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Notes) != 0 {
		t.Errorf("notes %v", p.Notes)
	}
	if _, err := os.Stat(filepath.Join(dir, TablesDir, "main.md")); err == nil {
		t.Error("a table mixing the bases was written: tables/main.md")
	}
	for _, b := range strengthBases {
		md, err := os.ReadFile(filepath.Join(dir, TablesDir, "main_"+slug(b.dir)+".md"))
		if err != nil {
			t.Fatal(err)
		}
		ft := b.acc["ft"]
		if want := formatValue((ft[0] + ft[1] + ft[2]) / 3); !strings.Contains(string(md), "| "+want+" ± ") || !strings.Contains(string(md), "base "+b.dir+" (") {
			t.Errorf("table of base %s lacks its FT mean %s or its title:\n%s", b.dir, want, md)
		}
	}
	files := []string{"tables/base_strength.md", "tables/base_strength.csv", "figures/base_strength_cls.png", "figures/base_strength_cls.svg"}
	for _, f := range files {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	table, _ := os.ReadFile(filepath.Join(dir, "tables/base_strength.md"))
	for _, want := range []string{
		"| cls (accuracy ↑) | models/enc/checkpoints/step-000000 | 0 | 0.530 ± 0.030 | 0.420 ± 0.020 | 0.510 ± 0.036 | −0.020 [−0.119, +0.079] (3 seeds) |",
		"| cls (accuracy ↑) | models/enc | 4k | 0.720 ± 0.020 | 0.620 ± 0.020 | 0.777 ± 0.025 | **+0.057 [+0.042, +0.071] (3 seeds)** |",
	} {
		if !strings.Contains(string(table), want) {
			t.Errorf("base_strength.md lacks\n%s\nin\n%s", want, table)
		}
	}
	csvData, _ := os.ReadFile(filepath.Join(dir, "tables/base_strength.csv"))
	if !strings.Contains(string(csvData), "cls,accuracy,test,models/enc/checkpoints/step-000009,1000,0.62,") {
		t.Errorf("base_strength.csv:\n%s", csvData)
	}
	report, _ := os.ReadFile(filepath.Join(dir, ReportFile))
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	for _, want := range []string{"## Base strength: lora r=8 q,v − ft against the base's pretraining tokens", "figures/base_strength_cls.png",
		"## Comparison table: base models/enc/checkpoints/step-000000 (0 pretraining tokens)", "## LoRA against each method: base models/enc (4k pretraining tokens)", "tables/vs_lora_models-enc.md"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, want := range []string{"Base strength: lora r=8 q,v − ft", "<svg"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestReportBaseStrengthNote: asked of a sweep with one base, the study is a note, not a
// failure.
func TestReportBaseStrengthNote(t *testing.T) {
	dir := t.TempDir()
	one := strengthBase{dir: "only", tokens: 5}
	for seed := 1; seed <= 2; seed++ {
		writeStrengthRun(t, dir, one, "ft", seed, 1e-3, 0.5, 0.5)
		writeStrengthRun(t, dir, one, "lora r=8 q,v", seed, 1e-3, 0.5, 0.5)
	}
	p, err := WriteReport(dir, Spec{BaseStrength: &BaseStrengthSpec{}, Plots: []string{}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "base_strength: the runs start from 1 base") {
		t.Errorf("notes %v", p.Notes)
	}
	if _, err := os.Stat(filepath.Join(dir, TablesDir, "main.md")); err != nil {
		t.Errorf("one base: %v", err)
	}
}
