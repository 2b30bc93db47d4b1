package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"loralab/analysis/merge"
	"loralab/train"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/analysis"
	"loralab/bench"
	"loralab/datasets"
	"loralab/experiments"
	"loralab/sweeprun"
)

// runSweep expands, runs and reports a sweep file.
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("runexp", "runexp [flags] SWEEP.yaml", stderr)
	out := fs.String("out", "results", "results root: the sweep writes OUT/<name>/")
	jobs := fs.Int("jobs", 0, "runs in parallel (threads are split among them; 0 = one per thread, as many as the free memory holds)")
	threads := fs.Int("threads", 0, "threads in all (0 = the sweep's threads, else every CPU)")
	shard := fs.String("shard", "", "run shard i of n, as i/n (default: SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/--shards)")
	shards := fs.Int("shards", 0, "shard count for JOB_COMPLETION_INDEX (Kubernetes indexed Jobs)")
	dry := fs.Bool("dry-run", false, "print the expanded runs with their parameter counts and run nothing")
	retry := fs.Bool("retry-failed", false, "run again the runs whose result says failed")
	noReuse := fs.Bool("no-reuse", false, "train every run here, even one that another sweep under --out has finished (same run id)")
	cache := fs.String("cache", "", "data and pretrained-model cache (default $LORALAB_DATA or ~/.cache/loralab)")
	noReport := fs.Bool("no-report", false, "do not write the report when the runs are done")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole sweep to this file (go tool pprof reads it)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("want one sweep file, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	}
	if *jobs < 0 {
		return fmt.Errorf("--jobs %d: want at least 1, or 0 for a default from the cores and free memory", *jobs)
	}
	if *threads < 0 {
		return fmt.Errorf("--threads %d: want 0 (the sweep's threads, else every CPU) or more", *threads)
	}
	if *shards < 0 {
		return fmt.Errorf("--shards %d: want 0 (not set) or more", *shards)
	}
	path := pos[0]
	if kind, err := studyKind(path); err != nil {
		return err
	} else if kind == bench.LatencyStudyKind {
		return runLatencyStudy(ctx, path, *out, *threads, *dry, stdout, stderr)
	}
	sw, err := loadSweep(path, *cache)
	if err != nil {
		return err
	}
	sh, err := pickShard(*shard, *shards)
	if err != nil {
		return err
	}
	if *threads == 0 && sw.Threads == 0 {
		*threads = runtime.NumCPU()
	}
	if *jobs == 0 {
		t := *threads
		if t == 0 {
			t = sw.Threads
		}
		*jobs = train.DefaultJobs(t, availableMemory(), train.RunMemory(sw.Model, sw.Train.Batch, sw.Train.SeqLen))
	}
	opts := experiments.Options{Out: *out, Jobs: *jobs, Threads: *threads, Shard: sh, DryRun: *dry,
		RetryFailed: *retry, NoReuse: *noReuse, Progress: stderr}
	if !*noReport {
		command := "runexp " + strings.Join(args, " ")
		opts.Report = func(_ context.Context, dir string) error { return report(dir, sw, command, stdout) }
	}
	sum, err := experiments.Run(ctx, sw, opts, sweeprun.NewExecutor(*cache))
	if *dry {
		return err
	}
	fmt.Fprintf(stderr, "sweep %s: %d runs, %d in this shard: %d done, %d failed, %d ran now, %d reused from other sweeps, %d held by other workers\n",
		sw.Name, sum.Total, sum.Selected, sum.Done, sum.Failed, sum.Ran, sum.Reused, sum.Claimed)
	for _, f := range sum.Failures {
		fmt.Fprintln(stderr, "  failed:", f)
	}
	skipped := sum.Failed - len(sum.Failures)
	if skipped > 0 {
		fmt.Fprintf(stderr, "  %d failed runs of an earlier invocation were skipped: add --retry-failed to run them again (runexp status %s says why they failed)\n",
			skipped, sum.Dir)
	}
	if sum.Waiting > 0 {
		fmt.Fprintf(stderr, "  %d learning-rate searches wait for first-seed runs of other workers: run again to run their other seeds\n", sum.Waiting)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%w: the finished runs are kept in %s; run the same command again to finish", context.Cause(ctx), sum.Dir)
	}
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return errRunsFailed{failed: sum.Failed, skipped: skipped}
	}
	return nil
}

// startCPUProfile starts a CPU profile written to path; stop ends it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// loadSweep reads a sweep file, checking its analysis section too; the content hashes of the
// files it reads are remembered in cacheDir ("" = the default data cache).
func loadSweep(path, cacheDir string) (*experiments.Sweep, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return experiments.Parse(path, data, experiments.ParseOptions{
		Tasks:    datasets.NewRegistry(datasets.Options{}).Names(),
		CacheDir: cacheDir,
		CheckAnalysis: func(section *yaml.Node) error {
			_, err := analysis.ParseSpecNode(section)
			return err
		}})
}

// pickShard reads the --shard flag, else the Slurm or Kubernetes environment.
func pickShard(flagValue string, count int) (experiments.Shard, error) {
	if flagValue != "" {
		return experiments.ParseShard(flagValue)
	}
	s, _, err := experiments.ShardFromEnv(os.Getenv, count)
	return s, err
}

// analysisSpec decodes the sweep's analysis section (the default analysis when absent).
func analysisSpec(sw *experiments.Sweep) (analysis.Spec, error) {
	return analysis.ParseSpecNode(sw.Analysis)
}

// report writes the tables, figures and report.md of a sweep folder; command is quoted in
// report.md as what produced it.
func report(dir string, sw *experiments.Sweep, command string, stdout io.Writer) error {
	spec, err := analysisSpec(sw)
	if err != nil {
		return err
	}
	runs, err := sw.Expand()
	if err != nil {
		return err
	}
	_, err = analysis.WriteReport(dir, spec, analysis.Options{Out: stdout, Command: command, Expected: sw.PlannedRuns(runs), Merge: merge.Matrices})
	return err
}

// runReport reports a sweep folder from the copy of the sweep file it holds.
func runReport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "runexp report DIR", stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("report: want one sweep folder, got %d arguments", len(pos))
	}
	dir := pos[0]
	sw, err := loadSweep(filepath.Join(dir, experiments.SweepFile), "")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return report(dir, sw, "", stdout) // "": keep the command report.md quotes
}

// runStatus says which runs of a sweep folder are done, failed, running or missing.
func runStatus(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", "runexp status DIR", stderr)
	verbose := fs.Bool("v", false, "list every run, not only the failed and running ones")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("status: want one sweep folder, got %d arguments", len(pos))
	}
	rep, err := experiments.Status(pos[0])
	if err != nil {
		return err
	}
	for _, r := range rep.Runs {
		if *verbose || r.State == experiments.StateFailed || r.State == experiments.StateRunning {
			line := fmt.Sprintf("%-8s %s %s", r.State, r.ID, r.Label)
			if r.Reason != "" {
				line += ": " + r.Reason
			}
			fmt.Fprintln(stdout, line)
		}
	}
	fmt.Fprintf(stdout, "%s: %d runs: %d done, %d failed, %d running, %d missing\n",
		rep.Dir, len(rep.Runs), rep.Done, rep.Failed, rep.Running, rep.Missing)
	return nil
}
