package lora

import (
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// TestLoRAPlus: B (the embedding's too) trains at lr_ratio times A's rate, the setting is
// LoRA otherwise (same tensors, counts and outputs), and the label says so.
func TestLoRAPlus(t *testing.T) {
	spec := method.Spec{Name: method.LoRA, Rank: 2, Targets: []string{"q", "v", "emb"}, Opts: map[string]float64{"lr_ratio": 16}}
	if got := spec.Label(); got != "lora r=2 q,v,emb lr_ratio=16" {
		t.Errorf("label %q", got)
	}
	cfg := testConfig(model.Decoder)
	plus := checkContract(t, cfg, spec).(*LoRA)
	want := map[string]float32{}
	for _, d := range plus.Linears() {
		want[d.A.Name], want[d.B.Name] = 1, 16
	}
	want[plus.Embedding().A.Name], want[plus.Embedding().B.Name] = 1, 16
	for _, p := range plus.Trainable() {
		if got := tuner.LRScale(plus, p); got != want[p.Name] {
			t.Errorf("%s: lr factor %g, want %g", p.Name, got, want[p.Name])
		}
	}
	plain := applyMethod(t, newTestModel(t, cfg, 3), loraSpec(2, "q", "v"), 4)
	for _, p := range plain.Trainable() {
		if s := tuner.LRScale(plain, p); s != 1 {
			t.Errorf("plain LoRA has lr factor %g for %s", s, p.Name)
		}
	}
	bad := spec
	bad.Opts = map[string]float64{"lr_ratio": -2}
	if err := bad.Validate(method.AnyModel); err == nil {
		t.Error("lr_ratio -2 validated")
	}
}
