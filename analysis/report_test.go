package analysis

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fixtureSpec asks for everything the fixture sweep can give.
func fixtureSpec() Spec {
	return Spec{
		Subspace:      []SubspacePair{{A: Selector{Rank: 2, Task: "cls"}, B: Selector{Rank: 8, Task: "cls"}, Layers: []int{1}, Matrices: []string{"q"}}},
		SeedPairs:     []SeedPair{{Setting: Selector{Rank: 8, Task: "cls"}, Seeds: [2]int{1, 2}, Layers: []int{0}, Matrices: []string{"v"}}},
		Amplification: &AmplificationSpec{Ranks: []int{2, 8}, Layers: []int{1}, Task: "cls", Base: "base"},
	}
}

func TestReportWritesEverything(t *testing.T) {
	dir := writeFixtureSweep(t)
	var out bytes.Buffer
	p, err := WriteReport(dir, fixtureSpec(), Options{Out: &out, Command: "runexp fixture.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 20 || len(p.Failed) != 1 || p.Missing != 1 || len(p.Problems) != 1 {
		t.Errorf("done %d failed %d missing %d problems %d, want 20, 1, 1, 1", p.Done, len(p.Failed), p.Missing, len(p.Problems))
	}
	if len(p.Notes) != 0 {
		t.Errorf("unexpected notes: %q", p.Notes)
	}
	want := []string{
		"report.md", "tables/main.md", "tables/main.csv", "tables/main.tex",
		"tables/amplification.md", "tables/amplification.csv",
		"figures/subspace_lora-r2-cls_vs_lora-r8-cls_L1_q.png", "figures/subspace_lora-r2-cls_vs_lora-r8-cls_L1_q.svg",
		"figures/subspace_lora-r8-cls-seed1_vs_lora-r8-cls-seed2_L0_v.png",
		"figures/rank_cls.png", "figures/rank_err.svg", "figures/params_cls.png", "figures/params_err.png",
		"figures/curves_cls.png", "figures/curves_err.svg",
	}
	for _, rel := range want {
		info, err := os.Stat(filepath.Join(dir, rel))
		if err != nil || info.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", rel, err)
		}
	}
	report := readFile(t, filepath.Join(dir, "report.md"))
	for _, s := range []string{
		"# Sweep fixture", "Command: `runexp fixture.yaml`", "Runs: 20 done, 1 failed, 1 missing", "1 unreadable",
		"`zz-failed` ft on cls, seed 3: NaN loss at step 12",
		"| **0.830 ± 0.014 [0.703, 0.957]** |", // lora r=8 on cls: mean(0.82, 0.84), std 0.01414, beats every row by 0.02 or more on both seeds
	} {
		if !strings.Contains(report, s) {
			t.Errorf("report.md lacks %q", s)
		}
	}
	// Every relative link of report.md resolves, and every produced file is linked.
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(report, -1) {
		linked[m[1]] = true
		if _, err := os.Stat(filepath.Join(dir, m[1])); err != nil {
			t.Errorf("report.md links %s, which does not exist", m[1])
		}
	}
	for _, sub := range []string{TablesDir, FiguresDir} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if rel := sub + "/" + e.Name(); !linked[rel] {
				t.Errorf("%s is not linked from report.md", rel)
			}
		}
	}
	if !strings.Contains(out.String(), "0.830 ± 0.014 [0.703, 0.957] *") {
		t.Errorf("terminal output lacks the marked best cell:\n%s", out.String())
	}
}

func TestReportDeterministic(t *testing.T) {
	dir := writeFixtureSweep(t)
	spec := fixtureSpec() // one heatmap and one line plot per format keep the test short
	spec.SeedPairs = nil
	spec.Plots = []string{PlotHeatmaps, PlotRank}
	// Without r=2 on task err, only task cls has two ranks: one rank plot.
	os.RemoveAll(filepath.Join(dir, "runs", "lora-r2-q-v-err-1"))
	os.RemoveAll(filepath.Join(dir, "runs", "lora-r2-q-v-err-2"))
	snapshot := func() map[string][]byte {
		if _, err := WriteReport(dir, spec, Options{Command: "x"}); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, sub := range []string{TablesDir, FiguresDir} {
			filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					files[path] = readBytes(t, path)
				}
				return nil
			})
		}
		files["report.md"] = readBytes(t, filepath.Join(dir, ReportFile))
		return files
	}
	first, second := snapshot(), snapshot()
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for path, data := range first {
		if !bytes.Equal(data, second[path]) {
			t.Errorf("%s differs between two reports of the same sweep", path)
		}
	}
}

func TestReportExpectedRuns(t *testing.T) {
	dir := writeFixtureSweep(t)
	spec := Spec{Plots: []string{}}
	tests := []struct{ expected, missing int }{{0, 1}, {10, 1}, {30, 9}}
	for _, tc := range tests {
		p, err := WriteReport(dir, spec, Options{Expected: tc.expected})
		if err != nil {
			t.Fatal(err)
		}
		// 20 done and 1 failed: of 30 expected runs, 9 are missing; one folder has no result.
		if p.Missing != tc.missing {
			t.Errorf("expected %d runs: %d missing, want %d", tc.expected, p.Missing, tc.missing)
		}
	}
}

func TestReportNotes(t *testing.T) {
	dir := writeFixtureSweep(t)
	spec := Spec{
		Subspace:      []SubspacePair{{A: Selector{Rank: 4}, B: Selector{Rank: 8}}},
		Amplification: &AmplificationSpec{Ranks: []int{8}, Layers: []int{1}, Task: "cls"},
		Plots:         []string{},
	}
	p, err := WriteReport(dir, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(p.Notes, "\n")
	for _, want := range []string{"no done run matches lora r=4", "no base checkpoint"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, FiguresDir, "rank_cls.png")); err == nil {
		t.Error("plots: [] still drew the rank plot")
	}
}

func TestReportErrors(t *testing.T) {
	if err := Report(filepath.Join(t.TempDir(), "nope"), Spec{}, nil); err == nil {
		t.Error("missing sweep folder: no error")
	}
	if err := Report(t.TempDir(), Spec{Plots: []string{"pie"}}, nil); err == nil || !strings.Contains(err.Error(), `unknown plot "pie"`) {
		t.Errorf("bad spec: error %v", err)
	}
}

func readFile(t *testing.T, path string) string { return string(readBytes(t, path)) }

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReportAmplificationNumbers recomputes the norms of the amplification CSV by hand from
// the fixture's files: ||W||_F from the base checkpoint, ||ΔW||_F = ||s·B·A||_F with
// s = alpha/r = 1 (the fixture sets alpha = r).
func TestReportAmplificationNumbers(t *testing.T) {
	dir := writeFixtureSweep(t)
	spec := fixtureSpec()
	spec.Plots = []string{}
	if _, err := WriteReport(dir, spec, Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(readFile(t, filepath.Join(dir, TablesDir, "amplification.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 { // header, r=2, r=8
		t.Fatalf("%d CSV rows, want 3:\n%v", len(rows), rows)
	}
	w, err := LoadBaseWeight(filepath.Join(dir, "base"), "blocks.1.attn.q")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		rank, _ := strconv.Atoi(row[2])
		ad, err := LoadRunAdapter(filepath.Join(dir, "runs", fmt.Sprintf("lora-r%d-q-v-cls-1", rank)))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := ad.Find(1, "q")
		normW, normDW := 0.0, 0.0
		for i := range fixtureD {
			for j := range fixtureD {
				normW += w.At(i, j) * w.At(i, j)
				dw := 0.0
				for k := range rank {
					dw += p.B.At(i, k) * p.A.At(k, j)
				}
				normDW += dw * dw
			}
		}
		got := func(col int) float64 { v, _ := strconv.ParseFloat(row[col], 64); return v }
		if math.Abs(got(8)-math.Sqrt(normW)) > 1e-9 || math.Abs(got(9)-math.Sqrt(normDW)) > 1e-9 {
			t.Errorf("r=%d: ||W|| %v ||ΔW|| %v, want %v and %v", rank, got(8), got(9), math.Sqrt(normW), math.Sqrt(normDW))
		}
		if math.Abs(got(10)-got(9)/got(5)) > 1e-9 {
			t.Errorf("r=%d: factor %v, want ||ΔW|| / proj = %v", rank, got(10), got(9)/got(5))
		}
	}
	md := readFile(t, filepath.Join(dir, TablesDir, "amplification.md"))
	if !strings.Contains(md, "Runs: r=2: lora r=2 q,v seed 1; r=8: lora r=8 q,v seed 1.") {
		t.Errorf("amplification.md does not name its runs once each:\n%s", md)
	}
}

// TestReportKeepsCommand writes a report with the sweep's command, then again without one
// (as `runexp report DIR` does): report.md still quotes the sweep's command.
func TestReportKeepsCommand(t *testing.T) {
	dir := writeFixtureSweep(t)
	if _, err := WriteReport(dir, Spec{}, Options{Command: "runexp --jobs 2 fixture.yaml"}); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReport(dir, Spec{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if report := readFile(t, filepath.Join(dir, ReportFile)); !strings.Contains(report, "Command: `runexp --jobs 2 fixture.yaml`\n") {
		t.Errorf("report.md lost the sweep's command:\n%s", report)
	}
	fresh := writeFixtureSweep(t)
	if _, err := WriteReport(fresh, Spec{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if report := readFile(t, filepath.Join(fresh, ReportFile)); !strings.Contains(report, "Command: `runexp report "+fresh+"`") {
		t.Errorf("a first report without a command does not name runexp report:\n%s", report)
	}
}
