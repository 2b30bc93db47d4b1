package experiments

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loralab/experiments/record"
)

// testTasks are the task names the tests' sweeps may use.
var testTasks = []string{"corpus-a", "cls-a", "cls-b", "reg-a"}

// baseSweep is a valid sweep the tests vary; 2 tasks x (2 LoRA ranks + BitFit) x 2 seeds.
const baseSweep = `name: t
version: 1
model:
  arch: encoder
  preset: tiny
  vocab: 512
  pretraining: {corpus: corpus-a, steps: 10}
tasks: [cls-a, reg-a]
train:
  steps: 5
  lr: {default: 1e-3, lora: 2e-3}
methods:
  - {name: lora, rank: [2, 4], targets: [q, v]}
  - {name: bitfit}
seeds: [1, 2]
`

// parseTest parses a sweep held in a string against testTasks.
func parseTest(t *testing.T, text string) *Sweep {
	t.Helper()
	sw, err := Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks})
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	return sw
}

// fakeExec is an executor whose behaviour the tests control. It reports a few training steps
// whose losses, and a test accuracy, depend only on the run's config, so equal configs give
// equal files.
type fakeExec struct {
	mu    sync.Mutex
	calls map[string]int // run id -> times run
	// behave picks what a run does: "" succeeds; "error", "panic", "nan" fail that way;
	// "block" waits for cancellation.
	behave func(run RunSpec) string
	// afterStep, when set, is called after each reported step (to cancel mid-sweep).
	afterStep func(run RunSpec, step int)
	steps     int
}

func newFake() *fakeExec { return &fakeExec{calls: map[string]int{}, steps: 4} }

// checkEachRanOnce requires every run the fake executed to have been executed exactly once.
func checkEachRanOnce(t *testing.T, f *fakeExec) {
	t.Helper()
	for id, n := range f.callCount() {
		if n != 1 {
			t.Errorf("run %s ran %d times, want once", id, n)
		}
	}
}

func (f *fakeExec) Run(ctx context.Context, run RunSpec, dir string, report func(Progress)) (record.Result, error) {
	f.mu.Lock()
	f.calls[run.ID]++
	f.mu.Unlock()
	what := ""
	if f.behave != nil {
		what = f.behave(run)
	}
	base := float64(run.Seed) + float64(run.Method.Rank)/10
	for step := 1; step <= f.steps; step++ {
		if err := ctx.Err(); err != nil {
			return record.Result{}, err
		}
		loss := base / float64(step)
		if what == "nan" && step == 2 {
			loss = math.NaN()
		}
		report(Progress{Phase: PhaseTrain, Step: step, Total: f.steps, Loss: loss, LR: run.Train.LR})
		if f.afterStep != nil {
			f.afterStep(run, step)
		}
	}
	switch what {
	case "error":
		return record.Result{}, errors.New("out of data")
	case "panic":
		panic("index out of range")
	case "block":
		<-ctx.Done()
		return record.Result{}, ctx.Err()
	}
	acc := 0.5 + base/100
	report(Progress{Phase: PhaseEval, Step: f.steps, Split: "test", Metrics: map[string]float64{"accuracy": acc}})
	return record.Result{
		MainMetric: "accuracy", Metrics: map[string]map[string]float64{"test": {"accuracy": acc}},
		TrainableParams: run.PaperParams, BestStep: f.steps, TrainSeconds: 1.5,
		Config: map[string]any{"base": "bases/" + run.PretrainKey(), "seed": -1},
	}, nil
}

// callCount returns how many times each run ran.
func (f *fakeExec) callCount() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

// fixedNow makes result timestamps reproducible.
func fixedNow() time.Time { return time.Date(2021, 6, 17, 12, 0, 0, 0, time.UTC) }

// readTree returns every file under root by relative path, with its content.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// diffTrees reports the files that differ between two trees.
func diffTrees(a, b map[string]string) string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok {
			out = append(out, "only in first: "+k)
		} else if v != w {
			out = append(out, fmt.Sprintf("differs: %s\n%s\n---\n%s", k, v, w))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "only in second: "+k)
		}
	}
	return strings.Join(out, "\n")
}

// syncWriter serialises writes to a builder that the display writes from its own goroutine.
type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
