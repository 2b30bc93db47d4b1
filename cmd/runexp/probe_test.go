package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/model"
	"loralab/model/tokenizer"
)

// TestProbeCommand saves a small random encoder with its tokenizer and probes it on the
// embedded classification task: the JSON names the task, scores both splits and carries the
// majority and bag-of-words references; bad arguments are refused.
func TestProbeCommand(t *testing.T) {
	reg := datasets.NewRegistry(datasets.Options{MaxTrain: 120, MaxValidation: 40, MaxTest: 40})
	task, err := reg.Load(t.Context(), "embedded-cls")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Train(datasets.Texts(task.Train), tokenizer.TrainConfig{VocabSize: 400})
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModel(model.Config{Arch: model.Encoder, Vocab: tok.VocabSize(), DModel: 16, Layers: 1, Heads: 2, DFF: 32,
		MaxLen: 64, Activation: "gelu", LNEps: 1e-5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "enc")
	if err := model.Save(dir, m, tok, nil); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "probe", dir, "--json", "--max-train", "120", "--max-validation", "40", "--max-test", "40")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Probe struct {
			Task             string
			Pool             string
			Validation, Test map[string]float64
		}
		Majority map[string]float64 `json:"majority_test"`
		BoW      map[string]float64 `json:"bag_of_words_test"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if got.Probe.Task != "embedded-cls" || got.Probe.Pool != "first" || len(got.Probe.Test) == 0 || len(got.Probe.Validation) == 0 ||
		len(got.Majority) == 0 || len(got.BoW) == 0 {
		t.Fatalf("probe output %+v lacks a field", got)
	}
	table, _, err := runCLI(t, "probe", "--max-train", "120", "--max-validation", "40", "--max-test", "40", dir)
	if err != nil || !strings.Contains(table, "embedded-cls") || !strings.Contains(table, "BAG OF WORDS") {
		t.Fatalf("table output %q, error %v", table, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"probe"}, "want one model folder, got 0"},
		{[]string{"probe", dir, "--threads", "0"}, "--threads >= 1"},
		{[]string{"probe", dir, "--tasks", "embedded-d2t", "--max-train", "20"}, "no linear probe"},
		{[]string{"probe", filepath.Join(dir, "missing")}, "missing"},
	} {
		if _, _, err := runCLI(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}
