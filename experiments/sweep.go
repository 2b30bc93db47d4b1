package experiments

import (
	"gopkg.in/yaml.v3"

	"loralab/method"
	"loralab/model/arch"
)

// Sweep is a parsed and checked sweep file: one model (pretrained, or read from one or
// several folders), the tasks, the training settings, and the method settings to compare
// over several seeds. Expand turns it into runs.
type Sweep struct {
	File    string // the file it was read from, for messages
	Source  []byte // the file's bytes, copied into the results folder for reports
	Name    string // names the results folder: <out>/<name>/
	Version int

	Model    arch.Config // resolved from the preset and the explicit dimensions; no head
	Preset   string      // the preset the model started from, "" for explicit dimensions
	Pretrain Pretrain    // with model: {from: ...}, the first base's folder
	// Bases are the model folders of model: {from: ...}, in file order: one for from: DIR,
	// several for the base axis from: [DIR, ...], whose runs are repeated on each; none when
	// the sweep pretrains its base.
	Bases []BaseFolder
	// BaseAxis says from was a list: each run's axes name its base ("base").
	BaseAxis bool
	Data     Data
	Tasks    []string
	// TaskBudgets holds the tasks that give their own steps or epochs (tasks: entries
	// {name, steps} or {name, epochs}); their runs use it instead of Train's.
	TaskBudgets map[string]TaskBudget
	Train       Train // Train.LR is 0 here: each run's is resolved from LRs
	// LRs are the learning rates of train.lr by "default", method name ("lora") or family
	// ("adapter" for adapter_h/l/p/d, "prefix" for prefix_embed/layer); a method setting's
	// own lr wins. A list of several is a learning-rate search (see ChooseLR).
	LRs map[string][]float64
	// LRTuning is how a search runs its seeds: LRGrid (every lr on every seed) or
	// LRFirstSeed (every lr on the first seed, the other seeds at the chosen lr only).
	LRTuning string
	Methods  []MethodAxes
	Seeds    []int
	Threads  int // total threads when the command line does not say; 0 = all CPUs

	// Analysis is the sweep's analysis: section, kept as YAML for package analysis to decode.
	Analysis *yaml.Node

	// CacheDir is the data cache folder the content hashes of the sweep's files are
	// remembered in (ParseOptions.CacheDir; "" = datasets.DefaultCacheDir()).
	CacheDir string
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
	// From is the model folder (model: {from: DIR}); FromSHA256 is HashModelFolder of
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

	LR float64 `json:"lr"`
	// HeadLR is the learning rate of the task head, its own parameter group (0 = LR). It is
	// one value for the whole sweep, the same for every method.
	HeadLR         float64 `json:"head_lr,omitempty"`
	WarmupFraction float64 `json:"warmup_fraction"` // of the total steps; 0 when WarmupSteps is set
	WarmupSteps    int     `json:"warmup_steps"`
	Schedule       string  `json:"schedule"` // linear, cosine or constant (after warmup)
	WeightDecay    float64 `json:"weight_decay"`
	MaxGradNorm    float64 `json:"max_grad_norm"` // 0 = no clipping

	SeqLen         int     `json:"seq_len"`
	LabelSmoothing float64 `json:"label_smoothing"`
	EvalEvery      int     `json:"eval_every"` // steps between evaluations; 0 = at the end only
	// EvalLimit caps the validation examples of the periodic evaluations (0 = all); the
	// final validation and test scores use every example.
	EvalLimit int `json:"eval_limit,omitempty"`

	Generation Generation `json:"generation"`

	// SaveSteps are the steps after which the run keeps a copy of what it trained, for the
	// analyses of the update through training (analysis: amplification_steps).
	SaveSteps []int `json:"save_steps,omitempty"`
	// ForgettingTokens caps the held-out tokens of the base's pretraining text read before
	// and after fine-tuning to measure forgetting (a decoder predicts all of them, an
	// encoder the 15% it masks); 0 = not measured.
	ForgettingTokens int `json:"forgetting_tokens,omitempty"`
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
func (s *Sweep) Dims() method.Dims { return arch.DimsOf(s.Model) }
