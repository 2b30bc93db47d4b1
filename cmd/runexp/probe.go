package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"

	"loralab/datasets"
	"loralab/model"
	"loralab/probe"
)

const probeUsage = "runexp probe [flags] MODEL_DIR (a loralab model folder or a Hugging Face GPT-2/RoBERTa folder)"

// runProbe fits a linear probe on a frozen model's features for each task and prints it
// beside the majority class and the bag-of-words baseline.
func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("probe", probeUsage, stderr)
	tasks := fs.String("tasks", "embedded-cls", "comma-separated classification or regression tasks")
	pool := fs.String("pool", "", "feature: first (<s>, the encoder default), mean or last (the decoder default)")
	cache := fs.String("cache", "", "data cache folder (default $LORALAB_DATA or ~/.cache/loralab)")
	maxTrain := fs.Int("max-train", 0, "cap on train examples (0 = the task's own)")
	maxVal := fs.Int("max-validation", 0, "cap on validation examples")
	maxTest := fs.Int("max-test", 0, "cap on test examples")
	maxLen := fs.Int("max-len", 0, "cap on tokens per example (0 = the model's max_len)")
	threads := fs.Int("threads", 2, "goroutines per op")
	asJSON := fs.Bool("json", false, "print one JSON object per task instead of a table")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("probe: want one model folder, got %d arguments", len(pos))
	}
	if *maxTrain < 0 || *maxVal < 0 || *maxTest < 0 || *maxLen < 0 || *threads < 1 {
		return fmt.Errorf("probe: caps must be >= 0 and --threads >= 1")
	}
	m, tok, err := model.Open(pos[0])
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	if tok == nil {
		return fmt.Errorf("probe: %s has no tokenizer", pos[0])
	}
	m.Freeze()
	reg := datasets.NewRegistry(datasets.Options{CacheDir: *cache, MaxTrain: *maxTrain, MaxValidation: *maxVal, MaxTest: *maxTest})
	table := tablewriter.NewWriter(stdout)
	table.Header("task", "metric", "majority", "bag of words", "probe validation", "probe test", "pool", "penalty")
	enc := json.NewEncoder(stdout)
	for _, name := range strings.Split(*tasks, ",") {
		t, err := reg.Load(ctx, strings.TrimSpace(name))
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		res, err := probe.Run(m, tok, t, probe.Options{Pool: *pool, MaxLen: *maxLen, Threads: *threads})
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		chance, err := datasets.Evaluate(t, t.Test, datasets.ChancePredictions(t))
		if err != nil {
			return err
		}
		bowPred, err := datasets.BagOfWordsPredictions(t)
		if err != nil {
			return err
		}
		bow, err := datasets.Evaluate(t, t.Test, bowPred)
		if err != nil {
			return err
		}
		metric := t.Metrics[0]
		if *asJSON {
			if err := enc.Encode(map[string]any{"probe": res, "majority_test": chance, "bag_of_words_test": bow, "model": pos[0]}); err != nil {
				return err
			}
			continue
		}
		f := func(v float64) string { return fmt.Sprintf("%.3f", v) }
		if err := table.Append(t.Name, metric, f(chance[metric]), f(bow[metric]), f(res.Validation[metric]), f(res.Test[metric]), res.Pool, fmt.Sprint(res.Penalty)); err != nil {
			return err
		}
	}
	if *asJSON {
		return nil
	}
	return table.Render()
}
