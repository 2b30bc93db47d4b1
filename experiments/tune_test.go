package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"loralab/experiments/record"
)

// TestChooseLR checks the selection on hand-made results.
func TestChooseLR(t *testing.T) {
	tests := []struct {
		name      string
		trials    []Trial
		higher    bool
		wantLR    float64
		wantSeeds []int
		wantOK    bool
	}{
		{"best mean wins", []Trial{
			{LR: 1e-3, Seed: 1, Value: 0.60}, {LR: 1e-3, Seed: 2, Value: 0.70}, // mean 0.65
			{LR: 3e-3, Seed: 1, Value: 0.80}, {LR: 3e-3, Seed: 2, Value: 0.56}, // mean 0.68
			{LR: 1e-2, Seed: 1, Value: 0.50}, {LR: 1e-2, Seed: 2, Value: 0.52},
		}, true, 3e-3, []int{1, 2}, true},
		{"lower is better", []Trial{
			{LR: 1e-3, Seed: 1, Value: 0.3}, {LR: 3e-3, Seed: 1, Value: 0.2}, {LR: 1e-2, Seed: 1, Value: 0.25},
		}, false, 3e-3, []int{1}, true},
		{"only shared seeds count", []Trial{ // the two-phase case: 3e-3 has seeds 1-3, 1e-3 only seed 1
			{LR: 1e-3, Seed: 1, Value: 0.70},
			{LR: 3e-3, Seed: 1, Value: 0.72}, {LR: 3e-3, Seed: 2, Value: 0.50}, {LR: 3e-3, Seed: 3, Value: 0.50},
		}, true, 3e-3, []int{1}, true},
		{"a failed run rules its rate out", []Trial{
			{LR: 1e-3, Seed: 1, Value: 0.60}, {LR: 1e-3, Seed: 2, Value: 0.62},
			{LR: 1e-2, Seed: 1, Value: 0.90}, {LR: 1e-2, Seed: 2, Failed: true},
		}, true, 1e-3, []int{1, 2}, true},
		{"equal means go to the smaller rate", []Trial{
			{LR: 3e-3, Seed: 1, Value: 0.5}, {LR: 1e-3, Seed: 1, Value: 0.5},
		}, true, 1e-3, []int{1}, true},
		{"a collapsed run rules its rate out while another rate learns", []Trial{
			{LR: 1e-3, Seed: 1, Value: 0.52, Collapsed: true}, {LR: 1e-3, Seed: 2, Value: 0.52},
			{LR: 3e-3, Seed: 1, Value: 0.50}, {LR: 3e-3, Seed: 2, Value: 0.48},
		}, true, 3e-3, []int{1, 2}, true},
		{"every rate collapsed: the best constant", []Trial{
			{LR: 1e-3, Seed: 1, Value: 0.48, Collapsed: true}, {LR: 3e-3, Seed: 1, Value: 0.52, Collapsed: true},
		}, true, 3e-3, []int{1}, true},
		{"the chosen rate's later seeds collapsing do not undo the choice", []Trial{ // two-phase: 1.5e-2 chosen on seed 1, then seeds 2 and 3 collapse
			{LR: 5e-3, Seed: 1, Value: 0.53}, {LR: 1.5e-2, Seed: 1, Value: 0.558},
			{LR: 1.5e-2, Seed: 2, Value: 0.482, Collapsed: true}, {LR: 1.5e-2, Seed: 3, Value: 0.518, Collapsed: true},
		}, true, 1.5e-2, []int{1}, true},
		{"every rate failed", []Trial{{LR: 1e-3, Seed: 1, Failed: true}}, true, 0, nil, false},
		{"no shared seed", []Trial{{LR: 1e-3, Seed: 1, Value: 0.5}, {LR: 3e-3, Seed: 2, Value: 0.6}}, true, 0, nil, false},
		{"nothing", nil, true, 0, nil, false},
	}
	for _, tt := range tests {
		lr, seeds, ok := ChooseLR(tt.trials, tt.higher)
		if lr != tt.wantLR || ok != tt.wantOK || !slices.Equal(seeds, tt.wantSeeds) {
			t.Errorf("%s: got %g %v %v, want %g %v %v", tt.name, lr, seeds, ok, tt.wantLR, tt.wantSeeds, tt.wantOK)
		}
	}
}

// TestParseLRLists checks train.lr lists, per family and in whole, and the bad forms.
func TestParseLRLists(t *testing.T) {
	sw := parseTest(t, strings.Replace(baseSweep, "lr: {default: 1e-3, lora: 2e-3}", "lr: {default: 1e-3, lora: [1e-3, 3e-3]}\n  lr_tuning: first_seed", 1))
	if !slices.Equal(sw.LRs["lora"], []float64{1e-3, 3e-3}) || !slices.Equal(sw.LRs["default"], []float64{1e-3}) || sw.LRTuning != LRFirstSeed {
		t.Errorf("lrs %v, tuning %q", sw.LRs, sw.LRTuning)
	}
	if sw := parseTest(t, baseSweep); sw.LRTuning != LRGrid {
		t.Errorf("default lr_tuning %q", sw.LRTuning)
	}
	bad := []struct{ lr, want string }{
		{"lr: [1e-3, 1e-3]", `sweep.yaml:11:14: train.lr[1]: learning rate 0.001 repeated`},
		{"lr: []", `sweep.yaml:11:7: train.lr: empty list, want at least one learning rate`},
		{"lr: {default: [1e-3, -1]}", `sweep.yaml:11:24: train.lr.default[1]: -1 is out of range, want > 0`},
		{"lr: {default: [1e-3, x]}", `sweep.yaml:11:24: train.lr.default[1]: found "x", want a finite number`},
		{"lr: 1e-3\n  lr_tuning: seed", `sweep.yaml:12:14: train.lr_tuning: unknown value "seed", want grid or first_seed`},
	}
	for _, b := range bad {
		_, err := Parse("sweep.yaml", []byte(strings.Replace(baseSweep, "lr: {default: 1e-3, lora: 2e-3}", b.lr, 1)), ParseOptions{Tasks: testTasks})
		if err == nil || err.Error() != b.want {
			t.Errorf("%s: got\n%v\nwant\n%s", b.lr, err, b.want)
		}
	}
}

// TestExpandLRLists checks that a list of learning rates expands into one setting per rate,
// with the rate among the run's axes and in its label, and leaves single rates as they were.
func TestExpandLRLists(t *testing.T) {
	plain, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	runs, err := parseTest(t, strings.Replace(baseSweep, "lr: {default: 1e-3, lora: 2e-3}", "lr: {default: 1e-3, lora: [2e-3, 5e-3]}", 1)).Expand()
	if err != nil {
		t.Fatal(err)
	}
	// per task: lora r=2 and r=4 at two rates, two seeds each, then bitfit's two seeds
	if len(runs) != 2*(2*2*2+2) {
		t.Fatalf("%d runs", len(runs))
	}
	want := []string{
		"cls-a lora r=2 q,v lr=0.002 seed=1", "cls-a lora r=2 q,v lr=0.002 seed=2",
		"cls-a lora r=2 q,v lr=0.005 seed=1", "cls-a lora r=2 q,v lr=0.005 seed=2",
	}
	for i, w := range want {
		if runs[i].Label() != w || runs[i].Axes["lr"] != runs[i].Train.LR {
			t.Errorf("run %d: %s, axes %v, want %s", i, runs[i].Label(), runs[i].Axes, w)
		}
	}
	if runs[0].ID != plain[0].ID {
		t.Errorf("lora at 2e-3 in a search has id %s, alone %s: want the same", runs[0].ID, plain[0].ID)
	}
	if runs[8].Label() != "cls-a bitfit seed=1" || runs[8].ID != plain[4].ID {
		t.Errorf("bitfit run %s %s, want the id %s it has without the search", runs[8].Label(), runs[8].ID, plain[4].ID)
	}
}

// lrExec is an executor whose validation accuracy depends on the learning rate alone, as a
// table says, and which fails the runs at the rates in fail.
type lrExec struct {
	mu    sync.Mutex
	calls map[string]int
	val   map[float64]float64
	fail  map[float64]bool
}

func (e *lrExec) Run(_ context.Context, run RunSpec, _ string, _ func(Progress)) (record.Result, error) {
	e.mu.Lock()
	e.calls[run.Label()]++
	e.mu.Unlock()
	if e.fail[run.Train.LR] {
		return record.Result{}, errors.New("loss is NaN")
	}
	v := e.val[run.Train.LR]
	return record.Result{MainMetric: "accuracy", Metrics: map[string]map[string]float64{
		"validation": {"accuracy": v}, "test": {"accuracy": v - 0.01*float64(run.Seed)}}}, nil
}

const searchSweep = `name: s
model:
  arch: encoder
  preset: tiny
  vocab: 512
  pretraining: {corpus: corpus-a, steps: 10}
tasks: [cls-a]
train:
  steps: 5
  lr: {default: 1e-3, lora: [1e-3, 3e-3, 1e-2]}
  lr_tuning: first_seed
methods:
  - {name: lora, rank: 2, targets: [q, v]}
  - {name: bitfit}
seeds: [1, 2, 3]
`

// TestTwoPhaseSearch runs a first_seed search: every rate on seed 1, then seeds 2 and 3 at
// the rate with the best validation accuracy (3e-3; 1e-2 would be better but fails).
func TestTwoPhaseSearch(t *testing.T) {
	sw := parseTest(t, searchSweep)
	exec := &lrExec{calls: map[string]int{}, val: map[float64]float64{1e-3: 0.6, 3e-3: 0.8, 1e-2: 0.9}, fail: map[float64]bool{1e-2: true}}
	out := t.TempDir()
	sum, err := Run(context.Background(), sw, Options{Out: out, Now: fixedNow}, exec)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cls-a lora r=2 q,v lr=0.001 seed=1", "cls-a lora r=2 q,v lr=0.003 seed=1", "cls-a lora r=2 q,v lr=0.01 seed=1",
		"cls-a lora r=2 q,v lr=0.003 seed=2", "cls-a lora r=2 q,v lr=0.003 seed=3",
		"cls-a bitfit seed=1", "cls-a bitfit seed=2", "cls-a bitfit seed=3",
	}
	checkCalls(t, exec, want)
	if sum.Total != 8 || sum.Selected != 8 || sum.Done != 7 || sum.Failed != 1 || sum.Waiting != 0 {
		t.Errorf("summary %+v", sum)
	}
	if got := planLabels(t, filepath.Join(out, "s")); !slices.Equal(got, sortedCopy(want)) {
		t.Errorf("plan.json lists %v, want %v", got, sortedCopy(want))
	}
	// Run again: everything is done, nothing runs.
	exec.calls = map[string]int{}
	if sum, err = Run(context.Background(), sw, Options{Out: out, Now: fixedNow}, exec); err != nil || len(exec.calls) != 0 || sum.Done != 7 {
		t.Errorf("second run: %v, calls %v, summary %+v", err, exec.calls, sum)
	}
}

// TestTwoPhaseSharded runs a first_seed search on two workers one after the other, as a
// resumed sharded sweep would: the first worker's search waits for the other worker's
// first-phase runs, and running it again finishes its share. Every run runs once.
func TestTwoPhaseSharded(t *testing.T) {
	sw := parseTest(t, searchSweep)
	exec := &lrExec{calls: map[string]int{}, val: map[float64]float64{1e-3: 0.7, 3e-3: 0.6, 1e-2: 0.5}}
	out := t.TempDir()
	run := func(shard Shard) Summary {
		sum, err := Run(context.Background(), sw, Options{Out: out, Shard: shard, Now: fixedNow}, exec)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := run(Shard{0, 2}); sum.Waiting != 1 {
		t.Errorf("worker 0 alone: %d searches waiting, want 1 (%+v)", sum.Waiting, sum)
	}
	if sum := run(Shard{1, 2}); sum.Waiting != 0 {
		t.Errorf("worker 1 after worker 0: %d searches waiting, want 0", sum.Waiting)
	}
	run(Shard{0, 2})
	want := []string{
		"cls-a lora r=2 q,v lr=0.001 seed=1", "cls-a lora r=2 q,v lr=0.003 seed=1", "cls-a lora r=2 q,v lr=0.01 seed=1",
		"cls-a lora r=2 q,v lr=0.001 seed=2", "cls-a lora r=2 q,v lr=0.001 seed=3",
		"cls-a bitfit seed=1", "cls-a bitfit seed=2", "cls-a bitfit seed=3",
	}
	checkCalls(t, exec, want)
}

func checkCalls(t *testing.T, e *lrExec, want []string) {
	t.Helper()
	var got []string
	for label, n := range e.calls {
		got = append(got, label)
		if n != 1 {
			t.Errorf("%s ran %d times", label, n)
		}
	}
	if slices.Sort(got); !slices.Equal(got, sortedCopy(want)) {
		t.Errorf("ran\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(sortedCopy(want), "\n"))
	}
}

func planLabels(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		t.Fatal(err)
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range p.Runs {
		out = append(out, it.Label)
	}
	slices.Sort(out)
	return out
}

func sortedCopy(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

// TestDryRunTwoPhase lists the first phase of a first_seed search and says what follows.
func TestDryRunTwoPhase(t *testing.T) {
	var out strings.Builder
	if err := DryRun(context.Background(), &out, parseTest(t, searchSweep), Shard{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"1 learning-rate searches (lr_tuning: first_seed): the runs above, then 2 more, the other seeds at each search's chosen rate",
		"sweep s: 8 runs; shard 0/1: 6 runs",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPlannedKeepsListedRuns: a worker that cannot decide a search yet keeps the
// second-phase runs another worker already put in plan.json.
func TestPlannedKeepsListedRuns(t *testing.T) {
	sw := parseTest(t, searchSweep)
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	ph := sw.lrPhases(runs)
	dir := t.TempDir()
	first, waiting := ph.planned(dir)
	if len(first) != 6 || waiting != 1 {
		t.Fatalf("no results: %d runs planned, %d waiting; want 6 and 1", len(first), waiting)
	}
	var chosen RunSpec // lora at 3e-3, seed 2: as if another worker had decided
	for _, r := range runs {
		if r.Label() == "cls-a lora r=2 q,v lr=0.003 seed=2" {
			chosen = r
		}
	}
	if err := writeSweepFolder(dir, sw, append(first, chosen)); err != nil {
		t.Fatal(err)
	}
	got, waiting := ph.planned(dir)
	if len(got) != 7 || waiting != 1 || !slices.ContainsFunc(got, func(r RunSpec) bool { return r.ID == chosen.ID }) {
		t.Errorf("%d runs planned, %d waiting; want the 6 and the listed %s", len(got), waiting, chosen.Label())
	}
}

// TestEntryLRList: an entry's own list of learning rates is a search too.
func TestEntryLRList(t *testing.T) {
	text := strings.Replace(searchSweep, "{name: bitfit}", "{name: bitfit, lr: [2e-3, 5e-3]}", 1)
	sw := parseTest(t, strings.Replace(text, "  lr_tuning: first_seed\n", "", 1))
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range runs {
		if r.Method.Name == "bitfit" {
			got = append(got, r.Label())
		}
	}
	want := []string{"cls-a bitfit lr=0.002 seed=1", "cls-a bitfit lr=0.002 seed=2", "cls-a bitfit lr=0.002 seed=3",
		"cls-a bitfit lr=0.005 seed=1", "cls-a bitfit lr=0.005 seed=2", "cls-a bitfit lr=0.005 seed=3"}
	if !slices.Equal(got, want) {
		t.Errorf("bitfit runs %v, want %v", got, want)
	}
	if ph := parseTest(t, text).lrPhases(runs); ph == nil || len(ph.searches) != 2 || len(ph.first) != 5 {
		t.Errorf("first_seed phases: %+v, want 2 searches and 3+2 first-seed runs", ph)
	}
}

// TestPlannedRuns: a first_seed search runs 3 rates on seed 1 and the 2 other seeds at one
// rate (5 of its 9-run grid), beside bitfit's 3 seeds: 8 of 12; a sweep without the search
// runs its whole expansion.
func TestPlannedRuns(t *testing.T) {
	for _, c := range []struct {
		name        string
		text        string
		grid, total int
	}{
		{"first_seed", searchSweep, 12, 8},
		{"whole grid", strings.Replace(searchSweep, "  lr_tuning: first_seed\n", "", 1), 12, 12},
	} {
		sw := parseTest(t, c.text)
		runs, err := sw.Expand()
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != c.grid || sw.PlannedRuns(runs) != c.total {
			t.Errorf("%s: %d runs expanded, %d planned; want %d and %d", c.name, len(runs), sw.PlannedRuns(runs), c.grid, c.total)
		}
	}
}
