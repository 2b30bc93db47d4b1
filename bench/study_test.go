package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestBuildLatencyTables(t *testing.T) {
	s := &LatencyStudy{Batches: []int{1, 2}, Seqs: []int{8}, Sizes: []int{4}, Variants: []string{VariantAdapterH},
		Shape: Shape{Arch: "decoder", DModel: 16, Layers: 2, Heads: 2, DFF: 64, Vocab: 64, MaxLen: 32}}
	rows := []LatencyRow{
		{Variant: "base", Batch: 1, Seq: 8, MedianMillis: 10},
		{Variant: VariantAdapterH, Size: 4, Batch: 1, Seq: 8, MedianMillis: 13, OverBasePct: 30, AddedParams: 99},
		{Variant: "base", Batch: 2, Seq: 8, MedianMillis: 20},
		{Variant: VariantAdapterH, Size: 4, Batch: 2, Seq: 8, MedianMillis: 21, OverBasePct: 5, AddedParams: 99},
	}
	tables := buildLatencyTables(s, rows)
	if len(tables) != 1 {
		t.Fatalf("%d tables", len(tables))
	}
	got := [][]string{tables[0].line(0), tables[0].line(1)}
	want := [][]string{
		{"base", "0", "10.0 ± 0.00", "20.0 ± 0.00"},
		{"adapter_h", "99", "13.0 ± 0.00 (+30.0%)", "21.0 ± 0.00 (+5.0%)"},
	}
	if !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Errorf("lines %q, want %q", got, want)
	}
	var md strings.Builder
	if err := tables[0].writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| adapter_h | 99 | 13.0 ± 0.00 (+30.0%) | 21.0 ± 0.00 (+5.0%) |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	// The findings summarise the overhead at the smallest and largest batch.
	fs := latencyFindings(s, rows)
	// 99 added parameters are 198 FLOPs on the 15360 of a token (see TestArithmeticOverhead).
	if len(fs) != 3 || !strings.Contains(fs[0], "at batch 1 the median overhead over the 1 cells (seq x size) is +30.0%") ||
		!strings.Contains(fs[0], "at batch 2 the median overhead over the 1 cells (seq x size) is +5.0%") || !strings.Contains(fs[1], "adapter_h +1.3%") {
		t.Errorf("findings %q", fs)
	}
}

func TestMinEstimator(t *testing.T) {
	rows := []LatencyRow{
		{Variant: "base", Batch: 1, Seq: 8, MedianMillis: 10, MinMillis: 8},
		{Variant: VariantAdapterL, Size: 4, Batch: 1, Seq: 8, MedianMillis: 20, MinMillis: 10},
		{Variant: "base", Batch: 2, Seq: 8, MedianMillis: 10, MinMillis: 5},
		{Variant: VariantAdapterL, Size: 4, Batch: 2, Seq: 8, MedianMillis: 20, MinMillis: 4},
	}
	fillMinOverheads(rows)
	for i, want := range []float64{0, 25, 0, -20} {
		if math.Abs(rows[i].OverBaseMinPct-want) > 1e-9 {
			t.Errorf("row %d: over base (min) %v%%, want %v%%", i, rows[i].OverBaseMinPct, want)
		}
	}
	s := &LatencyStudy{Batches: []int{1, 2}, Seqs: []int{8}, Sizes: []int{4}, Variants: []string{VariantAdapterL}, Estimator: EstimatorMin}
	if ms, pct := s.Estimate(rows[1]); ms != 10 || pct != 25 {
		t.Errorf("Estimate = %v ms, %v%%; want 10, 25", ms, pct)
	}
	tables := buildLatencyTables(s, rows)
	if got := tables[0].line(1); !slices.Equal(got, []string{"adapter_l", "0", "10.0 (+25.0%)", "4.00 (-20.0%)"}) {
		t.Errorf("line %q", got)
	}
}

func TestArithmeticOverhead(t *testing.T) {
	// d=16, L=2, d_ff=64, vocab 64 at seq 8: per layer 4*256 + 2*1024 + 2*8*16 = 3328 MACs,
	// plus the head 16*64 = 1024: 2 * (2*3328 + 1024) = 15360 FLOPs per token.
	shape := Shape{Arch: "decoder", DModel: 16, Layers: 2, Heads: 2, DFF: 64, Vocab: 64, MaxLen: 32}
	if got := baseFLOPsPerToken(shape, 8); got != 15360 {
		t.Errorf("base FLOPs per token %v, want 15360", got)
	}
	cases := []struct {
		variant string
		want    float64
	}{{VariantLoRAUnmerged, 200}, {VariantAdapterH, 200}, {VariantLoRAMerged, 0}, {VariantPrefixLayer, 0}}
	for _, c := range cases {
		if got := addedFLOPsPerToken(c.variant, 100); got != c.want {
			t.Errorf("%s adds %v FLOPs for 100 parameters, want %v", c.variant, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	rows := []LatencyRow{{OverBasePct: 4}, {OverBasePct: -2}, {OverBasePct: 10}, {OverBasePct: 1}, {OverBasePct: 99, Variant: "x"}}
	pct := func(r LatencyRow) float64 { return r.OverBasePct }
	got := summarize(rows, pct, func(r LatencyRow) bool { return r.Variant == "" })
	if want := (overheadSummary{Median: 2.5, Min: -2, Max: 10, N: 4}); got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if got := summarize(rows, pct, func(LatencyRow) bool { return false }); got.N != 0 {
		t.Errorf("empty selection: %+v", got)
	}
}

func TestRunLatencyStudyWritesEveryFile(t *testing.T) {
	src := `study: latency
name: tinylat
model: {preset: tiny, vocab: 64, d_model: 16, layers: 2, heads: 2, max_len: 32}
batch: [1, 2]
seq: [8, 16]
sizes: [2, 4]
variants: [lora_merged, lora_unmerged, adapter_h, adapter_l, prefix_layer]
reps: 2
warmup: 0
threads: 1
`
	s, err := ParseLatencyStudy("tiny.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout strings.Builder
	res, err := RunLatencyStudy(context.Background(), s, StudyOptions{Out: out, Stdout: &stdout}, newMethod)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "tinylat")
	want := []string{StudyCopyFile, StudyResultFile, "table_size2.md", "table_size2.csv", "table_size4.md", "table_size4.csv",
		StudyFigureBase + ".png", StudyFigureBase + ".svg", StudyReportFile}
	for _, f := range want {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (empty or missing)", f, err)
		}
		if !slices.Contains(res.Files, f) {
			t.Errorf("%s not listed in the result's files %v", f, res.Files)
		}
	}
	// 4 cells x (base + 2 sizes x 5 variants).
	rows := readRows(t, filepath.Join(dir, StudyResultFile))
	if len(rows) != 44 || len(res.Rows) != 44 {
		t.Fatalf("%d rows in results.jsonl, %d in the result, want 44", len(rows), len(res.Rows))
	}
	for _, r := range rows {
		if !(r.MedianMillis > 0) || r.MinMillis > r.MedianMillis || r.Reps != 2 {
			t.Errorf("row %+v", r)
		}
		if base := r.Variant == "base"; base && (r.OverBasePct != 0 || r.AddedParams != 0 || r.Size != 0) ||
			!base && r.Size != 2 && r.Size != 4 {
			t.Errorf("row %+v: base rows have size 0 and nothing added, the others size 2 or 4", r)
		}
		// LoRA on q and v of 2 blocks: 2 x 2 x r(16 + 16) parameters.
		if strings.HasPrefix(r.Variant, "lora") && r.AddedParams != 2*2*r.Size*32 {
			t.Errorf("lora row %+v: added %d, want %d", r, r.AddedParams, 2*2*r.Size*32)
		}
	}
	f, err := os.Open(filepath.Join(dir, "table_size4.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) != 1+24 || recs[0][0] != "size" || recs[1][0] != "4" {
		t.Errorf("table_size4.csv: %d records, err %v, first %v", len(recs), err, recs[:min(2, len(recs))])
	}
	rep, _ := os.ReadFile(filepath.Join(dir, StudyReportFile))
	for _, frag := range []string{"## Findings", "lora_merged: at batch 1", "## Size r = 4", StudyFigureBase + ".png"} {
		if !strings.Contains(string(rep), frag) {
			t.Errorf("report.md lacks %q", frag)
		}
	}
	if !strings.Contains(stdout.String(), "Forward latency, size r = 2") {
		t.Errorf("terminal tables:\n%s", stdout.String())
	}
	copied, _ := os.ReadFile(filepath.Join(dir, StudyCopyFile))
	if string(copied) != src {
		t.Error("study.yaml is not the study file as given")
	}
}

func readRows(t *testing.T, path string) []LatencyRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []LatencyRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r LatencyRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows = append(rows, r)
	}
	return rows
}

// TestShippedLatencyStudiesLoad parses every latency-study file shipped with the sweeps in
// ../experiments (those with study: latency; the experiments package checks the others).
func TestShippedLatencyStudiesLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "experiments", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			Study string `yaml:"study"`
		}
		if err := yaml.Unmarshal(data, &head); err != nil || head.Study != LatencyStudyKind {
			continue // a sweep, or not YAML: the experiments package reports it
		}
		found++
		s, err := LoadLatencyStudy(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(s.AllVariants()) == 0 || len(s.Batches) == 0 || len(s.Seqs) == 0 {
			t.Errorf("%s: variants %d, batches %v, seqs %v: want some of each", f, len(s.AllVariants()), s.Batches, s.Seqs)
		}
	}
	if found == 0 {
		t.Errorf("no study: %s file among %v", LatencyStudyKind, files)
	}
}

// tinyStudy is a study small enough to run in a test: 4 cells of base + 2 sizes x 2 variants.
const tinyStudy = `study: latency
name: resumed
model: {preset: tiny, vocab: 64, d_model: 16, layers: 2, heads: 2, max_len: 32}
batch: [1, 2]
seq: [8, 16]
sizes: [2, 4]
variants: [lora_unmerged, adapter_l]
reps: 1
warmup: 0
threads: 1
`

func TestRunLatencyStudyResumes(t *testing.T) {
	s, err := ParseLatencyStudy("tiny.yaml", []byte(tinyStudy))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	first, err := RunLatencyStudy(context.Background(), s, StudyOptions{Out: out}, newMethod)
	if err != nil {
		t.Fatal(err)
	}
	if first.Measured != 4 || len(first.Rows) != 20 {
		t.Fatalf("first run measured %d cells, %d rows; want 4 and 20", first.Measured, len(first.Rows))
	}
	path := filepath.Join(out, "resumed", StudyResultFile)
	// Drop the last cell and a stray row of another: the second run measures those two cells.
	lines := strings.SplitAfter(strings.TrimSpace(readFile(t, path)), "\n")
	kept := append(slices.Clone(lines[:9]), lines[10:15]...)
	if err := os.WriteFile(path, []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := RunLatencyStudy(context.Background(), s, StudyOptions{Out: out}, newMethod)
	if err != nil {
		t.Fatal(err)
	}
	if second.Measured != 2 || len(second.Rows) != 20 {
		t.Errorf("second run measured %d cells, %d rows; want 2 and 20", second.Measured, len(second.Rows))
	}
	third, err := RunLatencyStudy(context.Background(), s, StudyOptions{Out: out}, newMethod)
	if err != nil || third.Measured != 0 || len(third.Rows) != 20 {
		t.Errorf("third run: measured %d cells, %d rows, err %v; want 0, 20, nil", third.Measured, len(third.Rows), err)
	}
	other, err := ParseLatencyStudy("tiny.yaml", []byte(strings.Replace(tinyStudy, "reps: 1", "reps: 2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunLatencyStudy(context.Background(), other, StudyOptions{Out: out}, newMethod); err == nil ||
		!strings.Contains(err.Error(), "holds measurements of a different setup") {
		t.Errorf("a changed study file into the same folder: err %v", err)
	}
	// Reporting by another estimator, with a comment, reuses every measurement.
	relabelled, err := ParseLatencyStudy("tiny.yaml", []byte("# the fastest pass\n"+tinyStudy+"estimator: min\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := RunLatencyStudy(context.Background(), relabelled, StudyOptions{Out: out}, newMethod); err != nil || res.Measured != 0 {
		t.Errorf("the same measurements reported by the fastest pass: measured %v, err %v", res, err)
	}
}

func TestReportLatencyStudyPartial(t *testing.T) {
	s, err := ParseLatencyStudy("tiny.yaml", []byte(tinyStudy))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rows := []LatencyRow{
		{Variant: "base", Batch: 1, Seq: 8, Reps: 1, MedianMillis: 2},
		{Variant: VariantLoRAUnmerged, Size: 2, Batch: 1, Seq: 8, Reps: 1, MedianMillis: 3, OverBasePct: 50},
	}
	var jsonl strings.Builder
	for _, r := range rows {
		b, _ := json.Marshal(r)
		jsonl.Write(append(b, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, StudyResultFile), []byte(jsonl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReportLatencyStudy(s, dir, nil); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, filepath.Join(dir, "table_size2.md"))
	if !strings.Contains(md, "| lora_unmerged | 0 | 3.00 ± 0.00 (+50.0%) | - | - | - |") {
		t.Errorf("partial table:\n%s", md)
	}
	if err := os.WriteFile(filepath.Join(dir, StudyResultFile), []byte(jsonl.String()+"{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReportLatencyStudy(s, dir, nil); err == nil || !strings.Contains(err.Error(), StudyResultFile+":3: want one JSON latency row") {
		t.Errorf("a broken results.jsonl: err %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
