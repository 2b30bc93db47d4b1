// Package record defines what one training run leaves behind — result.json and the lines of
// metrics.jsonl — and writes them so that a crash never leaves a half-written file.
//
// It is a leaf package: the sweep runner writes records, analysis and reports read them.
package record

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"loralab/internal/atomicfile"
	"loralab/internal/jsonpos"
)

// Run statuses.
const (
	StatusDone   = "done"
	StatusFailed = "failed"
)

// File names inside a run folder.
const (
	ResultFile  = "result.json"
	ConfigFile  = "config.json"
	MetricsFile = "metrics.jsonl"
	// AdapterFile holds the trained tensors of a LoRA run in PEFT's layout
	// (base_model.model.<module>.lora_A.weight [r,in], ...lora_B.weight [out,r]).
	AdapterFile = "adapter_model.safetensors"
)

// Result is result.json: written last, atomically, when a run ends (done or failed).
type Result struct {
	RunID  string `json:"run_id"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"` // why a failed run failed

	Sweep   string         `json:"sweep"`
	Method  string         `json:"method"`  // method name, e.g. "lora"
	Setting string         `json:"setting"` // label of the method setting, e.g. "lora r=8 q,v"
	Axes    map[string]any `json:"axes"`    // the swept values of this run, e.g. {"rank": 8}
	Task    string         `json:"task"`
	Seed    int            `json:"seed"`
	Config  map[string]any `json:"config"` // the fully resolved run config

	TrainableParams    int `json:"trainable_params"`     // count of the actual trainable tensors
	PaperFormulaParams int `json:"paper_formula_params"` // count by the paper's formula
	HeadParams         int `json:"head_params"`          // classifier head, counted apart

	MainMetric string                        `json:"main_metric"`
	Metrics    map[string]map[string]float64 `json:"metrics"` // split ("validation", "test") -> metric -> value
	BestStep   int                           `json:"best_step"`
	// Predicted is, per split, how many predictions fell in each class (classification):
	// a run with one non-zero count collapsed to a constant class (see Collapsed).
	Predicted map[string][]int `json:"predicted,omitempty"`
	// Chance is, per split, the metrics of a model that ignores its input: the training
	// split's majority class (classification), mean target (regression) or most frequent
	// reference (generation). It is the control row of the tables.
	Chance map[string]map[string]float64 `json:"chance,omitempty"`

	TrainSeconds    float64    `json:"train_seconds"`
	TokensPerSecond float64    `json:"tokens_per_s"`
	MemoryBytes     int64      `json:"memory_bytes,omitempty"` // the run's tensors, optimizer and tape at their largest (train.Outcome)
	CheckpointBytes int64      `json:"checkpoint_bytes"`
	Provenance      Provenance `json:"provenance"`
	// ReusedFrom is the run folder of another sweep that trained this run, when this sweep
	// adopted its result instead of training it again (same run id); Provenance is that
	// run's.
	ReusedFrom string `json:"reused_from,omitempty"`
}

// Provenance says what code and machine produced a result.
type Provenance struct {
	GitCommit string `json:"git_commit"`
	GitDirty  bool   `json:"git_dirty"`
	GoVersion string `json:"go_version"`
	Host      string `json:"host"`
	Threads   int    `json:"threads"`
	Started   string `json:"started"` // RFC 3339
}

// Point is one line of metrics.jsonl: the training loss at a step, and evaluation metrics
// when the step evaluated.
type Point struct {
	Step    int                `json:"step"`
	Loss    float64            `json:"loss"`
	LR      float64            `json:"lr,omitempty"`
	Split   string             `json:"split,omitempty"`
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// WriteJSON writes v as indented JSON to path atomically: a temp file in the same folder,
// synced, then renamed over path.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("record: encode %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(data, '\n'))
}

// WriteFileAtomic writes data to path via a temp file and rename.
func WriteFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("record: write %s: %w", path, err)
	}
	return nil
}

// ReadResult reads the result.json of the run folder dir.
func ReadResult(dir string) (Result, error) {
	var r Result
	path := filepath.Join(dir, ResultFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return r, fmt.Errorf("record: %w", err)
	}
	if err := jsonpos.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("record: %s: %w", path, err)
	}
	return r, nil
}

// Main returns the main metric on a split, and whether it is there.
func (r Result) Main(split string) (float64, bool) {
	v, ok := r.Metrics[split][r.MainMetric]
	return v, ok
}

// Collapsed says whether the run's predictions on split all fell in one class, and which;
// false when the split has no recorded prediction counts.
func (r Result) Collapsed(split string) (class int, collapsed bool) {
	counts := r.Predicted[split]
	nonzero := 0
	for c, n := range counts {
		if n > 0 {
			class, nonzero = c, nonzero+1
		}
	}
	return class, len(counts) > 1 && nonzero == 1
}
