package experiments

import (
	"context"

	"loralab/experiments/record"
	"loralab/method"
)

// Executor trains and evaluates one run. The runner gives it the resolved RunSpec, the run's
// own folder (config.json already written) and a report function; the executor pretrains or
// loads the base model, applies the method, trains, evaluates and returns the result. The
// runner fills the bookkeeping fields of the result (id, status, labels, config, provenance)
// and writes result.json; it also writes metrics.jsonl from the reports.
//
// Run must return promptly with ctx.Err() when ctx is cancelled, and may write only inside
// dir (and in caches it locks itself, such as a shared pretrained model).
type Executor interface {
	Run(ctx context.Context, run RunSpec, dir string, report func(Progress)) (record.Result, error)
}

// Counter is implemented by executors that can count the actual trainable parameters of a run
// without training it; the dry run shows the count next to the paper's formula.
type Counter interface {
	Count(ctx context.Context, run RunSpec) (method.Counts, error)
}

// Phases of a run, as Progress reports them.
const (
	PhasePretrain = "pretrain" // building or loading the shared base model
	PhaseTrain    = "train"    // fine-tuning steps: Loss is the training loss
	PhaseEval     = "eval"     // an evaluation: Split and Metrics are set
)

// Progress is one report from a running executor. Reports of PhaseTrain and PhaseEval become
// lines of metrics.jsonl; a non-finite training loss fails the run.
type Progress struct {
	Phase       string
	Step, Total int // Total 0 when unknown
	Loss        float64
	LR          float64
	Split       string             // PhaseEval: "validation" or "test"
	Metrics     map[string]float64 // PhaseEval: metric name -> value
}
