package experiments

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestMeter checks the status line and the ETA from the mean step time of the phase.
func TestMeter(t *testing.T) {
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var m meter
	if got := m.status(t0); got != "starting" {
		t.Errorf("before any report: %q", got)
	}
	m.observe(Progress{Phase: PhasePretrain, Step: 50, Total: 100}, t0)
	m.observe(Progress{Phase: PhaseTrain, Step: 0, Total: 100, Loss: 2}, t0.Add(time.Minute))
	m.observe(Progress{Phase: PhaseTrain, Step: 10, Total: 100, Loss: 1.25}, t0.Add(time.Minute+20*time.Second))
	m.observe(Progress{Phase: PhaseEval, Step: 10, Split: "validation"}, t0.Add(time.Hour)) // ignored
	// 10 steps in 20 s: 90 steps left take 3 minutes.
	if got, want := m.status(t0.Add(time.Minute+20*time.Second)), "train 10/100 loss 1.2500 ETA 3m0s"; got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	m.observe(Progress{Phase: PhaseTrain, Step: 11, Total: 0, Loss: math.NaN()}, t0)
	if got := m.status(t0); got != "train 11/0 ETA ?" {
		t.Errorf("status without total %q", got)
	}
}

// TestBarsFinish drives the terminal display through two jobs and checks it draws their end
// lines and closes (a bar that never completes would hang close).
func TestBarsFinish(t *testing.T) {
	var out strings.Builder
	b := newBars(&syncWriter{w: &out}, 2)
	for i, status := range []string{"done", "failed: out of data"} {
		j := b.start(RunSpec{Task: "cls-a", Seed: i + 1})
		for step := 1; step <= 3; step++ {
			j.update(Progress{Phase: PhaseTrain, Step: step, Total: 3, Loss: 1 / float64(step)})
		}
		j.end(status)
	}
	finished := make(chan struct{})
	go func() { b.close(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("bars did not close")
	}
	for _, want := range []string{"[1/2] done cls-a", "[2/2] failed cls-a  seed=2: out of data"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestFormatMetrics checks the evaluation part of a progress line: sorted names, three
// decimals, two spaces between metrics, %g form where three decimals would hide the value.
func TestFormatMetrics(t *testing.T) {
	cases := []struct {
		in   map[string]float64
		want string
	}{
		{map[string]float64{"mcc": 0, "f1": 0.7261146496815286, "accuracy": 0.57}, "accuracy 0.570  f1 0.726  mcc 0.000"},
		{map[string]float64{"nist": 5.2349, "bleu": 0.4281}, "bleu 0.428  nist 5.235"},
		{map[string]float64{"pearson": -0.12345}, "pearson -0.123"},
		{map[string]float64{"tiny": 0.00012345, "huge": 1234567}, "huge 1.235e+06  tiny 0.0001234"},
		{map[string]float64{"x": math.NaN()}, "x NaN"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := formatMetrics(c.in); got != c.want {
			t.Errorf("formatMetrics(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestLogLinesEval checks that an evaluation prints its metrics formatted, not as a Go map.
func TestLogLinesEval(t *testing.T) {
	var out strings.Builder
	l := &logLines{w: &out, every: time.Hour, total: 1}
	j := l.start(RunSpec{Task: "cls-a", Seed: 1})
	j.update(Progress{Phase: PhaseEval, Split: "validation", Step: 80, Metrics: map[string]float64{"accuracy": 0.57, "f1": 0.7261, "mcc": 0}})
	want := "eval validation at step 80: accuracy 0.570  f1 0.726  mcc 0.000\n"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "map[") {
		t.Errorf("output %q, want a line ending %q", out.String(), want)
	}
}
