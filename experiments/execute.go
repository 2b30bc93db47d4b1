package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"loralab/experiments/record"
)

// errNonFinite cancels a run whose training loss became NaN or infinite.
var errNonFinite = errors.New("non-finite training loss")

// call runs the executor on one run, writing metrics.jsonl from its reports, and turns what
// happened into a result: done, failed (error, panic, non-finite loss) or cancelled.
func (r *runner) call(ctx context.Context, run RunSpec, dir string) (record.Result, outcome, error) {
	metrics, err := os.OpenFile(filepath.Join(dir, record.MetricsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return record.Result{}, ended, fmt.Errorf("metrics: %w", err)
	}
	defer metrics.Close()

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	job := r.display.start(run)
	rep := &reporter{metrics: metrics, job: job, cancel: cancel}

	res, err := safeRun(runCtx, r.exec, run, dir, rep.report)
	if werr := rep.err(); werr != nil && err == nil {
		err = werr
	}
	switch {
	case rep.nonFinite != "":
		res = record.Result{Status: record.StatusFailed, Reason: rep.nonFinite}
	case err != nil && ctx.Err() != nil:
		job.end("cancelled")
		return record.Result{}, cancelled, nil
	case err != nil:
		res = record.Result{Status: record.StatusFailed, Reason: err.Error()}
	default:
		res.Status, res.Reason = record.StatusDone, ""
	}
	if res.Status == record.StatusDone {
		job.end("done")
	} else {
		job.end("failed: " + res.Reason)
	}
	return res, ended, nil
}

// safeRun calls the executor, turning a panic into an error.
func safeRun(ctx context.Context, exec Executor, run RunSpec, dir string, report func(Progress)) (res record.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return exec.Run(ctx, run, dir, report)
}

// reporter receives an executor's progress: it appends metrics.jsonl lines, feeds the display,
// and cancels the run at the first non-finite training loss.
type reporter struct {
	mu        sync.Mutex
	metrics   *os.File
	job       jobLine
	cancel    context.CancelCauseFunc
	nonFinite string
	writeErr  error
}

func (rp *reporter) report(p Progress) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.nonFinite != "" {
		return
	}
	if p.Phase == PhaseTrain && (math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0)) {
		rp.nonFinite = fmt.Sprintf("training loss is %g at step %d", p.Loss, p.Step)
		rp.cancel(errNonFinite)
		return
	}
	rp.job.update(p)
	if p.Phase != PhaseTrain && p.Phase != PhaseEval {
		return
	}
	pt := record.Point{Step: p.Step, Loss: p.Loss, LR: p.LR, Split: p.Split, Metrics: p.Metrics}
	line, err := json.Marshal(pt)
	if err == nil {
		_, err = rp.metrics.Write(append(line, '\n'))
	}
	if err != nil && rp.writeErr == nil {
		rp.writeErr = fmt.Errorf("metrics.jsonl: %w", err)
	}
}

func (rp *reporter) err() error {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.writeErr
}

// fill sets the bookkeeping fields of a result: identity, labels, resolved config (label) and
// provenance.
func (r *runner) fill(res *record.Result, run RunSpec, started time.Time) {
	r.label(res, run)
	res.Provenance = r.prov
	res.Provenance.Threads = run.Threads
	res.Provenance.Started = started.UTC().Format(time.RFC3339)
}

// label sets a result's identity, labels and resolved config from run. The executor's
// measurements (metrics, counts, timings) are kept, and so are the config entries it adds
// (such as "base", the path of the pretrained model) where the run's own config has no entry
// of that name.
func (r *runner) label(res *record.Result, run RunSpec) {
	res.RunID, res.Sweep, res.Task, res.Seed = run.ID, run.Sweep, run.Task, run.Seed
	res.Method, res.Setting, res.Axes = run.Method.Name, run.Method.Label(), run.Axes
	if res.PaperFormulaParams == 0 {
		res.PaperFormulaParams = run.PaperParams
	}
	added := res.Config
	res.Config = configMap(run)
	for k, v := range added {
		if _, taken := res.Config[k]; !taken {
			res.Config[k] = v
		}
	}
}

// configMap is the run's config.json as a generic map, as result.json embeds it.
func configMap(run RunSpec) map[string]any {
	data, err := json.Marshal(run)
	if err != nil {
		panic(fmt.Sprintf("experiments: run config does not encode: %v", err))
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		panic(fmt.Sprintf("experiments: run config does not decode: %v", err))
	}
	return m
}
