package experiments

import (
	"gopkg.in/yaml.v3"

	"loralab/method"
	"loralab/model"
)

// Sweep is a parsed and checked sweep file: one model, its pretraining, the tasks, the
// training settings, and the method settings to compare over several seeds. Expand turns it
// into runs.
type Sweep struct {
	File    string // the file it was read from, for messages
	Source  []byte // the file's bytes, copied into the results folder for reports
	Name    string // names the results folder: <out>/<name>/
	Version int

	Model    model.Config // resolved from the preset and the explicit dimensions; no head
	Preset   string       // the preset the model started from, "" for explicit dimensions
	Pretrain Pretrain
	Data     Data
	Tasks    []string
	Train    Train // Train.LR is the default learning rate
	// LRByFamily overrides Train.LR per method name ("lora") or family ("adapter" for
	// adapter_h/l/p/d, "prefix" for prefix_embed/layer); a method setting's own lr wins.
	LRByFamily map[string]float64
	Methods    []MethodAxes
	Seeds      []int
	Threads    int // total threads when the command line does not say; 0 = all CPUs

	// Analysis is the sweep's analysis: section, kept as YAML for package analysis to decode.
	Analysis *yaml.Node
}

// Pretrain says how the base model is pretrained: masked-LM for an encoder, causal LM for a
// decoder, on a corpus task; or, with From set, which model folder it is read from instead.
// Runs with the same model, pretraining and data seed share one base (RunSpec.PretrainKey).
type Pretrain struct {
	Corpus string  `json:"corpus"`
	Steps  int     `json:"steps"`
	Batch  int     `json:"batch"`
	SeqLen int     `json:"seq_len"`
	LR     float64 `json:"lr"`
	Seed   int     `json:"seed"`
	// From is the model folder (model: {from: DIR}); FromSHA256 is model.FolderDigest of
	// its contents. The digest, not the path, is part of run ids: the same base copied
	// elsewhere gives the same runs, and a changed base different ones.
	From       string `json:"-"`
	FromSHA256 string `json:"from_sha256,omitempty"`
}

// Data fixes how the tasks' data is built: the seed of the embedded data and the splits, and
// the caps on split sizes (0 = the task's default cap, -1 = everything).
type Data struct {
	Seed          int `json:"seed"`
	MaxTrain      int `json:"max_train"`
	MaxValidation int `json:"max_validation"`
	MaxTest       int `json:"max_test"`
}

// Train holds the fine-tuning settings of one run.
type Train struct {
	Steps      int `json:"steps"`  // optimizer steps; 0 when Epochs is set
	Epochs     int `json:"epochs"` // passes over the training split; 0 when Steps is set
	Batch      int `json:"batch"`
	MicroBatch int `json:"micro_batch"` // gradient accumulation: Batch/MicroBatch micro-steps per step

	LR             float64 `json:"lr"`
	WarmupFraction float64 `json:"warmup_fraction"` // of the total steps; 0 when WarmupSteps is set
	WarmupSteps    int     `json:"warmup_steps"`
	Schedule       string  `json:"schedule"` // linear, cosine or constant (after warmup)
	WeightDecay    float64 `json:"weight_decay"`
	MaxGradNorm    float64 `json:"max_grad_norm"` // 0 = no clipping

	SeqLen         int     `json:"seq_len"`
	LabelSmoothing float64 `json:"label_smoothing"`
	EvalEvery      int     `json:"eval_every"` // steps between evaluations; 0 = at the end only

	Generation Generation `json:"generation"`
}

// Generation holds the decoding settings of generation tasks (the paper: beam 10, length
// penalty 0.9, no-repeat-ngram 4).
type Generation struct {
	Beam          int     `json:"beam"`
	LengthPenalty float64 `json:"length_penalty"`
	NoRepeatNgram int     `json:"no_repeat_ngram"`
	MaxNewTokens  int     `json:"max_new_tokens"`
}

// MethodAxes is one entry of the methods: list: a method name and, for each of its fields, one
// value or a list of values to sweep. It expands to the cartesian product of its axes.
type MethodAxes struct {
	Name string
	Axes []Axis // in file order; the last varies fastest
	line int    // position of the entry, for problems found after expansion
	col  int
}

// Axis is one field of a method entry and the values it takes.
type Axis struct {
	Key    string
	Values []any // int, float64, string, []string or []int, by key
	swept  bool  // written as a list of values
	lines  []int // position of each value
	cols   []int
}

// Dims are the dimensions the paper's parameter formulas need for this sweep's model.
func (s *Sweep) Dims() method.Dims { return method.DimsOf(s.Model) }
