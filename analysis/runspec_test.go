package analysis

import (
	"errors"
	"math"
	"strings"
	"testing"

	"loralab/experiments/record"
	"loralab/method"
)

func TestSelectorMatches(t *testing.T) {
	r := record.Result{Status: record.StatusDone, Method: "lora", Setting: "lora r=8 q,v", Task: "cls", Seed: 2,
		Config: map[string]any{"method": map[string]any{"name": "lora", "rank": 8, "targets": []any{"q", "v"}}}}
	ft := record.Result{Status: record.StatusDone, Method: "ft", Setting: "ft", Task: "cls", Seed: 1}
	tests := []struct {
		sel       Selector
		lora, ftm bool
	}{
		{Selector{}, true, true},
		{Selector{Rank: 8}, true, false},
		{Selector{Rank: 4}, false, false},
		{Selector{Targets: []string{"v", "q"}}, true, false},
		{Selector{Targets: []string{"q"}}, false, false},
		{Selector{Setting: "lora r=8 q,v"}, true, false},
		{Selector{Method: "ft"}, false, true},
		{Selector{Task: "reg"}, false, false},
		{Selector{Seed: 2}, true, false},
		{Selector{Rank: 8, Seed: 1}, false, false},
	}
	for _, tc := range tests {
		if got := tc.sel.matches(r); got != tc.lora {
			t.Errorf("%+v matches lora run = %v, want %v", tc.sel, got, tc.lora)
		}
		if got := tc.sel.matches(ft); got != tc.ftm {
			t.Errorf("%+v matches ft run = %v, want %v", tc.sel, got, tc.ftm)
		}
	}
}

// TestSelectorPickLowestSeedDone: among done runs the lowest seed wins; two runs at that
// seed are a tie the selector cannot break, an error naming both.
func TestSelectorPickLowestSeedDone(t *testing.T) {
	mk := func(id, task string, seed int, status string) Run {
		return Run{Dir: id, Result: record.Result{RunID: id, Status: status, Method: "ft", Setting: "ft", Task: task, Seed: seed}}
	}
	runs := []Run{mk("a", "cls", 3, record.StatusDone), mk("b", "cls", 1, record.StatusFailed), mk("c", "cls", 2, record.StatusDone),
		mk("d", "other", 2, record.StatusDone)}
	s := Aggregate(Results(runs), "test", "")
	if got, err := (Selector{Method: "ft", Task: "cls"}).pick(runs, s); err != nil || got.Dir != "c" {
		t.Errorf("picked %q (%v), want c (lowest done seed)", got.Dir, err)
	}
	_, err := Selector{Method: "ft"}.pick(runs, s)
	if pe := (*pickError)(nil); !errors.As(err, &pe) || !pe.ambiguous || !strings.Contains(err.Error(), "ft on cls (run c), ft on other (run d)") {
		t.Errorf("tie at seed 2: error %v, want an ambiguous selector naming runs c and d", err)
	}
	if _, err := (Selector{Method: "lora"}).pick(runs, s); err == nil || !strings.Contains(err.Error(), "no done run matches lora") {
		t.Errorf("a selector nothing matches: error %v", err)
	}
}

func TestMethodSpecFromAxes(t *testing.T) {
	r := record.Result{Method: "lora", Axes: map[string]any{"rank": 4.0, "targets": []any{"q"}}}
	if s := methodSpec(r); s.Name != "lora" || s.Rank != 4 || len(s.Targets) != 1 {
		t.Errorf("spec from axes = %+v", s)
	}
}

func TestFactorScale(t *testing.T) {
	tests := []struct {
		spec method.Spec
		rank int
		want float64 // 0: the factors do not give the update
	}{
		{method.Spec{Name: method.LoRA, Alpha: 16}, 8, 2},
		{method.Spec{Name: method.LoRA, Alpha: 16, Scaling: "rslora"}, 4, 8},
		{method.Spec{Name: method.LoRA}, 8, 1},                     // alpha 0 means alpha = r
		{method.Spec{Name: method.LoRA, Scaling: "rslora"}, 16, 4}, // r / sqrt(r)
		{method.Spec{Name: method.LoRA, Alpha: 16, Opts: map[string]float64{"lr_ratio": 16}}, 8, 2},
		{method.Spec{Name: method.LoRA, Alpha: 16, Init: "pissa"}, 8, 0}, // the frozen residual is not W
		{method.Spec{Name: method.LoRA, Alpha: 16, Init: "olora"}, 8, 0},
		{method.Spec{Name: method.LoRA, Alpha: 16, Init: "milora"}, 8, 0},
		{method.Spec{Name: method.LoRA, Alpha: 16}, 0, 0},
		{method.Spec{Name: "dora", Alpha: 16}, 8, 0}, // not s·B·A
		{method.Spec{Name: "vera"}, 8, 0},
		{method.Spec{Name: method.FT}, 0, 0},
	}
	for _, tc := range tests {
		got, ok := factorScale(tc.spec, tc.rank)
		if ok != (tc.want != 0) || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("factorScale(%+v, %d) = %v, %v, want %v", tc.spec, tc.rank, got, ok, tc.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"lora r=8 q,v": "lora-r8-q-v", "adapter_h r=16": "adapter-h-r16", "  X  ": "x", "lora r=8 seed=2": "lora-r8-seed2",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPartnerPrefersSameTaskAndSeed(t *testing.T) {
	mk := func(id, task string, rank, seed int) Run {
		return Run{Dir: id, Result: record.Result{RunID: id, Status: record.StatusDone, Method: "lora", Task: task, Seed: seed,
			Config: map[string]any{"method": map[string]any{"rank": rank}}}}
	}
	runs := []Run{mk("a", "cls", 8, 1), mk("b", "other", 8, 1), mk("c", "cls", 8, 2), mk("d", "zzz", 64, 3)}
	tests := []struct {
		runA Run
		b    Selector
		want string
	}{
		{mk("x", "other", 2, 1), Selector{Rank: 8}, "b"},                     // same task and seed
		{mk("x", "cls", 2, 2), Selector{Rank: 8}, "c"},                       // same task and seed
		{mk("x", "cls", 2, 5), Selector{Rank: 8}, "a"},                       // same task, lowest seed
		{mk("x", "cls", 2, 1), Selector{Rank: 64}, "d"},                      // any task
		{mk("x", "cls", 2, 1), Selector{Rank: 8, Task: "other"}, "b"},        // the selector's task wins
		{mk("x", "cls", 2, 1), Selector{Rank: 8, Seed: 2, Task: "cls"}, "c"}, // and its seed
	}
	for _, tc := range tests {
		got, err := partner(tc.b, tc.runA, runs, Aggregate(Results(runs), "test", ""))
		if err != nil || got.Dir != tc.want {
			t.Errorf("partner(%+v, run on %s seed %d) = %q, want %q", tc.b, tc.runA.Result.Task, tc.runA.Result.Seed, got.Dir, tc.want)
		}
	}
}
