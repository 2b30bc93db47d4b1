package experiments

import (
	"fmt"
	"time"

	"loralab/model/arch"
)

// Recipe is one pretraining run, as a recipe file describes it (LoadRecipe parses one;
// package pretrain runs it).
type Recipe struct {
	File   string // the recipe file, recorded in the stats
	Source []byte // its content, whose hash the stats record

	Model  arch.Config // NumLabels 0
	Preset string      // the preset Model started from, "" if none
	Corpus string      // a datasets corpus; only its train split is read
	// DataSeed is the datasets seed the corpus is built with: the tasks a base is later
	// fine-tuned on must use the same one, or their splits differ from those the corpus
	// kept out.
	DataSeed uint64

	Steps  int   // optimiser steps
	Tokens int64 // the token budget the steps were derived from, 0 if steps were given
	Batch  int   // windows per step
	SeqLen int   // tokens per window

	LR          float64 // peak learning rate: linear warmup, then cosine decay to zero
	Warmup      int     // warmup steps
	WeightDecay float64
	ClipNorm    float64
	Seed        uint64
	HeldOut     float64 // fraction of the documents held out for evaluation
	EvalTokens  int     // held-out tokens read per evaluation
	Threads     int     // goroutines per op; does not change the result

	EvalEvery       int           // steps between held-out evaluations
	CheckpointEvery time.Duration // wall time between saved training states
	Keep            []float64     // fractions of Steps at which to keep the model, in [0, 1)
	Out             string        // the output model folder
	FP16            bool          // store the output weights as F16
}

// StepsForTokens is the number of steps of batch windows of seqLen tokens that reads at
// least tokens tokens.
func StepsForTokens(tokens int64, batch, seqLen int) int {
	per := int64(batch) * int64(seqLen)
	return int((tokens + per - 1) / per)
}

// KeepSteps maps each kept fraction to its step, the fraction rounded to the nearest step.
func (r Recipe) KeepSteps() map[int]float64 {
	out := map[int]float64{}
	for _, f := range r.Keep {
		out[int(f*float64(r.Steps)+0.5)] = f
	}
	return out
}

// Check reports a recipe Run cannot use; the parser reports these at their line first.
func (r Recipe) Check() error {
	switch {
	case r.Out == "":
		return fmt.Errorf("pretrain: recipe %s: no output folder", r.File)
	case r.EvalEvery < 1:
		return fmt.Errorf("pretrain: recipe %s: eval interval %d, want >= 1", r.File, r.EvalEvery)
	case r.CheckpointEvery <= 0:
		return fmt.Errorf("pretrain: recipe %s: checkpoint interval %v, want > 0", r.File, r.CheckpointEvery)
	}
	for _, f := range r.Keep {
		if !(f >= 0 && f < 1) {
			return fmt.Errorf("pretrain: recipe %s: kept fraction %g, want in [0, 1)", r.File, f)
		}
	}
	return nil
}
