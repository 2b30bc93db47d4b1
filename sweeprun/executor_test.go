package sweeprun

import (
	"context"
	"testing"

	"loralab/experiments"
	"loralab/method"
	"loralab/model"
)

func TestExecutorCountNeedsNoPretraining(t *testing.T) {
	cache := t.TempDir()
	e := NewExecutor(cache)
	cfg := model.Config{Arch: model.Encoder, Vocab: 64, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	run := experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1,
		Method: method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}}
	c, err := e.Count(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	// LoRA: 2 layers x 2 matrices x r(16+16) = 256; head: dense 16x16+16, out 2x16+2 = 306.
	if c != (method.Counts{Trainable: 256, Paper: 256, Head: 306}) {
		t.Fatalf("counts %+v", c)
	}
	if _, ok := e.Bases.building[""]; ok || len(e.Bases.building) != 0 {
		t.Fatal("Count built a base model")
	}
}
