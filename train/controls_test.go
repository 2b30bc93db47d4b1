package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"loralab/datasets"
)

func TestClassCounts(t *testing.T) {
	if got := classCounts([]int{0, 2, 2, 1, 2}, 3); !slices.Equal(got, []int{1, 1, 3}) {
		t.Errorf("counts %v, want [1 1 3]", got)
	}
	if got := classCounts(nil, 2); !slices.Equal(got, []int{0, 0}) {
		t.Errorf("no predictions: %v", got)
	}
}

// TestChanceScores: the training split has three of class 1 and one of class 0, so the
// control predicts 1; validation holds 1, 0 (accuracy 1/2), test 1, 1, 1, 0, 0 (3/5).
func TestChanceScores(t *testing.T) {
	ex := func(labels ...int) []datasets.Example {
		var out []datasets.Example
		for _, l := range labels {
			out = append(out, datasets.Example{Text: "x", Label: l})
		}
		return out
	}
	task := &datasets.Task{Name: "t", Kind: datasets.Classification, Labels: []string{"a", "b"},
		MainMetric: datasets.MetricAccuracy, Metrics: []string{datasets.MetricAccuracy},
		Train: ex(1, 0, 1, 1), Validation: ex(1, 0), Test: ex(1, 1, 1, 0, 0)}
	got, err := chanceScores(task)
	if err != nil {
		t.Fatal(err)
	}
	if v, w := got["validation"][datasets.MetricAccuracy], 0.5; v != w {
		t.Errorf("validation accuracy %g, want %g", v, w)
	}
	if v, w := got["test"][datasets.MetricAccuracy], 0.6; math.Abs(v-w) > 1e-12 {
		t.Errorf("test accuracy %g, want %g", v, w)
	}
}

// TestOutcomeRecordsControls checks that a finished run reports its prediction counts (one
// per example of each split) and the chance scores of its task.
func TestOutcomeRecordsControls(t *testing.T) {
	task := sentimentTask(32, 5)
	tok := toyTokenizer(t, task)
	m := toyEncoder(t, tok.VocabSize())
	meth := &fullFT{}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Steps: 2, Batch: 8, SeqLen: 32, LR: 1e-3, Seed: 1, Threads: 1}
	out, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for split, exs := range map[string][]datasets.Example{"validation": task.Validation, "test": task.Test} {
		counts := out.Predicted[split]
		if len(counts) != 2 || counts[0]+counts[1] != len(exs) {
			t.Errorf("%s: counts %v for %d examples", split, counts, len(exs))
		}
		want, err := chanceScores(task)
		if err != nil {
			t.Fatal(err)
		}
		if out.Chance[split][datasets.MetricAccuracy] != want[split][datasets.MetricAccuracy] {
			t.Errorf("%s: chance %v, want %v", split, out.Chance[split], want[split])
		}
	}
}
