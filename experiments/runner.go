package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"loralab/experiments/record"
)

// Files of a sweep folder besides the run folders.
const (
	PlanFile  = "plan.json"  // the expanded runs, for Status and reports
	SweepFile = "sweep.yaml" // a copy of the sweep file, for reports
	RunsDir   = "runs"
)

// Options control Run.
type Options struct {
	Out         string // results root; the sweep writes <Out>/<name>/. "" means "results"
	Jobs        int    // runs in parallel; 0 means 1
	Threads     int    // threads shared by the jobs; 0 means the sweep's threads, else all CPUs
	Shard       Shard  // which runs this worker takes; the zero Shard takes all
	DryRun      bool   // list the runs and their parameter counts, run nothing
	RetryFailed bool   // run again the runs whose result says failed
	// NoReuse trains every run here; by default a run that another sweep folder of Out has
	// finished (the same run id) is adopted from it (see reuse.go).
	NoReuse  bool
	Progress io.Writer // live progress and the dry-run listing; nil means none

	// Report is called on the sweep folder when every selected run has ended (not after a
	// cancellation or a dry run): the place for analysis.Report.
	Report func(ctx context.Context, sweepDir string) error

	// StaleClaim is how long a run claimed by a silent worker waits before another takes it
	// over; 0 means 2 minutes. LogEvery spaces the plain progress lines; 0 means 5 seconds.
	StaleClaim time.Duration
	LogEvery   time.Duration
	// Now stamps the results; nil means time.Now. Tests fix it to compare files byte for byte.
	Now func() time.Time
}

// Summary says what one Run did.
type Summary struct {
	Dir      string // the sweep folder
	Total    int    // runs in the sweep
	Selected int    // runs in this shard
	Ran      int    // runs executed now (done or failed)
	Reused   int    // runs adopted now from another sweep folder of the results root
	Done     int    // runs of the shard done, now or before
	Failed   int    // runs of the shard failed, now or before and not retried
	Claimed  int    // runs left to other workers that hold them
	// Waiting counts the learning-rate searches (LRFirstSeed) whose first-seed runs have not
	// all ended, here or on other workers: their other seeds run when the sweep is run again.
	Waiting   int
	Cancelled int      // runs stopped or never started because of cancellation
	Failures  []string // "id label: reason" of the runs that failed now
}

// Run runs the sweep: it expands it, checks the shard's runs (Preflight: any problem and
// nothing starts), writes the plan, and executes the runs of the shard that are not done
// yet, Jobs at a time. A run that fails (error, panic, non-finite loss) is
// recorded as failed and the sweep goes on. When ctx is cancelled the running jobs are
// cancelled, no result is written for them, and Run returns ctx's error; the runs already done
// are kept, so running the sweep again finishes it.
func Run(ctx context.Context, sw *Sweep, opts Options, exec Executor) (Summary, error) {
	opts = opts.withDefaults(sw)
	runs, err := sw.Expand()
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Dir: filepath.Join(opts.Out, sw.Name), Total: len(runs)}
	if opts.DryRun {
		sum.Selected = len(opts.Shard.Select(runs))
		return sum, DryRun(ctx, opts.Progress, sw, opts.Shard, exec)
	}
	if err := Preflight(ctx, sw, opts.Shard.Select(runs), exec); err != nil {
		return sum, err
	}
	ph := sw.lrPhases(runs)
	planned := runs
	if ph != nil {
		sum.Total = ph.total(len(sw.Seeds))
		planned, _ = ph.planned(sum.Dir)
	}
	r := &runner{opts: opts, exec: exec, dir: sum.Dir, sweep: sw, prov: provenance(), sum: &sum}
	var done []RunSpec
	for {
		more := newRuns(planned, done)
		if len(more) == 0 {
			break
		}
		if err := writeSweepFolder(sum.Dir, sw, planned); err != nil {
			return sum, err
		}
		selected := opts.Shard.Select(more)
		sum.Selected += len(selected)
		r.runPhase(ctx, sum.pending(selected, opts.RetryFailed))
		done = planned
		if ph == nil || ctx.Err() != nil {
			break
		}
		planned, sum.Waiting = ph.planned(sum.Dir)
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("sweep %s cancelled (%d runs done, %d not finished): %w", sw.Name, sum.Done, sum.Cancelled, err)
	}
	if opts.Report != nil {
		if err := opts.Report(ctx, sum.Dir); err != nil {
			return sum, fmt.Errorf("report %s: %w", sum.Dir, err)
		}
	}
	return sum, nil
}

// runPhase executes pending runs with their own progress display.
func (r *runner) runPhase(ctx context.Context, todo []RunSpec) {
	r.display = newDisplay(r.opts.Progress, r.opts.LogEvery, len(todo))
	r.runAll(ctx, todo)
	r.display.close()
}

// newRuns are the runs of planned that are not in before (both in sweep order).
func newRuns(planned, before []RunSpec) []RunSpec {
	seen := map[string]bool{}
	for _, r := range before {
		seen[r.ID] = true
	}
	var out []RunSpec
	for _, r := range planned {
		if !seen[r.ID] {
			out = append(out, r)
		}
	}
	return out
}

// withDefaults fills the zero options.
func (o Options) withDefaults(sw *Sweep) Options {
	if o.Out == "" {
		o.Out = "results"
	}
	o.Jobs = max(o.Jobs, 1)
	if o.Threads <= 0 {
		o.Threads = sw.Threads
	}
	if o.Threads <= 0 {
		o.Threads = runtime.NumCPU()
	}
	if o.StaleClaim <= 0 {
		o.StaleClaim = defaultStaleClaim
	}
	if o.LogEvery <= 0 {
		o.LogEvery = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// writeSweepFolder creates the sweep folder and writes the plan and a copy of the sweep file.
// Every worker of a sharded sweep writes the same bytes, atomically.
func writeSweepFolder(dir string, sw *Sweep, runs []RunSpec) error {
	if err := os.MkdirAll(filepath.Join(dir, RunsDir), 0o755); err != nil {
		return fmt.Errorf("sweep folder: %w", err)
	}
	if err := record.WriteJSON(filepath.Join(dir, PlanFile), newPlan(sw, runs)); err != nil {
		return err
	}
	if len(sw.Source) > 0 {
		return record.WriteFileAtomic(filepath.Join(dir, SweepFile), sw.Source)
	}
	return nil
}

// pending counts the runs already ended and returns those left to run.
func (s *Summary) pending(selected []RunSpec, retryFailed bool) []RunSpec {
	var todo []RunSpec
	for _, run := range selected {
		res, err := record.ReadResult(runDir(s.Dir, run.ID))
		switch {
		case err == nil && res.Status == record.StatusDone:
			s.Done++
		case err == nil && res.Status == record.StatusFailed && !retryFailed:
			s.Failed++
		default:
			todo = append(todo, run)
		}
	}
	return todo
}

// runDir is the folder of one run.
func runDir(sweepDir, id string) string { return filepath.Join(sweepDir, RunsDir, id) }

// runner executes the pending runs of one Run call.
type runner struct {
	opts    Options
	exec    Executor
	dir     string
	sweep   *Sweep
	prov    record.Provenance
	display display

	mu  sync.Mutex // guards sum
	sum *Summary

	active atomic.Int32 // runs executing now, for their share of the threads (threadShare)
}

// threadShare is how many of threads a run on worker slot may use while active runs (its
// own included) execute on jobs workers: its fixed share (threads/jobs, the first
// threads%jobs slots one more) while every worker is busy, and an equal part of all the
// threads once some workers have nothing left to run, as at the end of a sweep or of a
// learning-rate search's first phase. The thread count changes no result.
func threadShare(threads, jobs, active, slot int) int {
	fixed := max(1, threads/jobs)
	if slot < threads%jobs {
		fixed++
	}
	if active < 1 || active >= jobs {
		return fixed
	}
	return max(fixed, threads/active)
}

// runAll executes the runs with opts.Jobs workers, each with its share of the threads.
func (r *runner) runAll(ctx context.Context, todo []RunSpec) {
	queue := make(chan RunSpec)
	var wg sync.WaitGroup
	for slot := range r.opts.Jobs {
		threads := threadShare(r.opts.Threads, r.opts.Jobs, r.opts.Jobs, slot)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for run := range queue {
				run.Threads = threads
				run.ThreadsNow = func() int {
					return threadShare(r.opts.Threads, r.opts.Jobs, int(r.active.Load()), slot)
				}
				r.active.Add(1)
				r.one(ctx, run)
				r.active.Add(-1)
			}
		}()
	}
	sent := 0
	for _, run := range todo {
		if ctx.Err() != nil {
			break
		}
		select {
		case queue <- run:
			sent++
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
	r.sum.Cancelled += len(todo) - sent
}

// outcome is how one run ended.
type outcome int

const (
	ended     outcome = iota // done or failed: result.json written
	reused                   // adopted from another sweep folder: result.json written
	claimed                  // another worker holds it
	already                  // another worker ended it before our claim: result.json is theirs
	cancelled                // the sweep was cancelled: no result written
)

// one executes one run and records its outcome in the summary.
func (r *runner) one(ctx context.Context, run RunSpec) {
	res, out, err := r.execute(ctx, run)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil: // the folder could not be written: the run did not happen
		r.sum.Failed++
		r.sum.Failures = append(r.sum.Failures, fmt.Sprintf("%s %s: %v", run.ID, run.Label(), err))
	case out == claimed:
		r.sum.Claimed++
	case out == cancelled:
		r.sum.Cancelled++
	case out == reused:
		r.sum.Reused++
		r.sum.Done++
	case out == already && res.Status == record.StatusDone:
		r.sum.Done++
	case out == already:
		r.sum.Failed++
	case res.Status == record.StatusDone:
		r.sum.Ran++
		r.sum.Done++
	default:
		r.sum.Ran++
		r.sum.Failed++
		r.sum.Failures = append(r.sum.Failures, fmt.Sprintf("%s %s: %s", run.ID, run.Label(), res.Reason))
	}
}

// execute claims the run's folder, prepares it, calls the executor and writes result.json.
func (r *runner) execute(ctx context.Context, run RunSpec) (record.Result, outcome, error) {
	dir := runDir(r.dir, run.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return record.Result{}, ended, fmt.Errorf("run folder: %w", err)
	}
	c, err := claimRun(dir, r.opts.StaleClaim, r.opts.Now())
	if errors.Is(err, errClaimed) {
		return record.Result{}, claimed, nil
	}
	if err != nil {
		return record.Result{}, ended, err
	}
	defer c.release()
	// Another worker may have finished the run between our look and our claim.
	if prev, err := record.ReadResult(dir); err == nil && (prev.Status == record.StatusDone || !r.opts.RetryFailed) {
		return prev, already, nil
	}
	if err := prepareRunDir(dir, run); err != nil {
		return record.Result{}, ended, err
	}
	if src := finishedElsewhere(r.opts.Out, r.dir, run.ID); src != "" && !r.opts.NoReuse {
		res, err := r.adopt(run, dir, src)
		if err != nil {
			return record.Result{}, ended, err
		}
		r.display.start(run).end("reused from " + src)
		return res, reused, nil
	}
	started := r.opts.Now()
	res, out, err := r.call(ctx, run, dir)
	if err != nil || out != ended {
		return res, out, err
	}
	r.fill(&res, run, started)
	if err := record.WriteJSON(filepath.Join(dir, record.ResultFile), res); err != nil {
		return res, ended, err
	}
	return res, ended, nil
}

// prepareRunDir clears what an interrupted attempt left and writes config.json.
func prepareRunDir(dir string, run RunSpec) error {
	for _, name := range []string{record.ResultFile, record.MetricsFile} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("clear run folder: %w", err)
		}
	}
	return record.WriteJSON(filepath.Join(dir, record.ConfigFile), run)
}
