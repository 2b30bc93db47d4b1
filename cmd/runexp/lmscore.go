package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"loralab/model"
)

// runLMScore prints the mean next-token NLL of a token sequence under a decoder as JSON.
func runLMScore(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("lm-score", "runexp lm-score --model DIR (--ids 464,3290,318 | --text TEXT)", stderr)
	dir := fs.String("model", "", "a loralab checkpoint folder or a Hugging Face GPT-2 folder (config.json + model.safetensors)")
	idsFlag := fs.String("ids", "", "comma-separated token ids")
	text := fs.String("text", "", "text to encode with the model's tokenizer (after bos)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || (*idsFlag == "") == (*text == "") {
		fs.Usage()
		return fmt.Errorf("lm-score: give --model and exactly one of --ids and --text")
	}
	var nll float64
	var n int
	var err error
	if *idsFlag != "" {
		ids, perr := parseIDs(*idsFlag)
		if perr != nil {
			return fmt.Errorf("lm-score: %w", perr)
		}
		nll, n, err = model.LMScore(*dir, ids)
	} else {
		nll, n, err = model.LMScoreText(*dir, *text)
	}
	if err != nil {
		return fmt.Errorf("lm-score: %w", err)
	}
	out := map[string]any{"model": *dir, "tokens_scored": n, "mean_nll": nll, "perplexity": math.Exp(nll)}
	enc := json.NewEncoder(stdout)
	return enc.Encode(out)
}

// parseIDs reads "464,3290,318".
func parseIDs(s string) ([]int32, error) {
	var ids []int32
	for i, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--ids item %d is %q, want a non-negative integer", i+1, f)
		}
		ids = append(ids, int32(v))
	}
	return ids, nil
}
