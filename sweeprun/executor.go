package sweeprun

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"loralab/datasets"
	"loralab/experiments"
	"loralab/experiments/record"
	"loralab/method"
	"loralab/model"
	"loralab/train"
	"loralab/tuner"
)

// Executor runs one sweep run end to end — base model, task, method, fine-tuning,
// evaluation, checkpoint — for experiments.Run.
type Executor struct {
	Bases *Bases
	// NewMethod builds a method from its setting (tuner.New).
	NewMethod func(method.Spec) (tuner.Method, error)
	// Export, if not nil, writes method-specific artefacts into the run folder after
	// training (LoRA: the adapter in PEFT's layout, for the subspace analysis).
	Export func(meth tuner.Method, dir string) error

	mu         sync.Mutex
	tasks      map[string]*datasets.Task
	forgetting forgetting
	encodings  train.Encodings // the tasks encoded, shared by the runs
}

// NewExecutor returns an executor that caches data and base models under cacheDir ("" = the
// default cache folder).
func NewExecutor(cacheDir string) *Executor {
	return &Executor{Bases: NewBases(cacheDir), NewMethod: tuner.New, Export: tuner.ExportRun}
}

// task loads a task once per process for each data option.
func (e *Executor) task(ctx context.Context, name string, d experiments.Data) (*datasets.Task, error) {
	opts := datasets.Options{CacheDir: e.Bases.CacheDir, Seed: uint64(d.Seed), MaxTrain: d.MaxTrain,
		MaxValidation: d.MaxValidation, MaxTest: d.MaxTest}
	key := fmt.Sprintf("%s %+v", name, opts)
	e.mu.Lock()
	defer e.mu.Unlock()
	if t, ok := e.tasks[key]; ok {
		return t, nil
	}
	t, err := datasets.NewRegistry(opts).Load(ctx, name)
	if err != nil {
		return nil, err
	}
	if e.tasks == nil {
		e.tasks = map[string]*datasets.Task{}
	}
	e.tasks[key] = t
	return t, nil
}

// prepare builds the run's model with its method applied: base clone, task head, method.
func (e *Executor) prepare(ctx context.Context, run experiments.RunSpec, report func(experiments.Progress)) (*model.Model, tuner.Method, *datasets.Task, Base, error) {
	bc := BaseConfig{Model: run.Model, From: run.Pretrain.From, FromSHA256: run.Pretrain.FromSHA256, Corpus: run.Pretrain.Corpus, Steps: run.Pretrain.Steps, Batch: run.Pretrain.Batch,
		SeqLen: run.Pretrain.SeqLen, LR: run.Pretrain.LR, Seed: uint64(run.Pretrain.Seed), DataSeed: uint64(run.Data.Seed),
		Threads: max(run.Threads, 1)}
	base, err := e.Bases.Get(ctx, bc, func(step, total int, loss float64) {
		if report != nil {
			report(experiments.Progress{Phase: experiments.PhasePretrain, Step: step, Total: total, Loss: loss})
		}
	})
	if err != nil {
		return nil, nil, nil, Base{}, err
	}
	task, err := e.task(ctx, run.Task, run.Data)
	if err != nil {
		return nil, nil, nil, Base{}, err
	}
	m := base.Model.Share()
	if err := addHead(m, task, uint64(run.Seed)); err != nil {
		return nil, nil, nil, Base{}, err
	}
	meth, err := e.NewMethod(run.Method)
	if err != nil {
		return nil, nil, nil, Base{}, err
	}
	if err := meth.Apply(m, uint64(run.Seed)); err != nil {
		return nil, nil, nil, Base{}, fmt.Errorf("apply %s: %w", run.Method.Label(), err)
	}
	ownTrained(m)
	return m, meth, task, base, nil
}

// ownTrained gives every base tensor of the share m that its method trains its own copy of
// the values, so that training leaves the shared base as it is for the other runs; frozen
// tensors stay shared.
func ownTrained(m *model.Model) {
	for _, p := range m.Params() {
		if p.Trainable {
			p.Data = slices.Clone(p.Data)
		}
	}
}

// Count applies the run's method to a model of the run's shape and counts the parameters,
// without pretraining or training: counts do not depend on the weights, so a dry run on a
// cold cache stays quick.
func (e *Executor) Count(ctx context.Context, run experiments.RunSpec) (method.Counts, error) {
	task, err := e.task(ctx, run.Task, run.Data)
	if err != nil {
		return method.Counts{}, err
	}
	m, err := model.NewModel(run.Model, uint64(run.Seed))
	if err != nil {
		return method.Counts{}, err
	}
	if err := addHead(m, task, uint64(run.Seed)); err != nil {
		return method.Counts{}, err
	}
	meth, err := e.NewMethod(run.Method)
	if err != nil {
		return method.Counts{}, err
	}
	if err := meth.Apply(m, uint64(run.Seed)); err != nil {
		return method.Counts{}, fmt.Errorf("apply %s: %w", run.Method.Label(), err)
	}
	return tuner.Count(meth, m)
}

// Run trains and evaluates one run and saves what it trained into dir.
func (e *Executor) Run(ctx context.Context, run experiments.RunSpec, dir string, report func(experiments.Progress)) (record.Result, error) {
	var res record.Result
	m, meth, task, base, err := e.prepare(ctx, run, report)
	if err != nil {
		return res, err
	}
	counts, err := tuner.Count(meth, m)
	if err != nil {
		return res, err
	}
	cfg := trainConfig(run, len(task.Train))
	probe, err := e.forgetting.start(base, meth, m, run.Train.ForgettingTokens, cfg.Threads)
	if err != nil {
		return res, err
	}
	out, err := train.Finetune(ctx, train.Run{Model: m, Method: meth, Task: task, Tok: base.Tok, Cfg: cfg, Encodings: &e.encodings,
		Checkpoint: func(step int) error { return e.saveStep(dir, step, meth, m) },
		Log: func(p record.Point) {
			if report == nil {
				return
			}
			if p.Split == "" {
				report(experiments.Progress{Phase: experiments.PhaseTrain, Step: p.Step, Total: cfg.Steps, Loss: p.Loss, LR: p.LR})
			} else {
				report(experiments.Progress{Phase: experiments.PhaseEval, Step: p.Step, Total: cfg.Steps, Split: p.Split, Metrics: p.Metrics})
			}
		}})
	if err != nil {
		return res, err
	}
	if probe != nil {
		if out.Metrics[record.ForgettingSplit], err = probe.finish(m); err != nil {
			return res, err
		}
	}
	size, err := tuner.Save(filepath.Join(dir, record.CheckpointFile), meth, tuner.HeadParams(m))
	if err != nil {
		return res, err
	}
	if e.Export != nil {
		if err := e.Export(meth, dir); err != nil {
			return res, err
		}
	}
	res = record.Result{TrainableParams: counts.Trainable, PaperFormulaParams: counts.Paper, HeadParams: counts.Head,
		MainMetric: task.MainMetric, Metrics: out.Metrics, BestStep: out.BestStep, Predicted: out.Predicted, Chance: out.Chance, TrainSeconds: out.TrainSeconds,
		TokensPerSecond: out.TokensPerSecond, MemoryBytes: out.MemoryBytes, CheckpointBytes: size}
	if base.Dir != "" {
		// The analyses that compare the update with the base weights (amplification) find
		// W here, whatever folder the report is made in.
		weights, err := filepath.Abs(filepath.Join(base.Dir, model.WeightsFile))
		if err != nil {
			return res, fmt.Errorf("base weights: %w", err)
		}
		res.Config = map[string]any{"base": weights}
	}
	return res, nil
}

// trainConfig resolves the sweep's training settings for a task with n training examples.
func trainConfig(run experiments.RunSpec, n int) train.Config {
	t := run.Train
	steps := t.Steps
	if steps == 0 {
		steps = max(1, t.Epochs*((n+t.Batch-1)/t.Batch))
	}
	warmup := t.WarmupSteps
	if t.WarmupFraction > 0 {
		warmup = int(t.WarmupFraction * float64(steps))
	}
	return train.Config{Steps: steps, Batch: t.Batch, MicroBatch: t.MicroBatch, SeqLen: t.SeqLen, LR: t.LR, HeadLR: t.HeadLR,
		Warmup: min(warmup, steps), Schedule: t.Schedule, WeightDecay: t.WeightDecay, MaxGradNorm: t.MaxGradNorm,
		LabelSmoothing: t.LabelSmoothing, EvalEvery: t.EvalEvery, EvalLimit: t.EvalLimit, Beam: t.Generation.Beam,
		LengthPenalty: t.Generation.LengthPenalty, NoRepeatNgram: t.Generation.NoRepeatNgram,
		MaxNew: t.Generation.MaxNewTokens, SaveSteps: t.SaveSteps, Seed: uint64(run.Seed), Threads: max(run.Threads, 1),
		ThreadsNow: run.ThreadsNow}
}
