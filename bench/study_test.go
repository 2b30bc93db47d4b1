package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
)

const minimalStudy = `study: latency
name: lat
batch: [1, 4]
seq: [32, 128]
sizes: [10, 100]
`

func TestParseLatencyStudyDefaults(t *testing.T) {
	s, err := ParseLatencyStudy("lat.yaml", []byte(minimalStudy))
	if err != nil {
		t.Fatal(err)
	}
	want := Shape{Arch: "decoder", DModel: 768, Layers: 12, Heads: 12, DFF: 3072, Vocab: 50257, MaxLen: 1024}
	if s.Shape != want || s.Preset != "gpt2-small" {
		t.Errorf("shape %+v (preset %s), want %+v (gpt2-small)", s.Shape, s.Preset, want)
	}
	if s.RepsAt(1) != 10 || s.RepsAt(4) != 10 || s.Warmup != 1 || s.Seed != 1 || s.Threads != 0 {
		t.Errorf("reps %d warmup %d seed %d threads %d, want 10 1 1 0", s.Reps, s.Warmup, s.Seed, s.Threads)
	}
	if !slices.Equal(s.Variants, defaultVariants) || !slices.Equal(s.LoRATargets, []string{"q", "v"}) {
		t.Errorf("variants %v targets %v", s.Variants, s.LoRATargets)
	}
	if !slices.Equal(s.Batches, []int{1, 4}) || !slices.Equal(s.Seqs, []int{32, 128}) || !slices.Equal(s.Sizes, []int{10, 100}) {
		t.Errorf("grid %v x %v x %v", s.Batches, s.Seqs, s.Sizes)
	}
	vs := s.VariantsAt(100)
	if len(vs) != 4 || !vs[0].Merged || vs[1].Merged || vs[0].Spec.Rank != 100 || vs[0].Spec.Alpha != 100 || vs[2].Spec.Size != 100 {
		t.Errorf("variants at 100: %+v", vs)
	}
}

func TestParseLatencyStudyExplicitShape(t *testing.T) {
	src := `study: latency
name: lat
model: {preset: tiny, vocab: 300, d_model: 64, layers: 2, heads: 2, max_len: 64}
batch: 2
seq: [16]
sizes: [4]
variants: [adapter_l, prefix_layer]
lora_targets: [q, k, v, o]
reps: 3
warmup: 0
threads: 1
seed: 7
`
	s, err := ParseLatencyStudy("lat.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Shape{Arch: "decoder", DModel: 64, Layers: 2, Heads: 2, DFF: 512, Vocab: 300, MaxLen: 64}
	if s.Shape != want || !slices.Equal(s.Batches, []int{2}) || s.RepsAt(2) != 3 || s.Warmup != 0 || s.Seed != 7 || s.Threads != 1 {
		t.Errorf("parsed %+v", s)
	}
	if vs := s.VariantsAt(4); len(vs) != 2 || vs[1].Spec.Prefix != 4 || vs[0].Spec.Size != 4 {
		t.Errorf("variants %+v", vs)
	}
}

func TestParseLatencyStudyRepsPerBatch(t *testing.T) {
	s, err := ParseLatencyStudy("lat.yaml", []byte(minimalStudy+"reps: {1: 20, 4: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.RepsAt(1) != 20 || s.RepsAt(4) != 3 || s.RepsText() != "20 times at batch 1, 3 at batch 4" {
		t.Errorf("reps %v: %q", s.Reps, s.RepsText())
	}
}

func TestParseLatencyStudyErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // each a problem, in file order, as file:line:col: message fragment
	}{
		{"not yaml", "study: latency\nbatch: [1, 2\n", []string{"bad.yaml:2:1: invalid YAML"}},
		{"empty", "", []string{"bad.yaml:1:1: empty latency study"}},
		{"a list", "- 1\n- 2\n", []string{"bad.yaml:1:1: want a mapping"}},
		{"missing keys", "study: latency\nname: x\n", []string{
			`bad.yaml:1:1: missing key "batch"`, `bad.yaml:1:1: missing key "seq"`, `bad.yaml:1:1: missing key "sizes"`}},
		{"wrong study", strings.Replace(minimalStudy, "study: latency", "study: sweep", 1), []string{
			`bad.yaml:1:8: study: want "latency", found "sweep"`}},
		{"unknown key", minimalStudy + "repetitions: 5\n", []string{`bad.yaml:6:1: unknown key "repetitions"`}},
		{"duplicate key", minimalStudy + "batch: [2]\n", []string{`bad.yaml:6:1: key "batch" given twice`}},
		{"bad name", strings.Replace(minimalStudy, "name: lat", "name: ../up", 1), []string{`bad.yaml:2:7: name: want letters`}},
		{"bad numbers", "study: latency\nname: x\nbatch: [1, 0, two]\nseq: []\nsizes: [8, 8]\nreps: 0\n", []string{
			`bad.yaml:3:12: batch: want an integer >= 1, found "0"`, `bad.yaml:3:15: batch: want an integer >= 1, found "two"`,
			`bad.yaml:4:6: seq: want at least one value`, `bad.yaml:5:12: sizes: 8 given twice`, `bad.yaml:6:7: reps: want an integer >= 1, found "0"`}},
		{"seq beyond max_len", strings.Replace(minimalStudy, "seq: [32, 128]", "seq: [32, 2048]", 1), []string{
			`bad.yaml:4:11: seq 2048 exceeds the model's max_len 1024`}},
		{"unknown variant", minimalStudy + "variants: [lora_merged, adapter_x, lora_merged]\n", []string{
			`bad.yaml:6:25: variants: unknown variant "adapter_x"`, `bad.yaml:6:36: variants: "lora_merged" given twice`}},
		{"bad target", minimalStudy + "lora_targets: [q, z]\n", []string{`bad.yaml:5:9: size 10 for lora_merged`, `bad.yaml:5:9: size 10 for lora_unmerged`,
			`bad.yaml:5:13: size 100 for lora_merged`, `bad.yaml:5:13: size 100 for lora_unmerged`}},
		{"prefix too long", strings.Replace(minimalStudy, "sizes: [10, 100]", "sizes: [31]", 1) + "variants: [prefix_layer]\n", []string{
			`bad.yaml:6:11: prefix_layer with 31 prefix tokens does not fit in seq 32`}},
		{"reps per batch", minimalStudy + "reps: {1: 5, 2: 3, x: 1}\n", []string{
			`bad.yaml:6:7: reps: no entry for batch 4`, `bad.yaml:6:14: reps: batch 2 is not in the study's batch list [1 4]`,
			`bad.yaml:6:20: reps key: want an integer >= 1, found "x"`}},
		{"bad preset", minimalStudy + "model: {preset: huge}\n", []string{`bad.yaml:6:8: model preset "huge"`}},
		{"bad model key", minimalStudy + "model: {preset: tiny, depth: 3, arch: lstm}\n", []string{
			`bad.yaml:6:23: unknown key model.depth`, `bad.yaml:6:39: model.arch: want decoder or encoder, found "lstm"`}},
		{"heads do not divide", minimalStudy + "model: {preset: tiny, heads: 3}\n", []string{`bad.yaml:6:30: model:`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseLatencyStudy("bad.yaml", []byte(c.src))
			var ps experiments.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v (%T), want experiments.Problems", err, err)
			}
			if len(ps) != len(c.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(ps), len(c.want), err)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(ps[i].Error(), w) {
					t.Errorf("problem %d is\n  %s\nwant it to start with\n  %s", i, ps[i].Error(), w)
				}
			}
		})
	}
}

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
