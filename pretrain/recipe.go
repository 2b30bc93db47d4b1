package pretrain

import (
	"loralab/experiments"
	"loralab/model"
)

// Recipe is one pretraining run, as a recipe file describes it (experiments.LoadRecipe).
type Recipe = experiments.Recipe

// pretrainConfig is the model.PretrainConfig of the recipe.
func pretrainConfig(r Recipe) model.PretrainConfig {
	return model.PretrainConfig{
		Model: r.Model, Corpus: r.Corpus, Steps: r.Steps, Batch: r.Batch, SeqLen: r.SeqLen,
		LR: float32(r.LR), Warmup: r.Warmup, WeightDecay: float32(r.WeightDecay), ClipNorm: float32(r.ClipNorm),
		Seed: r.Seed, Threads: r.Threads, HeldOut: r.HeldOut, EvalTokens: r.EvalTokens,
	}
}
