package sweeprun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/experiments"
	"loralab/model"
	"loralab/pretrain"
)

// preflightSweep has one problem of each kind the preflight finds, and one sound task.
const preflightSweep = `name: pre
version: 1
model:
  arch: encoder
  d_model: 16
  layers: 2
  heads: 2
  d_ff: 32
  max_len: 12
  vocab: 300
  pretraining: {corpus: embedded-corpus, steps: 5}
tasks:
  - embedded-cls
  - embedded-corpus
  - embedded-d2t
  - jsonl:BAD
train:
  steps: 2
  lr: 1e-3
methods:
  - {name: lora, rank: 2}
  - {name: prefix_embed, prefix: 11}
seeds: [1]
`

// TestPreflight: a real run of a sweep with a malformed data row, a corpus named as a
// fine-tuning task, a generation task on an encoder and a prefix longer than max_len refuses
// to start, naming every problem at the sweep line concerned (and the data file's line),
// and pretrains nothing; the dry run reports the same problems.
func TestPreflight(t *testing.T) {
	t.Setenv(datasets.EnvDataDir, t.TempDir())
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"train.jsonl":      "{\"text\": \"good\", \"label\": \"pos\"}\n{\"text\": \"bad\", \"label\": \"neg\"}\n{\"label\": \"pos\"}\n",
		"validation.jsonl": "{\"text\": \"fine\", \"label\": \"pos\"}\n{\"text\": \"also\", \"label\": \"neg\"}\n",
	} {
		if err := os.WriteFile(filepath.Join(bad, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.Replace(preflightSweep, "jsonl:BAD", "jsonl:"+bad, 1)
	sw, err := experiments.Parse("pre.yaml", []byte(text), experiments.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pre.yaml:14:5: task embedded-corpus: is a corpus",
		"pre.yaml:15:5: task embedded-d2t: is a generation task and needs a decoder, the model is an encoder",
		"pre.yaml:16:5: task jsonl:" + bad + ": ",
		filepath.Join(bad, "train.jsonl") + ":3",
		"pre.yaml:22:5: prefix_embed lp=11 li=0: 11 prefix and 0 infix slots and 2 special tokens leave -1 positions for text in max_len 12",
	}
	for _, dry := range []bool{false, true} {
		e := NewExecutor(t.TempDir())
		out := t.TempDir()
		_, err := experiments.Run(context.Background(), sw, experiments.Options{Out: out, DryRun: dry}, e)
		t.Logf("dry run %v:\n%v", dry, err)
		var problems experiments.Problems
		if !errors.As(err, &problems) {
			t.Fatalf("dry run %v: error %v, want the preflight's problems", dry, err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("dry run %v: problems\n%v\ndo not contain %q", dry, err, w)
			}
		}
		if len(problems) != 4 {
			t.Errorf("dry run %v: %d problems, want 4 (each once):\n%v", dry, len(problems), err)
		}
		if e.Bases.builds != 0 || len(e.Bases.building) != 0 {
			t.Errorf("dry run %v: a base model was built before the preflight failed", dry)
		}
		if _, err := os.Stat(filepath.Join(out, "pre", experiments.RunsDir)); !os.IsNotExist(err) {
			t.Errorf("dry run %v: the sweep folder has runs: %v", dry, err)
		}
	}
}

// fromSweep starts from the model folder FROM and fine-tunes on TASK with data seed SEED.
const fromSweep = `name: from
version: 1
model:
  from: FROM
data: {seed: SEED, max_train: 20, max_validation: 10, max_test: 10}
tasks: [embedded-cls, TASK]
train:
  steps: 2
  lr: 1e-3
methods:
  - {name: lora, rank: 2}
  - {name: bitfit}
seeds: [1]
`

// TestPreflightRefusesALeakyBase: a base whose stats.json says it was pretrained on a
// corpus drawn from a task's source, split with another seed than the task's, is refused
// at the task's line, once; the same base at its own seed, and a task of another source,
// pass; a broken stats.json is reported at model.from.
func TestPreflightRefusesALeakyBase(t *testing.T) {
	t.Setenv(datasets.EnvDataDir, t.TempDir())
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 1, Heads: 2, DFF: 32, MaxLen: 64,
		Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(t.TempDir(), "base")
	if err := model.Save(base, m, nil, nil); err != nil {
		t.Fatal(err)
	}
	preflight := func(stats, task, seed string) error {
		t.Helper()
		if err := os.WriteFile(filepath.Join(base, pretrain.StatsFile), []byte(stats), 0o644); err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("FROM", base, "TASK", task, "SEED", seed).Replace(fromSweep)
		sw, err := experiments.Parse("from.yaml", []byte(text), experiments.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = experiments.Run(context.Background(), sw, experiments.Options{Out: t.TempDir(), DryRun: true}, NewExecutor(t.TempDir()))
		return err
	}
	sotuSeed1 := `{"config": {"corpus": "sotu"}, "data_seed": 1}`
	err = preflight(sotuSeed1, "sotu-era-small", "1")
	var problems experiments.Problems
	if !errors.As(err, &problems) || len(problems) != 1 {
		t.Fatalf("sotu base of seed 1, sotu-era-small: error %v, want one problem", err)
	}
	want := "from.yaml:6:23: task sotu-era-small: the base was pretrained on sotu split with data seed 1, which keeps out the " +
		"validation and test documents of sotu-era-small's split with that seed only; sotu-era-small is always split with data " +
		"seed 0, so its held-out documents may be in the base's pretraining text: use a base pretrained with data seed 0"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n%v\nwant it to start with\n%s", err, want)
	}
	// The shipped bases' case: real-english split with seed 0, sotu-era with data.seed 1 (the
	// real data need not be there: the base is refused before the task is read).
	err = preflight(`{"config": {"corpus": "real-english"}, "data_seed": 0}`, "sotu-era", "1")
	want = "from.yaml:6:23: task sotu-era: the base was pretrained on real-english split with data seed 0, which keeps out " +
		"the validation and test documents of sotu-era's split with that seed only; with data.seed 1, held-out documents of " +
		"that split may be in the base's pretraining text: use data.seed 0, or a base pretrained with data seed 1"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("real-english base of seed 0, sotu-era at seed 1: error\n%v\nwant\n%s", err, want)
	}
	for _, ok := range []struct{ stats, task, seed string }{
		{`{"config": {"corpus": "sotu"}, "data_seed": 0}`, "sotu-era-small", "1"}, // the split seed-0 bases kept out
		{sotuSeed1, "embedded-reg", "1"},                                          // not drawn from sotu
		{`{"fraction": 0.5, "corpus": "embedded-corpus", "data_seed": 0}`, "embedded-reg", "2"},
	} {
		if err := preflight(ok.stats, ok.task, ok.seed); err != nil {
			t.Errorf("base %s, task %s, data seed %s: %v", ok.stats, ok.task, ok.seed, err)
		}
	}
	// A broken stats.json is an error at the model.from line: the parser, reading the
	// pretraining tokens, meets it before the preflight.
	if err := os.WriteFile(filepath.Join(base, pretrain.StatsFile), []byte("{broken"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("FROM", base, "TASK", "embedded-reg", "SEED", "0").Replace(fromSweep)
	_, err = experiments.Parse("from.yaml", []byte(text), experiments.ParseOptions{})
	if err == nil || !strings.HasPrefix(err.Error(), "from.yaml:4:9: model.from") || !strings.Contains(err.Error(), filepath.Join(base, pretrain.StatsFile)) {
		t.Errorf("broken stats.json: error %v, want one at from.yaml:4:9 naming %s", err, filepath.Join(base, pretrain.StatsFile))
	}
}
