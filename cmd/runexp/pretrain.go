package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"loralab/experiments"
	"loralab/pretrain"
)

// runPretrain runs a pretraining recipe to its model folder, resuming a run the folder
// holds the saved state of.
func runPretrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pretrain", "runexp pretrain [flags] RECIPE.yaml", stderr)
	out := fs.String("out", "", "output model folder (default: the recipe's out)")
	threads := fs.Int("threads", -1, "threads (default: the recipe's; 0 = every CPU); no effect on the result")
	cache := fs.String("cache", "", "data and tokenizer cache (default $LORALAB_DATA or ~/.cache/loralab)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("pretrain: want one recipe file, got %d arguments", len(pos))
	}
	r, err := experiments.LoadRecipe(pos[0])
	if err != nil {
		return err
	}
	if *out != "" {
		r.Out = *out
	}
	if *threads >= 0 {
		r.Threads = *threads
	}
	if r.Threads == 0 {
		r.Threads = runtime.NumCPU()
	}
	fmt.Fprintf(stderr, "pretrain %s: %s %s, %d steps of %d x %d tokens on %s -> %s\n",
		r.File, r.Model.Arch, shape(r), r.Steps, r.Batch, r.SeqLen, r.Corpus, r.Out)
	st, err := pretrain.Run(ctx, *r, pretrain.Options{CacheDir: *cache, Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d steps, %d tokens in %.0f s (%.0f tokens/s); held-out perplexity %.2f (unigram %.2f), accuracy %.3f\n",
		r.Out, st.Steps, st.TokensSeen, st.WallSeconds, st.TokensPerSec, st.HeldOut.Perplexity, st.HeldOut.UnigramPPL, st.HeldOut.Accuracy)
	return nil
}

// shape describes the model's dimensions.
func shape(r *pretrain.Recipe) string {
	m := r.Model
	return fmt.Sprintf("d=%d L=%d h=%d ff=%d vocab %d", m.DModel, m.Layers, m.Heads, m.DFF, m.Vocab)
}
