package method

import (
	"strings"
	"testing"
)

var tinyDims = Dims{Arch: "decoder", Vocab: 100, DModel: 8, Layers: 3, DFF: 32, MaxLen: 16}

func TestPaperParams(t *testing.T) {
	// d=8, L=3, dff=32, V=100, maxlen=16.
	cases := []struct {
		spec Spec
		want int
	}{
		{Spec{Name: PrefixEmbed, Prefix: 4, Infix: 2}, 8 * 6},                       // d(lp+li)
		{Spec{Name: PrefixLayer, Prefix: 4, Infix: 2}, 3 * 8 * 6},                   // L d(lp+li)
		{Spec{Name: AdapterH, Size: 2}, 6*(2*8*2+2+8) + 2*6*8},                      // 6 adapters, 6 LNs: 6*42+96
		{Spec{Name: AdapterL, Size: 2}, 3*(2*8*2+2+8) + 2*3*8},                      // 3*42+48
		{Spec{Name: AdapterP, Size: 2}, 3 * (2*8*2 + 2 + 8)},                        // 126
		{Spec{Name: AdapterD, Size: 2, DropK: 1}, 4*(2*8*2+2+8) + 2*4*8},            // 168+64
		{Spec{Name: LoRA, Rank: 2, Targets: []string{"q", "v"}}, 2 * 3 * 2 * 8 * 2}, // 2 L_lora d r, L_lora=6
		{Spec{Name: LoRA, Rank: 1, Targets: []string{"fc1"}, Layers: []int{0}}, 1 * (8 + 32)},
		// q in 3 layers: 3 * 4(8+8) = 192; the embedding once: 4(100+8) = 432
		{Spec{Name: LoRA, Rank: 4, Targets: []string{"q", "emb"}}, 192 + 432},
		// per block biases: q,k,v,o 4*8 + fc1 32 + fc2 8 + two LayerNorm biases 2*8 = 88;
		// 3 blocks, plus the bias of the final LayerNorm: 264 + 8
		{Spec{Name: BitFit}, 88*3 + 8},
		// block: 4*64 + 2*8*32 + 88 + 16 = 872
		{Spec{Name: FTTop2}, 2 * 872},
		{Spec{Name: FT}, 100*8 + 16*8 + 3*872 + 16},
	}
	for _, c := range cases {
		got, err := PaperParams(c.spec, tinyDims)
		if err != nil {
			t.Fatalf("%s: %v", c.spec.Label(), err)
		}
		if got != c.want {
			t.Errorf("%s: PaperParams = %d, want %d", c.spec.Label(), got, c.want)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cases := []struct {
		spec  Spec
		wants []string
	}{
		{Spec{Name: "lorax"}, []string{`unknown method "lorax"`}},
		{Spec{Name: LoRA, Rank: 9, Targets: []string{"q", "x"}, Layers: []int{3}, Scaling: "weird"},
			[]string{"rank 9 out of range [1, d_model=8]", `unknown lora target "x" (want q, k, v, o, fc1, fc2 or emb)`, "layer 3 out of range", `unknown lora scaling "weird"`}},
		{Spec{Name: LoRA, Rank: 1}, []string{"at least one target (q, k, v, o, fc1, fc2, emb)"}},
		{Spec{Name: AdapterD, Size: 0, DropK: 3}, []string{"size 0 out of range", "drop_k 3 out of range"}},
		{Spec{Name: PrefixEmbed}, []string{"prefix+infix >= 1"}},
		{Spec{Name: PrefixLayer, Prefix: 10, Infix: 6}, []string{"at least max_len=16"}},
	}
	for _, c := range cases {
		err := c.spec.Validate(tinyDims)
		if err == nil {
			t.Errorf("%+v: no error", c.spec)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q lacks %q", c.spec, err, w)
			}
		}
	}
}

func TestLabel(t *testing.T) {
	cases := map[string]Spec{
		"lora r=8 q,v":           {Name: LoRA, Rank: 8, Targets: []string{"q", "v"}},
		"lora r=4 q rs":          {Name: LoRA, Rank: 4, Targets: []string{"q"}, Scaling: "rslora"},
		"adapter_h r=16":         {Name: AdapterH, Size: 16},
		"adapter_d r=4 drop=2":   {Name: AdapterD, Size: 4, DropK: 2},
		"prefix_layer lp=8 li=2": {Name: PrefixLayer, Prefix: 8, Infix: 2},
		"bitfit":                 {Name: BitFit},
	}
	for want, s := range cases {
		if got := s.Label(); got != want {
			t.Errorf("Label = %q, want %q", got, want)
		}
	}
}

// TestTargets checks that every listed target validates and that callers get their own copy.
func TestTargets(t *testing.T) {
	targets := Targets()
	if len(targets) != 7 {
		t.Fatalf("Targets() = %q, want the 7 matrices q, k, v, o, fc1, fc2, emb", targets)
	}
	for _, target := range targets {
		if err := (Spec{Name: LoRA, Rank: 1, Targets: []string{target}}).Validate(tinyDims); err != nil {
			t.Errorf("target %q: %v", target, err)
		}
	}
	targets[0] = "edited"
	if Targets()[0] != "q" {
		t.Errorf("editing the returned slice changed the list: %q", Targets())
	}
}
