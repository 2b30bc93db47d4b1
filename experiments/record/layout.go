package record

import (
	"fmt"
	"path/filepath"
)

// Forgetting is recorded in a run's result under the metrics key ForgettingSplit: the
// held-out pretraining loss (mean NLL in nats; masked-LM for an encoder, next-token for a
// decoder) of the base, of the model with the method applied before any step, and of the
// fine-tuned model, on the same held-out tokens.
const (
	ForgettingSplit = "heldout"
	NLLBase         = "nll_base"  // the base model
	NLLStep0        = "nll_step0" // the method applied, untrained: differs from the base for methods that do not start as the identity
	NLLAfter        = "nll"       // after fine-tuning, with the parameters the run kept
	NLLTokens       = "tokens"    // predicted tokens scored
)

// CheckpointFile is where a run keeps what it trained (method tensors and head).
const CheckpointFile = "checkpoint.safetensors"

// CheckpointsDir is the folder of a run that holds the copies kept during training
// (train.save_steps), one subfolder per step (StepDir).
const CheckpointsDir = "checkpoints"

// StepDir is the folder, relative to the run folder, of the copy kept after step: it holds
// the checkpoint and what the executor's Export writes (a LoRA adapter), like the run
// folder itself.
func StepDir(step int) string { return filepath.Join(CheckpointsDir, fmt.Sprintf("step-%06d", step)) }
