package experiments

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"loralab/experiments/record"
	"loralab/method"
)

// runOpts are the options the runner tests share: a fixed clock and two jobs of one thread.
func runOpts(out string) Options {
	return Options{Out: out, Jobs: 2, Threads: 2, Now: fixedNow}
}

// TestRunWritesAndSkips runs a sweep, checks each run folder, and checks that a second Run
// runs nothing.
func TestRunWritesAndSkips(t *testing.T) {
	sw := parseTest(t, baseSweep)
	out := t.TempDir()
	exec := newFake()
	var progress bytes.Buffer
	opts := runOpts(out)
	opts.Progress = &progress
	var reported string
	opts.Report = func(_ context.Context, dir string) error { reported = dir; return nil }
	sum, err := Run(context.Background(), sw, opts, exec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 12 || sum.Ran != 12 || sum.Done != 12 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	if reported != filepath.Join(out, "t") {
		t.Errorf("report hook got %q", reported)
	}
	runs, _ := sw.Expand()
	for _, run := range runs {
		dir := runDir(sum.Dir, run.ID)
		res, err := record.ReadResult(dir)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != record.StatusDone || res.RunID != run.ID || res.Setting != run.Method.Label() ||
			res.Task != run.Task || res.Seed != run.Seed || res.PaperFormulaParams != run.PaperParams ||
			res.Provenance.Threads != 1 || res.Config["id"] != run.ID ||
			res.Config["base"] != "bases/"+run.PretrainKey() || res.Config["seed"] != float64(run.Seed) {
			t.Errorf("%s: result %+v", run.Label(), res)
		}
		metrics, _ := os.ReadFile(filepath.Join(dir, record.MetricsFile))
		if n := strings.Count(string(metrics), "\n"); n != exec.steps+1 {
			t.Errorf("%s: %d metrics lines, want %d", run.Label(), n, exec.steps+1)
		}
	}
	for name := range readTree(t, out) {
		if base := filepath.Base(name); strings.HasPrefix(base, ".") {
			t.Errorf("left behind %s", name)
		}
	}
	for _, want := range []string{"[1/12] start", "[12/12] done"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}

	again, err := Run(context.Background(), sw, runOpts(out), exec)
	if err != nil {
		t.Fatal(err)
	}
	if again.Ran != 0 || again.Done != 12 {
		t.Errorf("second run: %+v", again)
	}
	checkEachRanOnce(t, exec)
}

// TestRunFailures makes runs fail by error, panic and NaN loss: each is recorded as failed
// with its reason, the others finish, a re-run leaves them alone, and --retry-failed reruns
// exactly them.
func TestRunFailures(t *testing.T) {
	sw := parseTest(t, baseSweep)
	out := t.TempDir()
	exec := newFake()
	want := map[string]string{
		"cls-a lora r=2 q,v seed=2": "error",
		"cls-a lora r=4 q,v seed=1": "panic",
		"reg-a bitfit seed=2":       "nan",
	}
	exec.behave = func(r RunSpec) string { return want[r.Label()] }
	sum, err := Run(context.Background(), sw, runOpts(out), exec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 9 || sum.Failed != 3 || len(sum.Failures) != 3 {
		t.Fatalf("summary %+v", sum)
	}
	reasons := map[string]string{"error": "out of data", "panic": "panic: index out of range", "nan": "training loss is NaN at step 2"}
	runs, _ := sw.Expand()
	for _, run := range runs {
		res, err := record.ReadResult(runDir(sum.Dir, run.ID))
		if err != nil {
			t.Fatal(err)
		}
		how, failed := want[run.Label()]
		switch {
		case failed && (res.Status != record.StatusFailed || !strings.HasPrefix(res.Reason, reasons[how])):
			t.Errorf("%s: status %s reason %q, want failed: %s", run.Label(), res.Status, res.Reason, reasons[how])
		case !failed && res.Status != record.StatusDone:
			t.Errorf("%s: status %s (%s)", run.Label(), res.Status, res.Reason)
		}
	}

	exec.behave = nil
	if sum, _ = Run(context.Background(), sw, runOpts(out), exec); sum.Ran != 0 || sum.Failed != 3 {
		t.Errorf("re-run without retry: %+v", sum)
	}
	opts := runOpts(out)
	opts.RetryFailed = true
	if sum, _ = Run(context.Background(), sw, opts, exec); sum.Ran != 3 || sum.Done != 12 {
		t.Errorf("re-run with retry: %+v", sum)
	}
	calls := exec.callCount()
	for _, run := range runs {
		wantCalls := 1
		if _, failed := want[run.Label()]; failed {
			wantCalls = 2
		}
		if calls[run.ID] != wantCalls {
			t.Errorf("%s ran %d times, want %d", run.Label(), calls[run.ID], wantCalls)
		}
	}
}

// TestRunCancelAndResume cancels a sweep mid-way, checks nothing half-done is marked done,
// runs it again, and compares every file with an uninterrupted sweep.
func TestRunCancelAndResume(t *testing.T) {
	sw := parseTest(t, baseSweep)
	whole := t.TempDir()
	if _, err := Run(context.Background(), sw, runOpts(whole), newFake()); err != nil {
		t.Fatal(err)
	}

	resumed := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exec := newFake()
	var finishedSteps atomic.Int32
	exec.afterStep = func(_ RunSpec, step int) {
		if step == exec.steps && finishedSteps.Add(1) == 5 {
			cancel() // the fifth run to reach its last step stops the sweep
		}
	}
	sum, err := Run(ctx, sw, runOpts(resumed), exec)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sweep returned %v", err)
	}
	if sum.Done == 0 || sum.Cancelled == 0 || sum.Done+sum.Cancelled != 12 {
		t.Errorf("cancelled summary %+v", sum)
	}
	t.Logf("cancelled after %d runs done, %d cancelled", sum.Done, sum.Cancelled)
	st, err := Status(sum.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Done != sum.Done || st.Missing != 12-sum.Done || st.Running != 0 || st.Failed != 0 {
		t.Errorf("status after cancel: %+v", st)
	}
	doneBefore := map[string]bool{}
	for _, r := range st.Runs {
		doneBefore[r.ID] = r.State == StateDone
	}

	exec.afterStep = nil
	if _, err := Run(context.Background(), sw, runOpts(resumed), exec); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, whole), readTree(t, resumed)); d != "" {
		t.Errorf("resumed sweep differs from the uninterrupted one:\n%s", d)
	}
	for id, n := range exec.callCount() {
		if doneBefore[id] && n != 1 {
			t.Errorf("run %s was done before the cancel and ran %d times", id, n)
		}
	}
}

// TestRunDeterministicAcrossJobs checks that one job and three jobs write the same files.
func TestRunDeterministicAcrossJobs(t *testing.T) {
	sw := parseTest(t, baseSweep)
	one, three := t.TempDir(), t.TempDir()
	if _, err := Run(context.Background(), sw, Options{Out: one, Jobs: 1, Threads: 1, Now: fixedNow}, newFake()); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), sw, Options{Out: three, Jobs: 3, Threads: 3, Now: fixedNow}, newFake()); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, one), readTree(t, three)); d != "" {
		t.Errorf("files differ between 1 and 3 jobs:\n%s", d)
	}
}

// TestShardsCoverTheSweep runs a sweep as three shards into one folder: the shards are
// disjoint, their union is the sweep, and the folder equals an unsharded run's.
func TestShardsCoverTheSweep(t *testing.T) {
	sw := parseTest(t, baseSweep)
	runs, _ := sw.Expand()
	shared := t.TempDir()
	exec := newFake()
	owner := map[string]int{}
	for i := range 3 {
		shard := Shard{Index: i, Count: 3}
		for _, r := range shard.Select(runs) {
			if prev, dup := owner[r.ID]; dup {
				t.Errorf("run %s in shards %d and %d", r.ID, prev, i)
			}
			owner[r.ID] = i
		}
		opts := runOpts(shared)
		opts.Shard = shard
		if _, err := Run(context.Background(), sw, opts, exec); err != nil {
			t.Fatal(err)
		}
	}
	if len(owner) != len(runs) {
		t.Errorf("shards cover %d of %d runs", len(owner), len(runs))
	}
	whole := t.TempDir()
	if _, err := Run(context.Background(), sw, runOpts(whole), newFake()); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, whole), readTree(t, shared)); d != "" {
		t.Errorf("sharded folder differs:\n%s", d)
	}
	checkEachRanOnce(t, exec)
}

// TestConcurrentWorkersShareAFolder starts two workers on the same sweep and folder at once:
// their claims must keep any run from running twice.
func TestConcurrentWorkersShareAFolder(t *testing.T) {
	sw := parseTest(t, baseSweep)
	out := t.TempDir()
	exec := newFake()
	var wg sync.WaitGroup
	sums := make([]Summary, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if sums[w], err = Run(context.Background(), sw, runOpts(out), exec); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	checkEachRanOnce(t, exec)
	st, err := Status(filepath.Join(out, "t"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Done != 12 || sums[0].Ran+sums[1].Ran != 12 {
		t.Errorf("status %+v; summaries %+v", st, sums)
	}
}

// TestDryRunRunsNothing checks that a dry run lists the runs and writes no folder.
func TestDryRunRunsNothing(t *testing.T) {
	sw := parseTest(t, baseSweep)
	out := t.TempDir()
	exec := newFake()
	var listing bytes.Buffer
	opts := runOpts(out)
	opts.DryRun, opts.Progress, opts.Shard = true, &listing, Shard{Index: 1, Count: 2}
	sum, err := Run(context.Background(), sw, opts, exec)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Selected != 6 || len(exec.callCount()) != 0 || len(readTree(t, out)) != 0 {
		t.Errorf("dry run ran or wrote something: %+v", sum)
	}
	text := listing.String()
	if strings.Count(text, "\n") != 1+6+1 || !strings.Contains(text, "sweep t: 12 runs; shard 1/2: 6 runs") ||
		!strings.Contains(text, "cls-a  lora r=2 q,v  2     4096") {
		t.Errorf("dry run listing:\n%s", text)
	}
}

// countingFake is a fake executor that also counts parameters, failing for BitFit.
type countingFake struct{ *fakeExec }

func (c countingFake) Count(_ context.Context, run RunSpec) (method.Counts, error) {
	if run.Method.Name == method.BitFit {
		return method.Counts{}, errors.New("no biases")
	}
	return method.Counts{Trainable: run.PaperParams + 1, Paper: run.PaperParams, Head: 10}, nil
}

// TestDryRunCounts checks the actual-count columns of a Counter, and that a failing count
// leaves a ? in the listing and is returned after it.
func TestDryRunCounts(t *testing.T) {
	sw := parseTest(t, baseSweep)
	var listing strings.Builder
	err := DryRun(context.Background(), &listing, sw, Shard{}, countingFake{newFake()})
	if err == nil || !strings.Contains(err.Error(), "cls-a bitfit seed=1: no biases") {
		t.Errorf("error %v, want the first failed count", err)
	}
	text := listing.String()
	for _, want := range []string{"params (actual)  head", "4096            4097             10", "?                ?", "sweep t: 12 runs"} {
		if !strings.Contains(text, want) {
			t.Errorf("listing lacks %q:\n%s", want, text)
		}
	}
}

// TestThreadShare: a run keeps its fixed share of the threads while every worker is busy,
// and the idle workers' threads are split among the runs left.
func TestThreadShare(t *testing.T) {
	for _, c := range []struct {
		threads, jobs, active, slot, want int
	}{
		{2, 2, 2, 0, 1}, {2, 2, 2, 1, 1}, // both workers busy: one thread each
		{2, 2, 1, 0, 2}, {2, 2, 1, 1, 2}, // one run left: both threads
		{2, 2, 0, 1, 1},                  // no run counted (not started yet): the fixed share
		{3, 2, 2, 0, 2}, {3, 2, 2, 1, 1}, // the first slot takes the remainder
		{3, 2, 1, 1, 3},
		{8, 4, 2, 3, 4}, {8, 4, 3, 0, 2}, {8, 4, 4, 2, 2},
		{1, 1, 1, 0, 1}, {4, 1, 1, 0, 4},
		{2, 4, 1, 3, 2}, {2, 4, 3, 3, 1}, {2, 4, 3, 0, 2}, // more jobs than threads: at least one each
	} {
		if got := threadShare(c.threads, c.jobs, c.active, c.slot); got != c.want {
			t.Errorf("threadShare(threads %d, jobs %d, active %d, slot %d) = %d, want %d",
				c.threads, c.jobs, c.active, c.slot, got, c.want)
		}
	}
}

// TestLoneRunGetsAllThreads: a run that executes while the other workers have nothing to
// run may use every thread (RunSpec.ThreadsNow), though it started with its fixed share.
func TestLoneRunGetsAllThreads(t *testing.T) {
	sw := parseTest(t, strings.Replace(strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks: [cls-a]", 1),
		"seeds: [1, 2]", "seeds: [1]", 1))
	sw.Methods = sw.Methods[1:] // bitfit only: one run
	f := newFake()
	var fixed, now []int
	f.behave = func(run RunSpec) string {
		fixed = append(fixed, run.Threads)
		if run.ThreadsNow == nil {
			t.Error("RunSpec.ThreadsNow is not set")
			return ""
		}
		now = append(now, run.ThreadsNow())
		return ""
	}
	sum, err := Run(context.Background(), sw, Options{Out: t.TempDir(), Jobs: 2, Threads: 4, Now: fixedNow}, f)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Ran != 1 || !slices.Equal(fixed, []int{2}) || !slices.Equal(now, []int{4}) {
		t.Errorf("ran %d runs with fixed threads %v and threads now %v, want 1 run: [2] and [4]", sum.Ran, fixed, now)
	}
}
