package analysis

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// writeProtocolSweep writes a sweep folder by hand: on cls, lora at two learning rates and
// ft (whose seed 3 predicts one class), three seeds each, with chance scores; on d2t, lora
// and ft under bleu and nist.
func writeProtocolSweep(t *testing.T) string {
	dir := t.TempDir()
	write := func(r record.Result) {
		r.RunID = fmt.Sprintf("%s-%s-%g-%d", slug(r.Setting), r.Task, runLR(r), r.Seed)
		r.Status, r.Sweep = record.StatusDone, "proto"
		runDir := filepath.Join(dir, "runs", r.RunID)
		mustMkdir(t, runDir)
		writeJSON(t, filepath.Join(runDir, record.ResultFile), r)
	}
	cls := func(setting, m string, lr float64, seed int, val, test float64) record.Result {
		r := withLR(result(setting, m, map[string]int{"lora": 8}[m], "cls", seed, "accuracy", test), lr, val)
		r.Chance = map[string]map[string]float64{"test": {"accuracy": 0.5}}
		r.Predicted = map[string][]int{"test": {40, 60}}
		return r
	}
	for seed := 1; seed <= 3; seed++ {
		d := 0.01 * float64(seed)
		write(cls("lora r=8 q,v", "lora", 1e-3, seed, 0.70, 0.70+d))
		write(cls("lora r=8 q,v", "lora", 3e-3, seed, 0.80, 0.80+d))
		ft := cls("ft", "ft", 1e-4, seed, 0.75, 0.60+d)
		if seed == 3 {
			ft.Predicted = map[string][]int{"test": {0, 100}}
		}
		write(ft)
		for _, m := range []string{"lora", "ft"} {
			setting := map[string]string{"lora": "lora r=8 q,v", "ft": "ft"}[m]
			r := result(setting, m, map[string]int{"lora": 8}[m], "d2t", seed, "bleu", 0.3+d)
			r.Metrics["test"]["nist"] = 3 + d
			r.Chance = map[string]map[string]float64{"test": {"bleu": 0.05, "nist": 0.4}}
			write(r)
		}
	}
	return dir
}

func TestReportProtocolSections(t *testing.T) {
	dir := writeProtocolSweep(t)
	spec, err := ParseSpec([]byte("tables:\n  - {name: d2t-scores, task: d2t, metrics: [bleu, nist]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReport(dir, spec, Options{Command: "runexp proto.yaml"}); err != nil {
		t.Fatal(err)
	}
	report := readFile(t, filepath.Join(dir, ReportFile))
	for _, want := range []string{
		// lora at 3e-3 (validation 0.80 > 0.70): test 0.81, 0.82, 0.83; bold, as ft collapsed
		// and lora beats chance (0.5) on every seed
		"| lora r=8 q,v | 900 | **0.820 ± 0.010 [0.795, 0.845] lr 3e-3** |",
		"| ft | 100 | 0.620 ± 0.010 [0.595, 0.645] †1/3 |",
		"| chance (input ignored) | 0 | 0.500 | 0.050 |",
		"## LoRA against each method",
		"## Runs that predict one class",
		"`ft-cls-0.0001-3` ft on cls, seed 3: every test prediction is class 1",
		"## Table d2t-scores: d2t, bleu, nist",
		"| Method | # Trainable params | bleu ↑ | nist ↑ |",
		"| ft | 100 | 0.320 ± 0.010 [0.295, 0.345] | 3.020 ± 0.010 [2.995, 3.045] |",
		"## Learning-rate sensitivity",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, f := range []string{"tables/d2t-scores.md", "tables/d2t-scores.csv", "tables/d2t-scores.tex", "tables/vs_lora.md", "figures/lr_cls.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// ft's collapsed seed keeps it out of the comparison on cls; on d2t lora leads by 0 on
	// every seed (equal values): a tie at p = 1.
	vs := readFile(t, filepath.Join(dir, "tables/vs_lora.md"))
	if !strings.Contains(vs, "| ft | – | tie (+0.000, p 1) |") {
		t.Errorf("vs_lora.md:\n%s", vs)
	}
}

func TestMetricTableSpecProblems(t *testing.T) {
	spec := Spec{Tables: []MetricTableSpec{
		{Name: "Bad Name", Task: "d2t", Metrics: []string{"bleu"}},
		{Name: "ok", Metrics: []string{"bleu", "bleu"}, Split: "dev"},
		{Name: "ok", Task: "x"},
	}}
	err := spec.Validate()
	for _, want := range []string{
		`tables[0].name: "Bad Name", want a file name`,
		`tables[1].task: missing`, `tables[1].metrics[1]: "bleu" repeated`, `tables[1].split: "dev"`,
		`tables[2].name: "ok" is taken`, `tables[2].metrics: empty`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestLevelLines(t *testing.T) {
	series := []Series{{Name: "lora", X: []float64{2, 8}, Y: []float64{0.7, 0.8}}, {Name: "ft", X: []float64{100}, Y: []float64{0.9}}}
	s := Summary{Groups: []Group{
		{Setting: "head_only", Task: "cls", Values: []float64{0.6, 0.62}, Mean: 0.61},
		{Setting: "head_only", Task: "other", Values: []float64{0.1}, Mean: 0.1},
		{Setting: "lora r=8", Task: "cls", Values: []float64{0.8}, Mean: 0.8, TrainableParams: 8},
	}, Chance: map[string]map[string]float64{"cls": {"accuracy": 0.53}}}
	got := levelLines(series, s, "cls", "accuracy")
	want := []Series{
		{Name: "head_only", X: []float64{2, 100}, Y: []float64{0.61, 0.61}},
		{Name: ChanceSetting, X: []float64{2, 100}, Y: []float64{0.53, 0.53}},
	}
	if len(got) != 4 {
		t.Fatalf("%d series, want the 2 and a level line for head_only and chance: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[2+i]
		if g.Name != w.Name || !slices.Equal(g.X, w.X) || !slices.Equal(g.Y, w.Y) || g.Err != nil || !g.Level {
			t.Errorf("level line %d: %+v, want %+v", i, g, w)
		}
	}
	if got := levelLines(series, Summary{}, "cls", "accuracy"); len(got) != 2 {
		t.Errorf("no controls added lines: %+v", got)
	}
}

// TestLevelOffAxis: a control's level far from the methods' values (chance F1 0 beside scores
// of 0.9) leaves the y axis to the data and says in the legend where it lies; a level near
// them widens the axis to include it.
func TestLevelOffAxis(t *testing.T) {
	data := Series{Name: "lora", X: []float64{1, 64}, Y: []float64{0.91, 0.93}, Err: []float64{0.01, 0.005}}
	cases := []struct {
		name    string
		level   float64
		lo, hi  float64 // the y range before padding
		offAxis bool
	}{
		{"far below", 0, 0.90, 0.935, true},
		{"far above", 2, 0.90, 0.935, true},
		{"just below", 0.88, 0.88, 0.935, false},
		{"inside", 0.92, 0.90, 0.935, false},
		{"a span below", 0.90 - 0.035, 0.865, 0.935, false},
	}
	for _, c := range cases {
		lp := LinePlot{Series: []Series{data, {Name: "chance", X: []float64{1, 64}, Y: []float64{c.level, c.level}, Level: true}}}
		plt, legend, legendW, err := lp.plot()
		if err != nil {
			t.Fatal(err)
		}
		placed, _, _ := placeLevels(lp.Series)
		if want := legendWidth(legend, placed); legendW != want {
			t.Errorf("%s: legend width %v, want %v (the names shown)", c.name, legendW, want)
		}
		lo, hi := c.lo, c.hi
		padRange(&lo, &hi, false)
		if math.Abs(plt.Y.Min-lo) > 1e-12 || math.Abs(plt.Y.Max-hi) > 1e-12 {
			t.Errorf("%s: y axis [%g, %g], want [%g, %g]", c.name, plt.Y.Min, plt.Y.Max, lo, hi)
		}
		name := placed[1].Name
		if got := strings.HasSuffix(name, ", off the axis"); got != c.offAxis {
			t.Errorf("%s: legend %q, off the axis %v, want %v", c.name, name, got, c.offAxis)
		}
	}
	// Levels alone (no data series) set the axis themselves.
	plt, _, _, err := LinePlot{Series: []Series{{Name: "chance", X: []float64{1, 2}, Y: []float64{0, 0}, Level: true}}}.plot()
	if err != nil || plt.Y.Min > 0 || plt.Y.Max < 0 {
		t.Errorf("levels alone: axis [%g, %g], err %v", plt.Y.Min, plt.Y.Max, err)
	}
}

// TestCurvesAtTheChosenRate: the learning curve of a searched setting averages the runs at
// the chosen rate only.
func TestCurvesAtTheChosenRate(t *testing.T) {
	dir := t.TempDir()
	var runs []Run
	for _, c := range []struct {
		lr, loss float64
	}{{1e-3, 2.0}, {3e-3, 1.0}} {
		r := withLR(result("lora r=8 q,v", "lora", 8, "cls", 1, "accuracy", 0.5), c.lr, 0.5)
		runDir := filepath.Join(dir, fmt.Sprint(c.lr))
		mustMkdir(t, runDir)
		line := fmt.Sprintf("{\"step\": 1, \"loss\": %g}\n{\"step\": 2, \"loss\": %g}\n", c.loss, c.loss/2)
		if err := os.WriteFile(filepath.Join(runDir, record.MetricsFile), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, Run{Dir: runDir, Result: r})
	}
	s := Summary{Groups: []Group{{Setting: "lora r=8 q,v", Task: "cls", LR: 3e-3, LRs: []float64{1e-3, 3e-3}}}}
	series, problems := curveSeries(runs, s, "cls")
	if len(problems) > 0 || len(series) != 1 || !slices.Equal(series[0].Y, []float64{1.0, 0.5}) {
		t.Errorf("curves %+v (%v), want the 3e-3 run's losses 1.0, 0.5", series, problems)
	}
}

// TestEdgeChoices: a setting whose chosen rate is the smallest or largest of three or more
// searched is listed; one chosen inside the grid, a search of two rates and a setting with
// one rate are not.
func TestEdgeChoices(t *testing.T) {
	lrs := []float64{1e-3, 3e-3, 1e-2}
	cases := []struct {
		name string
		g    Group
		want string // the line listed, "" for none
	}{
		{"largest", Group{Setting: "ft", Task: "d2t", LR: 1e-2, LRs: lrs}, "- ft on d2t: lr 1e-2, the largest of 1e-3, 3e-3, 1e-2\n"},
		{"smallest", Group{Setting: "lora r=4 q,v", Task: "g2p", LR: 1e-3, LRs: lrs}, "- lora r=4 q,v on g2p: lr 1e-3, the smallest of 1e-3, 3e-3, 1e-2\n"},
		{"inside", Group{Setting: "ft", Task: "d2t", LR: 3e-3, LRs: lrs}, ""},
		{"two rates", Group{Setting: "ft", Task: "d2t", LR: 1e-3, LRs: []float64{1e-3, 3e-3}}, ""},
		{"one rate", Group{Setting: "head_only", Task: "d2t", LR: 3e-3}, ""},
	}
	for _, c := range cases {
		got := edgeChoices([]Group{c.g})
		if c.want == "" {
			if got != "" {
				t.Errorf("%s: listed %q, want nothing", c.name, got)
			}
			continue
		}
		if !strings.HasSuffix(got, "\n\n"+c.want) {
			t.Errorf("%s: %q, want it to end with %q", c.name, got, c.want)
		}
	}
}
