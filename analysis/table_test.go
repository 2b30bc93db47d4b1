package analysis

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// result builds a done run of a setting on a task with one metric on the test split.
func result(setting, methodName string, rank int, task string, seed int, metric string, v float64) record.Result {
	r := record.Result{
		RunID: setting + "/" + task + "/" + string(rune('0'+seed)), Status: record.StatusDone,
		Sweep: "unit", Method: methodName, Setting: setting, Task: task, Seed: seed,
		MainMetric: metric, Metrics: map[string]map[string]float64{"test": {metric: v}},
		TrainableParams: 100 * (rank + 1), PaperFormulaParams: 100 * (rank + 1),
	}
	if rank > 0 {
		r.Config = map[string]any{"method": map[string]any{"name": methodName, "rank": rank, "targets": []any{"q", "v"}}}
	}
	return r
}

// handResults: three seeds of lora r=8 and r=64, ft and bitfit on an accuracy task and an
// error-rate task, plus a failed run.
func handResults() []record.Result {
	rs := []record.Result{
		result("lora r=64 q,v", "lora", 64, "cls", 1, "accuracy", 0.80),
		result("lora r=64 q,v", "lora", 64, "cls", 2, "accuracy", 0.84),
		result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0.90),
		result("lora r=8 q,v", "lora", 8, "cls", 2, "accuracy", 0.86),
		result("lora r=8 q,v", "lora", 8, "cls", 3, "accuracy", 0.88),
		result("ft", "ft", 0, "cls", 1, "accuracy", 0.85),
		result("bitfit", "bitfit", 0, "cls", 1, "accuracy", 0.70),
		result("lora r=8 q,v", "lora", 8, "err", 1, "error_rate", 0.20),
		result("ft", "ft", 0, "err", 1, "error_rate", 0.10),
		result("bitfit", "bitfit", 0, "err", 1, "error_rate", 0.30),
	}
	failed := result("ft", "ft", 0, "cls", 2, "accuracy", 0.99)
	failed.Status, failed.Reason = record.StatusFailed, "NaN loss"
	rs[5].PaperFormulaParams = 90 // ft: formula differs from the actual count
	return append(rs, failed)
}

func TestAggregate(t *testing.T) {
	s := Aggregate(handResults(), "test", "")
	if len(s.Failed) != 1 || s.Failed[0].Reason != "NaN loss" {
		t.Fatalf("failed runs = %+v, want the one ft failure", s.Failed)
	}
	tests := []struct {
		setting, task string
		n             int
		mean, std     float64
	}{
		// mean(0.90, 0.86, 0.88) = 0.88; sample variance ((.02)²+(.02)²+0)/2 = 0.0004.
		{"lora r=8 q,v", "cls", 3, 0.88, 0.02},
		// mean(0.80, 0.84) = 0.82; sample variance (.02²+.02²)/1 = 0.0008.
		{"lora r=64 q,v", "cls", 2, 0.82, math.Sqrt(0.0008)},
		{"ft", "cls", 1, 0.85, 0}, // the failed seed never enters the mean
		{"bitfit", "err", 1, 0.30, 0},
	}
	for _, tc := range tests {
		var g *Group
		for i := range s.Groups {
			if s.Groups[i].Setting == tc.setting && s.Groups[i].Task == tc.task {
				g = &s.Groups[i]
			}
		}
		if g == nil {
			t.Fatalf("no group %s/%s", tc.setting, tc.task)
		}
		if g.N() != tc.n || math.Abs(g.Mean-tc.mean) > 1e-12 || math.Abs(g.Std-tc.std) > 1e-12 {
			t.Errorf("%s/%s: n=%d mean=%v std=%v, want n=%d mean=%v std=%v",
				tc.setting, tc.task, g.N(), g.Mean, g.Std, tc.n, tc.mean, tc.std)
		}
	}
}

func TestAggregateUnreportedMetric(t *testing.T) {
	rs := []record.Result{
		result("ft", "ft", 0, "cls", 1, "accuracy", 0.5),
		result("ft", "ft", 0, "cls", 2, "accuracy", 0.7),
	}
	rs[1].Metrics = map[string]map[string]float64{"validation": {"accuracy": 0.9}}
	g := Aggregate(rs, "test", "accuracy").Groups[0]
	if g.N() != 1 || g.Mean != 0.5 || len(g.Unreported) != 1 || g.Unreported[0] != 2 {
		t.Fatalf("group = %+v, want seed 1 only and seed 2 unreported", g)
	}
}

func TestBuildTableOrderAndBest(t *testing.T) {
	tbl := BuildTable(Aggregate(handResults(), "test", ""), "unit")
	var settings []string
	for _, r := range tbl.Rows {
		settings = append(settings, r.Setting)
	}
	// The paper's order: FT, ..., BitFit, ..., LoRA; ranks ascending.
	if got, want := strings.Join(settings, "; "), "ft; bitfit; lora r=8 q,v; lora r=64 q,v"; got != want {
		t.Fatalf("row order %q, want %q", got, want)
	}
	if got := strings.Join(tbl.Tasks, ","); got != "cls,err" {
		t.Fatalf("tasks %q, want cls,err", got)
	}
	best := map[string]string{} // task -> setting of the bold cell
	for _, r := range tbl.Rows {
		for i, c := range r.Cells {
			if c.Best {
				best[tbl.Tasks[i]] += r.Setting
			}
		}
	}
	// cls: accuracy, higher is better: lora r=8 (0.88). err: error rate, lower: ft (0.10).
	if best["cls"] != "lora r=8 q,v" || best["err"] != "ft" {
		t.Fatalf("best cells %v, want cls: lora r=8 q,v, err: ft", best)
	}
	if c := tbl.Rows[3].Cells[1]; c.OK {
		t.Fatalf("lora r=64 on err has no runs, cell = %+v", c)
	}
}

func TestBestTies(t *testing.T) {
	rs := []record.Result{
		result("ft", "ft", 0, "cls", 1, "accuracy", 0.9),
		result("bitfit", "bitfit", 0, "cls", 1, "accuracy", 0.9),
		result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0.1),
	}
	tbl := BuildTable(Aggregate(rs, "test", ""), "ties")
	for _, r := range tbl.Rows {
		want := r.Setting != "lora r=8 q,v"
		if r.Cells[0].Best != want {
			t.Errorf("%s: best=%v, want %v", r.Setting, r.Cells[0].Best, want)
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := BuildTable(Aggregate(handResults(), "test", ""), "unit").WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"| Method | # Trainable params | Paper formula | cls (accuracy ↑) | err (error_rate ↓) |",
		// one seed of ft and bitfit: no paired test, so no bold; 95 % intervals by t(2) and t(1)
		"| ft | 100 | 90 | 0.850 | 0.100 |",
		"| bitfit | 100 |  | 0.700 | 0.300 |",
		"| lora r=8 q,v | 900 |  | 0.880 ± 0.020 [0.830, 0.930] | 0.200 |",
		"| lora r=64 q,v | 6.5k |  | 0.820 ± 0.028 [0.566, 1.074] | – |",
	} {
		if !strings.Contains(md, want+"\n") {
			t.Errorf("markdown lacks line\n%s\ngot:\n%s", want, md)
		}
	}
}

func TestRenderCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := BuildTable(Aggregate(handResults(), "test", ""), "unit").WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse back: %v", err)
	}
	want := [][]string{
		{"setting", "method", "trainable_params", "paper_formula_params",
			"cls:accuracy:mean", "cls:accuracy:std", "cls:accuracy:n", "cls:accuracy:best", "cls:accuracy:bold",
			"cls:accuracy:ci_lo", "cls:accuracy:ci_hi", "cls:accuracy:lr", "cls:accuracy:collapsed",
			"cls:accuracy:lora_minus_this", "cls:accuracy:p_paired_t", "cls:accuracy:p_sign_flip",
			"err:error_rate:mean", "err:error_rate:std", "err:error_rate:n", "err:error_rate:best", "err:error_rate:bold",
			"err:error_rate:ci_lo", "err:error_rate:ci_hi", "err:error_rate:lr", "err:error_rate:collapsed",
			"err:error_rate:lora_minus_this", "err:error_rate:p_paired_t", "err:error_rate:p_sign_flip"},
		{"ft", "ft", "100", "90", "0.85", "0", "1", "false", "false", "", "", "", "0", "", "", "",
			"0.1", "0", "1", "true", "false", "", "", "", "0", "", "", ""},
		{"bitfit", "bitfit", "100", "100", "0.7", "0", "1", "false", "false", "", "", "", "0", "", "", "",
			"0.3", "0", "1", "false", "false", "", "", "", "0", "", "", ""},
		// 0.88 ± 4.302652729911275 · 0.02/√3
		{"lora r=8 q,v", "lora", "900", "900", "0.88", "0.02", "3", "true", "false", "0.8303172457631249", "0.9296827542368751", "", "0", "", "", "",
			"0.2", "0", "1", "false", "false", "", "", "", "0", "", "", ""},
		// 0.82 ± 12.706204736174698 · 0.028284271/√2 = 0.82 ± 0.254124
		{"lora r=64 q,v", "lora", "6500", "6500", "0.82", "0.0282842712474619", "2", "false", "false", "0.5658759052765061", "1.0741240947234941", "", "0", "", "", "",
			"", "", "0", "", "", "", "", "", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d CSV rows, want %d:\n%v", len(rows), len(want), rows)
	}
	for i := range want {
		if !csvRowEqual(rows[i], want[i]) {
			t.Errorf("CSV row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
}

// csvRowEqual compares CSV rows, numbers to within 1e-9 (a mean of 0.80 and 0.84 reads
// 0.8200000000000001 in float64), everything else exactly.
func csvRowEqual(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		g, errG := strconv.ParseFloat(got[i], 64)
		w, errW := strconv.ParseFloat(want[i], 64)
		if errG == nil && errW == nil {
			if math.Abs(g-w) > 1e-9 {
				return false
			}
		} else if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestRenderLaTeX(t *testing.T) {
	var buf bytes.Buffer
	if err := BuildTable(Aggregate(handResults(), "test", ""), "unit").WriteLaTeX(&buf); err != nil {
		t.Fatal(err)
	}
	tex := buf.String()
	for _, want := range []string{
		`\begin{tabular}{lrrrr}`, `\toprule`, `\midrule`, `\bottomrule`,
		`Method & \# Trainable params & Paper formula & cls (accuracy $\uparrow$) & err (error\_rate $\downarrow$) \\`,
		`lora r=8 q,v & 900 &  & 0.880$\pm$0.020 & 0.200 \\`,
		`ft & 100 & 90 & 0.850 & 0.100 \\`,
		`lora r=64 q,v & 6.5k &  & 0.820$\pm$0.028 & -- \\`,
	} {
		if !strings.Contains(tex, want) {
			t.Errorf("LaTeX lacks %q; got:\n%s", want, tex)
		}
	}
}

func TestRenderText(t *testing.T) {
	var buf bytes.Buffer
	if err := BuildTable(Aggregate(handResults(), "test", ""), "unit").WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"0.880 ± 0.020 [0.830, 0.930]", "0.100", "lora r=64 q,v", "cls (accuracy ↑)"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal table lacks %q; got:\n%s", want, out)
		}
	}
	_, body, _ := strings.Cut(out, "\n") // the caption explains the mark
	if n := strings.Count(body, " *"); n != 0 {
		t.Errorf("%d best marks, want none (no cell has a paired test); got:\n%s", n, out)
	}
}

func TestFormatParams(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1k"}, {12345, "12.3k"}, {2_359_296, "2.36M"}, {175_000_000_000, "175B"}}
	for _, tc := range tests {
		if got := formatParams(tc.n); got != tc.want {
			t.Errorf("formatParams(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"lora r=8", "lora r=64", -1}, {"r=64", "r=8", 1}, {"a", "a", 0},
		{"r=08", "r=8", 0}, {"a2b", "a10", -1}, {"ab", "a", 1},
	}
	for _, tc := range tests {
		if got := naturalCompare(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestLowerIsBetter(t *testing.T) {
	for metric, want := range map[string]bool{
		"error_rate": true, "loss": true, "perplexity": true, "val_loss": true, "mse": true,
		"accuracy": false, "f1": false, "bleu": false, "mcc": false, "pearson": false,
	} {
		if got := LowerIsBetter(metric); got != want {
			t.Errorf("LowerIsBetter(%q) = %v, want %v", metric, got, want)
		}
	}
}

func TestNaNMetric(t *testing.T) {
	rs := []record.Result{
		result("ft", "ft", 0, "cls", 1, "accuracy", math.NaN()),
		result("bitfit", "bitfit", 0, "cls", 1, "accuracy", 0.5),
		result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0.4),
	}
	s := Aggregate(rs, "test", "")
	tbl := BuildTable(s, "nan")
	for _, r := range tbl.Rows {
		if want := r.Setting == "bitfit"; r.Cells[0].Best != want {
			t.Errorf("%s: best=%v, want %v (a NaN mean never wins nor blocks the best)", r.Setting, r.Cells[0].Best, want)
		}
	}
	for _, series := range ParamsSeries(s, "cls") {
		if series.Name == "ft" {
			t.Errorf("the NaN point of ft is plotted: %+v", series)
		}
	}
}
