package experiments

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// checkingExec is a fakeExec that is also a Checker: it reports the problems problemsOf
// gives for a run and counts its checks.
type checkingExec struct {
	*fakeExec
	problemsOf func(RunSpec) []CheckProblem
	mu         sync.Mutex
	checks     int
}

func (c *checkingExec) Check(_ context.Context, r RunSpec) []CheckProblem {
	c.mu.Lock()
	c.checks++
	c.mu.Unlock()
	return c.problemsOf(r)
}

// TestPreflightPlacesProblems: every problem of every run is reported at once, each at the
// line of its task (plain or {name, steps}), corpus or method entry, once however many runs
// share it; each distinct run setting is checked once, seeds apart; nothing runs.
func TestPreflightPlacesProblems(t *testing.T) {
	text := strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks:\n  - cls-a\n  - {name: reg-a, steps: 3}", 1)
	sw := parseTest(t, text)
	exec := &checkingExec{fakeExec: newFake(), problemsOf: func(r RunSpec) []CheckProblem {
		var ps []CheckProblem
		if r.Task == "reg-a" {
			ps = append(ps, CheckProblem{PartTask, errors.New("data.jsonl:7: bad row")})
		}
		if r.Method.Name == "bitfit" {
			ps = append(ps, CheckProblem{PartMethod, errors.New("no biases")})
		}
		return append(ps, CheckProblem{PartCorpus, errors.New("corpus broken")})
	}}
	_, err := Run(context.Background(), sw, Options{Out: t.TempDir()}, exec)
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("error %v, want Problems", err)
	}
	want := []string{
		"sweep.yaml:7:25: corpus corpus-a: corpus broken",
		"sweep.yaml:10:12: task reg-a: data.jsonl:7: bad row",
		"sweep.yaml:16:5: bitfit: no biases",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
	// 2 tasks x 3 settings, the two seeds of a setting checked once.
	if exec.checks != 6 || len(exec.callCount()) != 0 {
		t.Errorf("%d checks, %d runs ran; want 6 checks and no run", exec.checks, len(exec.callCount()))
	}
	clean := &checkingExec{fakeExec: newFake(), problemsOf: func(RunSpec) []CheckProblem { return nil }}
	if _, err := Run(context.Background(), sw, Options{Out: t.TempDir()}, clean); err != nil || len(clean.callCount()) != 12 {
		t.Errorf("a sweep without problems: error %v, %d runs ran, want 12", err, len(clean.callCount()))
	}
}
