package sweeprun

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/experiments"
	"loralab/model"
	"loralab/model/tokenizer"
)

// A sweep with pretraining steps 0 asks for a randomly initialised base (the control that
// shows what pretraining is worth): it must be the model NewModel builds from the same
// seed, with the corpus tokenizer, and nothing pretrained.
func TestBasesWithoutPretrainingIsRandomInit(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 1, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	for _, seed := range []uint64{1, 2} {
		b := NewBases(t.TempDir())
		base, err := b.Get(context.Background(), BaseConfig{Model: cfg, Corpus: "embedded-corpus", Steps: 0, Seed: seed}, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want, err := model.NewModel(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		got := base.Model.Params()
		for i, p := range want.Params() {
			if got[i].Name != p.Name || !slices.Equal(got[i].Data, p.Data) {
				t.Fatalf("seed %d: tensor %s differs from a fresh NewModel", seed, p.Name)
			}
		}
		if base.Tok == nil || base.Tok.VocabSize() > cfg.Vocab {
			t.Fatalf("seed %d: tokenizer %v does not fit vocab %d", seed, base.Tok, cfg.Vocab)
		}
		if len(base.Stats.Losses) != 0 || base.Dir != "" {
			t.Fatalf("seed %d: a random base reports pretraining: %d losses, dir %q", seed, len(base.Stats.Losses), base.Dir)
		}
	}
}

// A base read from a model folder (model: {from: DIR}) is the folder's model with its
// tokenizer, without a head, with the sweep's dropout; a folder changed after the sweep was
// read, or one without a tokenizer, is an error.
func TestBasesFromFolder(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 1, Heads: 2, DFF: 32, MaxLen: 32,
		Dropout: 0.1, Activation: "gelu", LNEps: 1e-5, NumLabels: 3}
	m, err := model.NewModel(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Train([]string{"a small corpus of words", "and more words"}, tokenizer.TrainConfig{VocabSize: 280})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "base")
	if err := model.Save(dir, m, tok, nil); err != nil {
		t.Fatal(err)
	}
	digest, err := experiments.HashModelFolder(t.TempDir(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := cfg
	want.NumLabels, want.Dropout = 0, 0.2
	base, err := NewBases(t.TempDir()).Get(context.Background(), BaseConfig{Model: want, From: dir, FromSHA256: digest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if base.Model.Cfg != want || base.Model.Head != nil || base.Tok.VocabSize() != tok.VocabSize() || base.Dir != dir {
		t.Fatalf("base config %+v (head %v), tokenizer %d tokens, dir %s", base.Model.Cfg, base.Model.Head != nil, base.Tok.VocabSize(), base.Dir)
	}
	if !slices.Equal(base.Model.TokEmb.Data, m.TokEmb.Data) {
		t.Error("the base's weights are not the folder's")
	}
	m.TokEmb.Data[0]++
	if err := model.Save(dir, m, tok, nil); err != nil {
		t.Fatal(err)
	}
	_, err = NewBases(t.TempDir()).Get(context.Background(), BaseConfig{Model: want, From: dir, FromSHA256: digest}, nil)
	if err == nil || !strings.Contains(err.Error(), "changed since the sweep was read") {
		t.Errorf("changed folder: error %v", err)
	}
	noTok := filepath.Join(t.TempDir(), "no-tokenizer")
	if err := model.Save(noTok, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	digest, _ = experiments.HashModelFolder(t.TempDir(), noTok)
	_, err = NewBases(t.TempDir()).Get(context.Background(), BaseConfig{Model: want, From: noTok, FromSHA256: digest}, nil)
	if err == nil || !strings.Contains(err.Error(), "no tokenizer") {
		t.Errorf("folder without a tokenizer: error %v", err)
	}
}

// saveFolderBase writes an encoder base of the given seed, with a tokenizer and the
// stats.json of a kept checkpoint recording tokens, into a new folder.
func saveFolderBase(t *testing.T, cfg model.Config, seed uint64, tokens int64) string {
	t.Helper()
	m, err := model.NewModel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Train([]string{"a small corpus of words", "and more words"}, tokenizer.TrainConfig{VocabSize: 280})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), fmt.Sprintf("step-%d", tokens))
	if err := model.Save(dir, m, tok, nil); err != nil {
		t.Fatal(err)
	}
	stats := fmt.Sprintf(`{"fraction": 0.5, "step": 3, "tokens": %d}`, tokens)
	if err := os.WriteFile(filepath.Join(dir, experiments.StatsFile), []byte(stats), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestExecutorLoadsEachBaseOnce: a sweep on the base axis (model: {from: [A, B]}) runs
// every run on both bases; the executor loads each base once for all of its runs, and runs
// on different bases start from different weights.
func TestExecutorLoadsEachBaseOnce(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 1, Heads: 2, DFF: 32, MaxLen: 32,
		Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	a, b := saveFolderBase(t, cfg, 1, 0), saveFolderBase(t, cfg, 2, 640)
	text := fmt.Sprintf(`name: axis
model: {from: [%s, %s]}
data: {max_train: 16, max_validation: 8, max_test: 8}
tasks: [embedded-cls]
train: {steps: 2, batch: 4, seq_len: 16, lr: 1e-2}
methods:
  - {name: lora, rank: 2, targets: [q, v]}
  - {name: bitfit}
seeds: [1]
`, a, b)
	sw, err := experiments.Parse("axis.yaml", []byte(text), experiments.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := NewExecutor(t.TempDir())
	e.Export = nil
	sum, err := experiments.Run(context.Background(), sw, experiments.Options{Out: t.TempDir(), Jobs: 1, Threads: 1}, e)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 4 || e.Bases.builds != 2 {
		t.Fatalf("%d runs done, bases loaded %d times; want 4 runs and 2 loads", sum.Done, e.Bases.builds)
	}
	loaded := map[string][]float32{}
	for _, entry := range e.Bases.building {
		loaded[entry.base.Dir] = entry.base.Model.TokEmb.Data
	}
	if len(loaded) != 2 || slices.Equal(loaded[a], loaded[b]) {
		t.Errorf("loaded bases %v: want %s and %s, with different weights", slices.Collect(maps.Keys(loaded)), a, b)
	}
}
