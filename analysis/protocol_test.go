package analysis

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// seeded builds the runs of one setting on cls, one per value, seeds 1, 2, 3, ...
func seeded(setting, methodName string, rank int, values ...float64) []record.Result {
	var out []record.Result
	for i, v := range values {
		out = append(out, result(setting, methodName, rank, "cls", i+1, "accuracy", v))
	}
	return out
}

// TestBoldOnlyWhereTheDifferenceHolds: lora (0.80, 0.82, 0.84) beats ft (0.70, 0.71, 0.75)
// by 0.10, 0.11, 0.09 — mean 0.10, s = 0.01, t = 17.32, p = 1 - t/√(2+t²) = 0.00332 — but
// not bitfit (0.79, 0.83, 0.82: differences 0.01, -0.01, 0.02, p = 0.53): lora is best, not
// bold. Without bitfit it is bold.
func TestBoldOnlyWhereTheDifferenceHolds(t *testing.T) {
	lora := seeded("lora r=8 q,v", "lora", 8, 0.80, 0.82, 0.84)
	ft := seeded("ft", "ft", 0, 0.70, 0.71, 0.75)
	bitfit := seeded("bitfit", "bitfit", 0, 0.79, 0.83, 0.82)
	tbl := BuildTable(Aggregate(slices.Concat(lora, ft, bitfit), "test", ""), "tie")
	cell := func(tbl *Table, setting string) Cell {
		for _, r := range tbl.Rows {
			if r.Setting == setting {
				return r.Cells[0]
			}
		}
		t.Fatalf("no row %s", setting)
		return Cell{}
	}
	if c := cell(tbl, "lora r=8 q,v"); !c.Best || c.Bold {
		t.Errorf("lora tied with bitfit: best %v bold %v, want best, not bold", c.Best, c.Bold)
	}
	tt := 0.10 / (0.01 / math.Sqrt(3))
	wantP := 1 - tt/math.Sqrt(2+tt*tt)
	if p := cell(tbl, "ft").VsLoRA; p == nil || p.N != 3 || math.Abs(p.Diff-0.10) > 1e-12 || math.Abs(p.P-wantP) > 1e-9 || !p.Holds() || p.PSignFlip != 0.25 {
		t.Errorf("lora vs ft %+v, want diff 0.10, p %v, sign-flip 0.25", p, wantP)
	}
	if p := cell(tbl, "bitfit").VsLoRA; p == nil || p.Holds() {
		t.Errorf("lora vs bitfit %+v, want a tie", p)
	}
	if cell(tbl, "lora r=8 q,v").VsLoRA != nil || tbl.LoRARef[0] != 2 {
		t.Errorf("lora compared with itself, or reference row %d (want 2)", tbl.LoRARef[0])
	}
	tbl = BuildTable(Aggregate(slices.Concat(lora, ft), "test", ""), "holds")
	if c := cell(tbl, "lora r=8 q,v"); !c.Bold {
		t.Errorf("lora beats ft on every seed (p %.4f): not bold", wantP)
	}
	var md bytes.Buffer
	if err := tbl.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	// 0.82 ± 4.302653 · 0.02/√3 = 0.82 ± 0.0497
	if !strings.Contains(md.String(), "| **0.820 ± 0.020 [0.770, 0.870]** |") {
		t.Errorf("markdown lacks the bold lora cell:\n%s", md.String())
	}
}

// TestCollapsedNeverBest: the run of ft seed 2 predicts one class; ft has the best mean but
// is flagged and not best; the chance row comes from the runs' records and is never best,
// and lora, best but below chance, is not bold.
func TestCollapsedNeverBest(t *testing.T) {
	ft := seeded("ft", "ft", 0, 0.90, 0.55)
	ft[1].Predicted = map[string][]int{"test": {0, 200}}
	ft[0].Predicted = map[string][]int{"test": {90, 110}}
	lora := seeded("lora r=8 q,v", "lora", 8, 0.70, 0.72)
	lora[0].Chance = map[string]map[string]float64{"test": {"accuracy": 0.95}}
	tbl := BuildTable(Aggregate(slices.Concat(ft, lora), "test", ""), "collapse")
	if len(tbl.Rows) != 3 || !tbl.Rows[2].Control || tbl.Rows[2].Cells[0].Mean != 0.95 {
		t.Fatalf("rows %+v, want ft, lora and the chance row at 0.95", tbl.Rows)
	}
	if c := tbl.Rows[0].Cells[0]; c.Collapsed != 1 || c.Best {
		t.Errorf("ft: collapsed %d best %v, want 1 and not best", c.Collapsed, c.Best)
	}
	if c := tbl.Rows[1].Cells[0]; !c.Best {
		t.Errorf("lora is the best of the cells without a collapsed seed: %+v", c)
	}
	if tbl.Rows[2].Cells[0].Best || tbl.Rows[0].Cells[0].VsLoRA != nil {
		t.Error("the chance row is best, or the collapsed ft cell was compared")
	}
	var md bytes.Buffer
	if err := tbl.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| ft | 100 | 0.725 ± 0.247 [-1.499, 2.949] †1/2 |", "| chance (input ignored) | 0 | 0.950 |", "| lora r=8 q,v | 900 | 0.710 ± 0.014 [0.583, 0.837] |", "†k/n: k of the n seeds"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// withLR sets the learning rate in a run's config and its validation metric.
func withLR(r record.Result, lr, val float64) record.Result {
	if r.Config == nil {
		r.Config = map[string]any{}
	}
	r.Config["train"] = map[string]any{"lr": lr}
	r.Metrics["validation"] = map[string]float64{r.MainMetric: val}
	return r
}

// TestLRSelection: lora ran at three learning rates on seeds 1-2; the mean validation
// accuracy is 0.70 at 1e-3, 0.78 at 3e-3 (0.80, 0.76) and 0.74 at 1e-2, so the table reports
// the test accuracy at 3e-3 (0.60, 0.62: 0.61) whatever the test accuracy elsewhere (0.90 at
// 1e-2: selecting on test would be a leak). ft has one rate and no lr in its cell.
func TestLRSelection(t *testing.T) {
	var rs []record.Result
	add := func(lr float64, seed int, val, test float64) {
		rs = append(rs, withLR(result("lora r=8 q,v", "lora", 8, "cls", seed, "accuracy", test), lr, val))
	}
	add(1e-3, 1, 0.70, 0.50)
	add(1e-3, 2, 0.70, 0.52)
	add(3e-3, 1, 0.80, 0.60)
	add(3e-3, 2, 0.76, 0.62)
	add(1e-2, 1, 0.74, 0.90)
	add(1e-2, 2, 0.74, 0.90)
	rs = append(rs, withLR(result("ft", "ft", 0, "cls", 1, "accuracy", 0.55), 1e-4, 0.6))
	s := Aggregate(rs, "test", "")
	if len(s.Groups) != 2 || len(s.Searches) != 3 {
		t.Fatalf("%d groups, %d searched rates; want 2 and 3", len(s.Groups), len(s.Searches))
	}
	var lora Group
	for _, g := range s.Groups {
		if g.Method == "lora" {
			lora = g
		}
	}
	if lora.LR != 3e-3 || math.Abs(lora.Mean-0.61) > 1e-12 || !slices.Equal(lora.LRs, []float64{1e-3, 3e-3, 1e-2}) {
		t.Errorf("lora group: lr %g mean %g rates %v, want 3e-3, 0.61, [1e-3 3e-3 1e-2]", lora.LR, lora.Mean, lora.LRs)
	}
	for _, g := range s.Searches {
		if g.Split != "validation" || (g.LR == 3e-3 && math.Abs(g.Mean-0.78) > 1e-12) {
			t.Errorf("searched rate %g: %s mean %g", g.LR, g.Split, g.Mean)
		}
	}
	var md bytes.Buffer
	if err := BuildTable(s, "lr").WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0.610 ± 0.014 [0.483, 0.737] lr 3e-3 |", "| ft | 100 | 0.550 |", "lr: the learning rate with the best mean validation"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
}

// TestLRSelectionTwoPhase: the shape a first_seed search leaves — every rate on seed 1, the
// chosen one on seeds 1-3. The choice compares seed 1 only (0.70 vs 0.72), and the table
// reports all three seeds at 3e-3; a rate that failed is out, and a search whose every rate
// failed is listed as unchosen.
func TestLRSelectionTwoPhase(t *testing.T) {
	var rs []record.Result
	add := func(lr float64, seed int, val, test float64) {
		rs = append(rs, withLR(result("lora r=8 q,v", "lora", 8, "cls", seed, "accuracy", test), lr, val))
	}
	add(1e-3, 1, 0.70, 0.50)
	add(3e-3, 1, 0.72, 0.60)
	add(3e-3, 2, 0.50, 0.62)
	add(3e-3, 3, 0.50, 0.64)
	failed := withLR(result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0), 1e-2, 0.99)
	failed.Status = record.StatusFailed
	rs = append(rs, failed)
	for _, lr := range []float64{1e-3, 1e-2} {
		f := withLR(result("bitfit", "bitfit", 0, "cls", 1, "accuracy", 0), lr, 0)
		f.Status = record.StatusFailed
		rs = append(rs, f)
	}
	s := Aggregate(rs, "test", "")
	if len(s.Groups) != 1 || s.Groups[0].LR != 3e-3 || s.Groups[0].N() != 3 || math.Abs(s.Groups[0].Mean-0.62) > 1e-12 {
		t.Fatalf("groups %+v, want lora at 3e-3 over 3 seeds, mean 0.62", s.Groups)
	}
	for _, g := range s.Searches { // what the choice compared: seed 1 at each rate that ran
		if g.Setting == "lora r=8 q,v" && (g.N() != 1 || g.Seeds[0] != 1) {
			t.Errorf("searched rate %g: seeds %v, want [1]", g.LR, g.Seeds)
		}
	}
	if !slices.Equal(s.Unchosen, []string{"bitfit on cls"}) {
		t.Errorf("unchosen %v, want bitfit on cls", s.Unchosen)
	}
}

// TestLRSelectionSkipsCollapsed: at 5e-2 the runs predict the validation split's majority
// class (0.515) and would win on the number; the rate whose runs learn (0.50) is chosen.
func TestLRSelectionSkipsCollapsed(t *testing.T) {
	var rs []record.Result
	for seed := 1; seed <= 2; seed++ {
		c := withLR(result("prefix_layer lp=8", "prefix_layer", 0, "cls", seed, "accuracy", 0.47), 5e-2, 0.515)
		c.Predicted = map[string][]int{"validation": {200, 0}, "test": {200, 0}}
		l := withLR(result("prefix_layer lp=8", "prefix_layer", 0, "cls", seed, "accuracy", 0.55), 5e-3, 0.50)
		l.Predicted = map[string][]int{"validation": {120, 80}, "test": {110, 90}}
		rs = append(rs, c, l)
	}
	s := Aggregate(rs, "test", "")
	if len(s.Groups) != 1 || s.Groups[0].LR != 5e-3 || s.Groups[0].Mean != 0.55 {
		t.Errorf("groups %+v, want prefix_layer at 5e-3, 0.55", s.Groups)
	}
}
