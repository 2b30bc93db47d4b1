package lora

import (
	"strings"
	"testing"

	"loralab/method"
)

var kindDims = method.Dims{Arch: "decoder", Vocab: 100, DModel: 8, Layers: 3, DFF: 32, MaxLen: 16}

// TestPaperParams checks LoRA's formula, worked by hand for d=8, L=3, d_ff=32, V=100.
func TestPaperParams(t *testing.T) {
	cases := []struct {
		spec method.Spec
		want int
	}{
		{method.Spec{Name: method.LoRA, Rank: 2, Targets: []string{"q", "v"}}, 2 * 3 * 2 * 8 * 2}, // 2 L_lora d r, L_lora=6
		{method.Spec{Name: method.LoRA, Rank: 1, Targets: []string{"fc1"}, Layers: []int{0}}, 1 * (8 + 32)},
		// q in 3 layers: 3 * 4(8+8) = 192; the embedding once: 4(100+8) = 432
		{method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q", "emb"}}, 192 + 432},
	}
	for _, c := range cases {
		got, err := method.PaperParams(c.spec, kindDims)
		if err != nil {
			t.Fatalf("%s: %v", c.spec.Label(), err)
		}
		if got != c.want {
			t.Errorf("%s: PaperParams = %d, want %d", c.spec.Label(), got, c.want)
		}
	}
}

func TestKindChecksAndLabels(t *testing.T) {
	err := method.Spec{Name: method.LoRA, Rank: 9, Targets: []string{"q", "x"}, Layers: []int{3}, Scaling: "weird"}.Validate(kindDims)
	for _, w := range []string{"rank 9 out of range [1, d_model=8]", `unknown targets entry "x" (want q, k, v, o, fc1, fc2 or emb)`,
		"layers 3 out of range [0, layers - 1=2]", `unknown scaling "weird"`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
	if err := (method.Spec{Name: method.LoRA, Rank: 1}).Validate(kindDims); err == nil || !strings.Contains(err.Error(), "at least one target (q, k, v, o, fc1, fc2, emb)") {
		t.Errorf("no targets: %v", err)
	}
	if got := (method.Spec{Name: method.LoRA, Rank: 1}).WithDefaults().Targets; strings.Join(got, ",") != "q,v" {
		t.Errorf("default targets %q, want q,v", got)
	}
	labels := map[string]method.Spec{
		"lora r=8 q,v":  {Name: method.LoRA, Rank: 8, Targets: []string{"q", "v"}},
		"lora r=4 q rs": {Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Scaling: ScalingRSLoRA},
	}
	for want, s := range labels {
		if got := s.Label(); got != want {
			t.Errorf("Label = %q, want %q", got, want)
		}
	}
	k, _ := method.Lookup(method.LoRA)
	if s := k.Scale(method.Spec{Name: method.LoRA, Rank: 4, Alpha: 8, Scaling: ScalingRSLoRA}); s != 4 {
		t.Errorf("rslora scale %g, want 8/sqrt(4) = 4", s)
	}
	for _, init := range []string{InitPiSSA, InitOLoRA, InitMiLoRA} { // the factors alone are not the update
		if s := k.Scale(method.Spec{Name: method.LoRA, Rank: 4, Alpha: 8, Init: init}); s != 0 {
			t.Errorf("init %s: scale %g, want 0", init, s)
		}
	}
	if s := k.Scale(method.Spec{Name: method.LoRA, Rank: 4, Alpha: 8, Init: InitGaussian}); s != 2 {
		t.Errorf("gaussian init: scale %g, want 8/4 = 2", s)
	}
	f := k.PEFT(method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"v", "emb", "q"}, Layers: []int{2, 0}, Init: InitGaussian})
	if f["lora_alpha"] != 4.0 || strings.Join(f["target_modules"].([]string), ",") != "tok_emb,q,v" || f["init_lora_weights"] != InitGaussian {
		t.Errorf("PEFT fields %v", f)
	}
}
