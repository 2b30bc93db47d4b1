// Package train fine-tunes a pretrained model with one method on one task — the shared
// training loop under which every method of the study is compared — and evaluates it.
//
// One loop serves all methods: it only sees a tuner.Method (what to train) and a
// datasets.Task (what to learn). Classification and regression train the encoder's head on
// the first token with cross-entropy or mean-squared error; generation trains the decoder's
// next-token loss on the reference and evaluates by beam search.
package train

import (
	"fmt"
	"math"
	"strings"
)

// Config sets one fine-tuning run. The zero value of an optional field takes the default
// written beside it.
type Config struct {
	Steps      int     `json:"steps"`       // optimizer steps
	Batch      int     `json:"batch"`       // examples per optimizer step
	MicroBatch int     `json:"micro_batch"` // examples per forward/backward; 0 = Batch (gradient accumulation when smaller)
	SeqLen     int     `json:"seq_len"`     // longest input in tokens (capped by the model's max_len)
	LR         float64 `json:"lr"`          // peak learning rate of the method's tensors
	// HeadLR is the peak learning rate of the task head, its own parameter group under the
	// same warmup and schedule; 0 = LR. One value for every method of a study, so that the
	// head, which every method trains, is not what differs between them.
	HeadLR float64 `json:"head_lr,omitempty"`
	// Warmup is the number of linear warmup steps; Schedule the decay after it
	// ("linear", "cosine" or "constant"; default linear).
	Warmup         int     `json:"warmup"`
	Schedule       string  `json:"schedule,omitempty"`
	WeightDecay    float64 `json:"weight_decay"`              // decoupled, on matrices only
	MaxGradNorm    float64 `json:"max_grad_norm"`             // global gradient-norm clip; 0 = none
	LabelSmoothing float64 `json:"label_smoothing,omitempty"` // cross-entropy losses
	EvalEvery      int     `json:"eval_every"`                // validation every n steps; 0 = at the end only
	// EvalLimit caps the validation examples scored at periodic evaluations (generation is
	// slow); the final validation and test scores use every example. 0 = no cap.
	EvalLimit int `json:"eval_limit,omitempty"`
	// Generation (decoder tasks): beam size, length penalty alpha, no-repeat n-gram size,
	// and the most tokens generated.
	Beam          int     `json:"beam,omitempty"`
	LengthPenalty float64 `json:"length_penalty,omitempty"`
	NoRepeatNgram int     `json:"no_repeat_ngram,omitempty"`
	MaxNew        int     `json:"max_new_tokens,omitempty"`

	// SaveSteps are the steps after which Run.Checkpoint is called, increasing, in [1, Steps].
	SaveSteps []int `json:"save_steps,omitempty"`

	Seed    uint64 `json:"seed"`
	Threads int    `json:"-"` // goroutines per op; not part of a run's identity
	// ThreadsNow, when set, is asked before every step how many goroutines the run may use
	// now (at least 1; it replaces Threads from then on): a sweep gives a run the cores
	// that its other jobs have left idle. Results do not depend on it.
	ThreadsNow func() int `json:"-"`
}

// Validate reports every impossible setting at once.
func (c Config) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if c.Steps < 1 {
		bad("steps = %d, want >= 1", c.Steps)
	}
	if c.Batch < 1 {
		bad("batch = %d, want >= 1", c.Batch)
	}
	if c.MicroBatch < 0 || c.MicroBatch > c.Batch {
		bad("micro_batch = %d, want 0 (= batch) or in [1, batch=%d]", c.MicroBatch, c.Batch)
	}
	if c.SeqLen < 4 {
		bad("seq_len = %d, want >= 4", c.SeqLen)
	}
	if !(c.LR > 0) {
		bad("lr = %g, want > 0", c.LR)
	}
	if c.HeadLR < 0 || math.IsNaN(c.HeadLR) {
		bad("head_lr = %g, want > 0 (or 0 = lr)", c.HeadLR)
	}
	if c.Warmup < 0 || c.Warmup > c.Steps {
		bad("warmup = %d, want in [0, steps=%d]", c.Warmup, c.Steps)
	}
	switch c.Schedule {
	case "", "linear", "cosine", "constant":
	default:
		bad("schedule %q, want linear, cosine or constant", c.Schedule)
	}
	if c.WeightDecay < 0 || c.MaxGradNorm < 0 || c.LabelSmoothing < 0 || c.LabelSmoothing >= 1 {
		bad("weight_decay %g, max_grad_norm %g, label_smoothing %g: want >= 0 (label smoothing < 1)", c.WeightDecay, c.MaxGradNorm, c.LabelSmoothing)
	}
	if c.EvalEvery < 0 || c.EvalLimit < 0 || c.Beam < 0 || c.NoRepeatNgram < 0 || c.MaxNew < 0 {
		bad("eval_every, eval_limit, beam, no_repeat_ngram and max_new_tokens must be >= 0")
	}
	for i, st := range c.SaveSteps {
		if st < 1 || st > c.Steps || i > 0 && st <= c.SaveSteps[i-1] {
			bad("save_steps %v: want increasing steps in [1, steps=%d]", c.SaveSteps, c.Steps)
			break
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("train config: %s", strings.Join(errs, "; "))
	}
	return nil
}

func (c Config) microBatch() int {
	if c.MicroBatch == 0 {
		return c.Batch
	}
	return c.MicroBatch
}

func (c Config) maxNew() int {
	if c.MaxNew == 0 {
		return 48
	}
	return c.MaxNew
}

// headLRScale is the head's learning rate as a multiple of LR, for its parameter groups.
func (c Config) headLRScale() float32 {
	if c.HeadLR == 0 {
		return 1
	}
	return float32(c.HeadLR / c.LR)
}
