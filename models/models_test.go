// Package models_test checks the shipped bases: each model folder under models/ (the
// encoder, its kept checkpoints, the decoder) scores the loss its heldout-check.json
// recorded on a fixed batch of held-out text, so a corrupted or swapped file, or an engine
// change that alters what a base computes, fails here without the data cache.
//
// Each folder's heldout.safetensors (model.HeldOutFile: the held-out windows with which a
// sweep measures forgetting on the base) must load, begin with the heldout-check.json
// windows and score the held-out loss its stats.json recorded.
//
// go test ./models -update rescores the windows of every heldout-check.json and records the
// loss; for a folder without one, it rebuilds the base's held-out split (the documents it
// never trained on) from the data cache, checks that the folder's model scores the held-out
// loss its stats.json recorded, and keeps the first windows of that split with their
// targets. For a folder without heldout.safetensors it writes one from the same split.
// (The shipped encoder's windows were written by the pretraining code of the commit that
// trained it, whose corpus filter dropped 11 fewer documents than today's, so today's code
// rebuilds another split: see models/encoder/PROVENANCE.md.)
package models_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/pretrain"
)

var update = flag.Bool("update", false, "rewrite each model folder's heldout-check.json from the data cache")

// checkFile is the fixed batch of a model folder.
const checkFile = "heldout-check.json"

// corpus is what both shipped recipes pretrain on (experiments/pretrain/*.yaml).
const corpus = "real-english"

// checkWindows is how many held-out windows a check keeps: 1,016 predicted tokens for the
// decoder, about 150 masked ones for the encoder.
const checkWindows = 8

// heldOutCheck is a heldout-check.json.
type heldOutCheck struct {
	Note     string    `json:"note"`
	Batch    int       `json:"batch"`
	IDs      [][]int32 `json:"ids"`
	Targets  [][]int32 `json:"targets"` // -1 where nothing is predicted
	Tokens   int       `json:"tokens"`
	NLL      float64   `json:"nll"`
	Accuracy float64   `json:"accuracy"`
}

// folderStats is the part of stats.json a check reads.
type folderStats struct {
	Config   model.PretrainConfig `json:"config"`
	DataSeed uint64               `json:"data_seed"`
	HeldOut  model.HeldOutEval    `json:"held_out"`
}

// shippedBases are the committed base folders.
var shippedBases = []string{"encoder", "decoder"}

// shippedFolders lists the model folders: each base and its kept checkpoints.
func shippedFolders(t *testing.T) []string {
	var dirs []string
	for _, base := range shippedBases {
		if _, err := os.Stat(filepath.Join(base, "model.safetensors")); err != nil {
			t.Fatalf("shipped base %s: %v", base, err)
		}
		kept, _ := filepath.Glob(filepath.Join(base, "checkpoints", "step-*"))
		dirs = append(append(dirs, base), kept...)
	}
	return dirs
}

// TestShippedBasesScoreTheirRecordedLoss loads every shipped model folder and scores its
// fixed held-out batch: the loss must be the recorded one, to 1e-4 nats (the spread between
// the GEMM kernels).
func TestShippedBasesScoreTheirRecordedLoss(t *testing.T) {
	for _, dir := range shippedFolders(t) {
		t.Run(dir, func(t *testing.T) {
			m, tok, err := model.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if _, err := os.Stat(filepath.Join(dir, checkFile)); err == nil {
					rescoreCheck(t, dir, m)
				} else {
					writeCheck(t, dir, m, tok)
				}
				if _, err := os.Stat(filepath.Join(dir, model.HeldOutFile)); err != nil {
					writeHeldOut(t, dir, tok)
				}
			}
			c := readCheck(t, dir)
			got, err := model.ScoreWindows(m, c.IDs, c.Targets, c.Batch, 2)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tokens != c.Tokens || math.Abs(got.NLL-c.NLL) > 1e-4 {
				t.Errorf("held-out NLL %.6f on %d tokens, recorded %.6f on %d", got.NLL, got.Tokens, c.NLL, c.Tokens)
			}
		})
	}
}

// rescoreCheck records m's loss on the windows of dir's heldout-check.json.
func rescoreCheck(t *testing.T, dir string, m *model.Model) {
	c := readCheck(t, dir)
	e, err := model.ScoreWindows(m, c.IDs, c.Targets, c.Batch, 2)
	if err != nil {
		t.Fatal(err)
	}
	c.Tokens, c.NLL, c.Accuracy = e.Tokens, e.NLL, e.Accuracy
	saveCheck(t, dir, c)
}

// readCheck reads dir's heldout-check.json.
func readCheck(t *testing.T, dir string) heldOutCheck {
	b, err := os.ReadFile(filepath.Join(dir, checkFile))
	if err != nil {
		t.Fatalf("%v (go test ./models -update writes it)", err)
	}
	var c heldOutCheck
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", filepath.Join(dir, checkFile), err)
	}
	return c
}

// saveCheck writes c as dir's heldout-check.json.
func saveCheck(t *testing.T, dir string, c heldOutCheck) {
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, checkFile), append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readStats reads dir/stats.json.
func readStats(t *testing.T, dir string) folderStats {
	b, err := os.ReadFile(filepath.Join(dir, "stats.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st folderStats
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("%s: %v", filepath.Join(dir, "stats.json"), err)
	}
	return st
}

// baseStats reads the stats.json of the base dir belongs to (dir itself, or the base whose
// kept checkpoint it is): a kept checkpoint records only its loss, not the pretraining's
// config.
func baseStats(t *testing.T, dir string) folderStats {
	return readStats(t, strings.Split(filepath.ToSlash(dir), "/")[0])
}

// splitOf reads dir's stats.json, with the pretraining config and data seed of its base
// (a kept checkpoint records only its loss), and the corpus documents from the data cache.
func splitOf(t *testing.T, dir string) (folderStats, []string) {
	st := readStats(t, dir)
	base := baseStats(t, dir)
	st.Config, st.DataSeed = base.Config, base.DataSeed
	docs, err := pretrain.CorpusDocs(context.Background(), "", st.DataSeed, corpus)
	if err != nil {
		t.Fatal(err)
	}
	return st, docs
}

// writeHeldOut rebuilds dir's held-out split from the data cache with today's code and
// writes its leading windows as the folder's model.HeldOutFile; TestShippedHeldOutWindows
// then checks them against heldout-check.json and stats.json.
func writeHeldOut(t *testing.T, dir string, tok *tokenizer.Tokenizer) {
	st, docs := splitOf(t, dir)
	note := fmt.Sprintf("the leading held-out windows of the base's split of %s (data_seed %d), rebuilt by go test ./models -update", corpus, st.DataSeed)
	if err := model.WriteHeldOut(dir, st.Config, docs, tok, note); err != nil {
		t.Fatal(err)
	}
}

// writeCheck rebuilds dir's held-out split from the data cache, checks the folder's model
// scores what stats.json recorded, and writes the first windows as its heldout-check.json.
func writeCheck(t *testing.T, dir string, m *model.Model, tok *tokenizer.Tokenizer) {
	st, docs := splitOf(t, dir)
	h, err := model.NewHeldOutSet(st.Config, docs, tok, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	full, err := h.Score(m)
	if err != nil {
		t.Fatal(err)
	}
	// The folder holds the weights rounded to fp16; stats.json scored them in fp32.
	if full.Tokens != st.HeldOut.Tokens || math.Abs(full.NLL-st.HeldOut.NLL) > 5e-3 || full.UnigramNLL != st.HeldOut.UnigramNLL {
		t.Fatalf("the held-out split scores %+v, stats.json recorded %+v", full, st.HeldOut)
	}
	ids, targets := h.Windows()
	ids, targets = ids[:checkWindows], targets[:checkWindows]
	e, err := model.ScoreWindows(m, ids, targets, st.Config.Batch, 2)
	if err != nil {
		t.Fatal(err)
	}
	saveCheck(t, dir, heldOutCheck{
		Note:  "the first windows of the base's held-out split (documents it never trained on) with their targets, and the loss on them; go test ./models -update rescores them",
		Batch: st.Config.Batch, IDs: ids, Targets: targets, Tokens: e.Tokens, NLL: e.NLL, Accuracy: e.Accuracy,
	})
	t.Logf("%s: whole held-out split NLL %.4f (stats.json %.4f, unigram %.4f); check windows NLL %.4f on %d tokens",
		dir, full.NLL, st.HeldOut.NLL, full.UnigramNLL, e.NLL, e.Tokens)
}

// TestShippedHeldOutWindows checks each folder's held-out windows (model.HeldOutFile), with
// which forgetting is measured on a base read from the folder: the file loads, predicts at
// least model.HeldOutFileTokens tokens, begins with heldout-check.json's windows, and its
// leading windows under the base's eval_tokens are the held-out evaluation stats.json
// recorded (the same predicted tokens, the same loss to 1e-3 nats: the folder holds the
// weights rounded to fp16, stats.json scored them in fp32).
func TestShippedHeldOutWindows(t *testing.T) {
	for _, dir := range shippedFolders(t) {
		t.Run(dir, func(t *testing.T) {
			h, err := model.ReadHeldOut(dir, 0, 2)
			if err != nil {
				t.Fatalf("%v (go test ./models -update writes it from the data cache)", err)
			}
			ids, targets := h.Windows()
			predicted := 0
			for _, row := range targets {
				for _, tg := range row {
					if tg >= 0 {
						predicted++
					}
				}
			}
			if predicted < model.HeldOutFileTokens {
				t.Errorf("%d windows predict %d tokens, want >= %d", len(ids), predicted, model.HeldOutFileTokens)
			}
			c := readCheck(t, dir)
			if len(ids) < len(c.IDs) || h.Batch() != c.Batch ||
				!slices.EqualFunc(ids[:len(c.IDs)], c.IDs, slices.Equal) || !slices.EqualFunc(targets[:len(c.IDs)], c.Targets, slices.Equal) {
				t.Fatalf("the first %d windows (batch %d) differ from %s's (batch %d)", len(c.IDs), h.Batch(), checkFile, c.Batch)
			}
			m, _, err := model.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			st := readStats(t, dir)
			base := baseStats(t, dir)
			lead, err := model.ReadHeldOut(dir, base.Config.EvalTokens, 2)
			if err != nil {
				t.Fatal(err)
			}
			got, err := lead.Score(m)
			if err != nil {
				t.Fatal(err)
			}
			// stats.json scored the fp32 weights; the folder holds them in F16, which moves the
			// loss in the sixth digit and flips the top guess of a few tokens in 10^5.
			if got.Tokens != st.HeldOut.Tokens || math.Abs(got.NLL-st.HeldOut.NLL) > 1e-3 || math.Abs(got.Accuracy-st.HeldOut.Accuracy) > 1e-3 {
				t.Errorf("the leading windows score NLL %.6f, accuracy %.6f on %d tokens; stats.json recorded %.6f, %.6f on %d",
					got.NLL, got.Accuracy, got.Tokens, st.HeldOut.NLL, st.HeldOut.Accuracy, st.HeldOut.Tokens)
			}
		})
	}
}
