package analysis

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"loralab/experiments/record"
)

// rateSweep is a sweep's runs by hand, sorted by run id as LoadSweep sorts them (so the
// runs at the smallest rate come first):
//   - lora r=8 on cls searched first_seed: seed 1 at 1e-3 (validation 0.70), 3e-3 (0.80) and
//     1e-2 (0.75), seeds 2 and 3 at the chosen 3e-3;
//   - lora r=4 on cls searched a grid with a run missing: 1e-3 on seeds 1, 2 (0.60), 3e-3 on
//     seed 1 only (0.90): the choice compares seed 1, so 3e-3, which has no seed 2;
//   - lora r=16 on cls: no rate reported a validation metric, so none could be chosen;
//   - lora r=1 on cls: 1e-3 and 3e-3 tie on seed 1 (0.70), so the smaller rate is chosen;
//   - lora r=2 at one rate on two tasks, cls and reg.
func rateSweep() []Run {
	var runs []Run
	add := func(rank int, task string, lr float64, seed int, val float64) {
		r := withLR(result(fmt.Sprintf("lora r=%d q,v", rank), "lora", rank, task, seed, "accuracy", 0.5), lr, val)
		if val < 0 {
			delete(r.Metrics, "validation")
		}
		r.RunID = fmt.Sprintf("r%02d-%s-%s-%d", rank, task, formatLR(lr), seed)
		runs = append(runs, Run{Dir: r.RunID, Result: r})
	}
	add(8, "cls", 1e-3, 1, 0.70)
	add(8, "cls", 3e-3, 1, 0.80)
	add(8, "cls", 1e-2, 1, 0.75)
	add(8, "cls", 3e-3, 2, 0.50)
	add(8, "cls", 3e-3, 3, 0.50)
	add(4, "cls", 1e-3, 1, 0.60)
	add(4, "cls", 1e-3, 2, 0.60)
	add(4, "cls", 3e-3, 1, 0.90)
	add(16, "cls", 1e-3, 1, -1)
	add(16, "cls", 3e-3, 1, -1)
	add(1, "cls", 3e-3, 1, 0.70)
	add(1, "cls", 1e-3, 1, 0.70)
	add(2, "cls", 1e-3, 1, 0.60)
	add(2, "reg", 1e-3, 1, 0.60)
	slices.SortFunc(runs, func(a, b Run) int { return strings.Compare(a.Dir, b.Dir) })
	return runs
}

// TestPickAtTheChosenRate: a selector picks the run at the rate the table reports, never
// the first run of the lowest seed at some other rate; a run missing at the chosen rate, a
// search with no choice and a tie between runs are errors that say so.
func TestPickAtTheChosenRate(t *testing.T) {
	runs := rateSweep()
	s := Aggregate(Results(runs), "test", "")
	tests := []struct {
		sel       Selector
		want      string   // the run picked, or "" for an error
		errParts  []string // what the error says
		ambiguous bool
	}{
		{sel: Selector{Rank: 8}, want: "r08-cls-3e-3-1"},
		{sel: Selector{Rank: 8, Seed: 2}, want: "r08-cls-3e-3-2"},
		{sel: Selector{Setting: "lora r=8 q,v", Seed: 3}, want: "r08-cls-3e-3-3"},
		{sel: Selector{Rank: 4}, want: "r04-cls-3e-3-1"},
		{sel: Selector{Rank: 1}, want: "r01-cls-1e-3-1"}, // a tie of the means goes to the smaller rate, as ChooseLR
		{sel: Selector{Rank: 2, Task: "reg"}, want: "r02-reg-1e-3-1"},
		{sel: Selector{Rank: 4, Seed: 2}, errParts: []string{"no done run of lora r=4 seed=2 at the learning rate chosen for lora r=4 q,v on cls",
			"(3e-3, best mean validation metric of 1e-3, 3e-3)", "the runs it matches ran at 1e-3"}},
		{sel: Selector{Rank: 16}, errParts: []string{"no done run of lora r=16 at a chosen learning rate",
			"no rate could be chosen for lora r=16 q,v on cls"}},
		{sel: Selector{Rank: 8, Seed: 4}, errParts: []string{"no done run matches lora r=8 seed=4"}},
		{sel: Selector{Rank: 2}, ambiguous: true, errParts: []string{"lora r=2 matches 2 runs of seed 1",
			"lora r=2 q,v on cls (run r02-cls-1e-3-1), lora r=2 q,v on reg (run r02-reg-1e-3-1)", "name the setting, targets or task"}},
	}
	for _, tc := range tests {
		got, err := tc.sel.pick(runs, s)
		if tc.want != "" {
			if err != nil || got.Dir != tc.want {
				t.Errorf("%s: picked %q (%v), want %s", tc.sel, got.Dir, err, tc.want)
			}
			continue
		}
		var pe *pickError
		if !errors.As(err, &pe) || pe.ambiguous != tc.ambiguous {
			t.Errorf("%s: error %v, want a pick error (ambiguous %v)", tc.sel, err, tc.ambiguous)
			continue
		}
		for _, part := range tc.errParts {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("%s: error %q lacks %q", tc.sel, err, part)
			}
		}
	}
}

// TestPickAgreesWithTheTable: for every setting on every task the selector picks a run at
// the learning rate of the table's group, which is what ChooseLR chose.
func TestPickAgreesWithTheTable(t *testing.T) {
	runs := rateSweep()
	s := Aggregate(Results(runs), "test", "")
	for _, g := range s.Groups {
		run, err := Selector{Setting: g.Setting, Task: g.Task}.pick(runs, s)
		if err != nil || runLR(run.Result) != g.LR {
			t.Errorf("%s on %s: picked %q at %g (%v), want a run at the table's %g", g.Setting, g.Task, run.Dir, runLR(run.Result), err, g.LR)
		}
	}
}

// TestPartnerAtTheChosenRate: the partner of a run keeps to the chosen rate too, and says
// why there is none.
func TestPartnerAtTheChosenRate(t *testing.T) {
	runs := rateSweep()
	s := Aggregate(Results(runs), "test", "")
	a, err := Selector{Rank: 8, Seed: 2}.pick(runs, s)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := partner(Selector{Rank: 4}, a, runs, s); err != nil || b.Dir != "r04-cls-3e-3-1" {
		t.Errorf("partner r=4 of %s: %q (%v), want r04-cls-3e-3-1 (no seed 2 at 3e-3: the lowest seed at it)", a.Dir, b.Dir, err)
	}
	if _, err := partner(Selector{Rank: 16}, a, runs, s); err == nil || !strings.Contains(err.Error(), "no rate could be chosen") {
		t.Errorf("partner r=16: error %v, want no rate chosen", err)
	}
}

// TestUpdateAnalysesReadTheChosenRate writes a sweep where lora r=2 ran at two learning
// rates with different adapters: the update analyses and Table 7 read the runs at the
// chosen rate only, and Table 7 names it; a search where no rate could be chosen is left out
// with a note.
func TestUpdateAnalysesReadTheChosenRate(t *testing.T) {
	dir := writeFixtureSweep(t)
	rng := newRand(5, 0)
	shared := gaussian32(rng.NormFloat64, 8*fixtureD)
	for _, c := range []struct {
		lr  float64
		val float64
		key int // seeds the adapter's factors: another rate, another update
	}{{1e-3, 0.60, 30}, {1e-2, 0.90, 40}} {
		for seed := 1; seed <= 2; seed++ {
			id := fmt.Sprintf("rates-%s-%d", formatLR(c.lr), seed)
			runDir := fmt.Sprintf("%s/runs/%s", dir, id)
			mustMkdir(t, runDir)
			r := withLR(result("lora r=4 q,v", "lora", 4, "rates", seed, "accuracy", 0.5), c.lr, c.val)
			r.RunID, r.Sweep, r.Config["method"] = id, "fixture", map[string]any{"name": "lora", "rank": 4, "alpha": 4.0, "targets": []string{"q", "v"}}
			writeJSON(t, runDir+"/"+record.ResultFile, r)
			writeFixtureAdapter(t, runDir, 4, c.key+seed, shared)
		}
	}
	for _, lr := range []float64{1e-3, 1e-2} { // a search whose runs report no validation metric: no rate chosen
		id := "unchosen-" + formatLR(lr)
		runDir := fmt.Sprintf("%s/runs/%s", dir, id)
		mustMkdir(t, runDir)
		r := withLR(result("lora r=2 q,v", "lora", 2, "rates", 1, "accuracy", 0.5), lr, 0)
		delete(r.Metrics, "validation")
		r.RunID, r.Sweep, r.Config["method"] = id, "fixture", map[string]any{"name": "lora", "rank": 2, "alpha": 2.0, "targets": []string{"q", "v"}}
		writeJSON(t, runDir+"/"+record.ResultFile, r)
		writeFixtureAdapter(t, runDir, 2, 50, shared)
	}
	spec := Spec{Amplification: &AmplificationSpec{Ranks: []int{4}, Layers: []int{1}, Task: "rates", Base: "base"},
		UpdateRank: &UpdateRankSpec{UpdateSelection: UpdateSelection{Task: "rates", Base: "base", Layers: []int{0}, Matrices: []string{"q"}}},
		Plots:      []string{}}
	p, err := WriteReport(dir, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "update_rank: lora r=2 q,v on rates left out: no learning rate could be chosen"; len(p.Notes) != 2 ||
		!strings.HasPrefix(p.Notes[1], want) { // after the table's own note on the search
		t.Errorf("notes %q, want the table's and %q", p.Notes, want)
	}
	amp := readCSV(t, dir+"/"+TablesDir+"/amplification.csv")
	ad, err := LoadRunAdapter(dir + "/runs/rates-1e-2-1")
	if err != nil {
		t.Fatal(err)
	}
	pair, _ := ad.Find(1, "q")
	dw, err := DeltaW(pair.B, pair.A, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(amp) != 1 || amp[0]["lr"] != "0.01" || math.Abs(num(t, amp[0]["norm_delta_w"])-mat.Norm(dw, 2)) > 1e-12*mat.Norm(dw, 2) {
		t.Errorf("amplification rows %v, want the 1e-2 run's (||ΔW|| %g)", amp, mat.Norm(dw, 2))
	}
	if md := readFile(t, dir+"/"+TablesDir+"/amplification.md"); !strings.Contains(md, "Runs: r=4: lora r=4 q,v lr 1e-2 seed 1.") {
		t.Errorf("amplification.md does not name the run at the chosen rate:\n%s", md)
	}
	ranks := readCSV(t, dir+"/"+TablesDir+"/update_rank.csv")
	if len(ranks) != 2 {
		t.Fatalf("update rank rows %v, want seeds 1 and 2 at 1e-2", ranks)
	}
	for i, row := range ranks {
		ad, err := LoadRunAdapter(fmt.Sprintf("%s/runs/rates-1e-2-%d", dir, i+1))
		if err != nil {
			t.Fatal(err)
		}
		pair, _ := ad.Find(0, "q")
		dw, _ := DeltaW(pair.B, pair.A, 1)
		if row["seed"] != fmt.Sprint(i+1) || math.Abs(num(t, row["norm_delta_w"])-mat.Norm(dw, 2)) > 1e-12*mat.Norm(dw, 2) {
			t.Errorf("update rank row %v, want seed %d at 1e-2, ||ΔW|| %g", row, i+1, mat.Norm(dw, 2))
		}
	}
}
