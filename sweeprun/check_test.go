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
