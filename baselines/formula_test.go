package baselines

import (
	"testing"

	"loralab/method"
)

// TestPaperParams checks each baseline's formula against the paper's (Section 5.1), worked
// by hand for d=8, L=3, d_ff=32, V=100, max_len=16.
func TestPaperParams(t *testing.T) {
	dims := method.Dims{Arch: "decoder", Vocab: 100, DModel: 8, Layers: 3, DFF: 32, MaxLen: 16}
	cases := []struct {
		spec method.Spec
		want int
	}{
		{method.Spec{Name: method.PrefixEmbed, Prefix: 4, Infix: 2}, 8 * 6},            // d(lp+li)
		{method.Spec{Name: method.PrefixLayer, Prefix: 4, Infix: 2}, 3 * 8 * 6},        // L d(lp+li)
		{method.Spec{Name: method.AdapterH, Size: 2}, 6*(2*8*2+2+8) + 2*6*8},           // 6 adapters, 6 LNs: 6*42+96
		{method.Spec{Name: method.AdapterL, Size: 2}, 3*(2*8*2+2+8) + 2*3*8},           // 3*42+48
		{method.Spec{Name: method.AdapterP, Size: 2}, 3 * (2*8*2 + 2 + 8)},             // 126
		{method.Spec{Name: method.AdapterD, Size: 2, DropK: 1}, 4*(2*8*2+2+8) + 2*4*8}, // 168+64
		// per block biases: q,k,v,o 4*8 + fc1 32 + fc2 8 + two LayerNorm biases 2*8 = 88;
		// 3 blocks, plus the bias of the final LayerNorm: 264 + 8
		{method.Spec{Name: method.BitFit}, 88*3 + 8},
		// block: 4*64 + 2*8*32 + 88 + 16 = 872
		{method.Spec{Name: method.FTTop2}, 2 * 872},
		{method.Spec{Name: method.FT}, 100*8 + 16*8 + 3*872 + 16},
	}
	for _, c := range cases {
		got, err := method.PaperParams(c.spec, dims)
		if err != nil {
			t.Fatalf("%s: %v", c.spec.Label(), err)
		}
		if got != c.want {
			t.Errorf("%s: PaperParams = %d, want %d", c.spec.Label(), got, c.want)
		}
	}
}

// TestLabelsAndProblems checks the baselines' labels and the problems their kinds report.
func TestLabelsAndProblems(t *testing.T) {
	labels := map[string]method.Spec{
		"adapter_h r=16":         {Name: method.AdapterH, Size: 16},
		"adapter_d r=4 drop=2":   {Name: method.AdapterD, Size: 4, DropK: 2},
		"prefix_layer lp=8 li=2": {Name: method.PrefixLayer, Prefix: 8, Infix: 2},
		"bitfit":                 {Name: method.BitFit},
	}
	for want, s := range labels {
		if got := s.Label(); got != want {
			t.Errorf("Label = %q, want %q", got, want)
		}
	}
	dims := method.Dims{Arch: "decoder", Vocab: 100, DModel: 8, Layers: 3, DFF: 32, MaxLen: 16}
	problems := []struct {
		spec method.Spec
		keys []string
	}{
		{method.Spec{Name: method.AdapterD, Size: 0, DropK: 3}, []string{"size", "drop_k"}},
		{method.Spec{Name: method.PrefixEmbed}, []string{"prefix"}},
		{method.Spec{Name: method.PrefixLayer, Prefix: 10, Infix: 6}, []string{"infix"}},
		{method.Spec{Name: method.BitFit, Rank: 2}, []string{"rank"}},
	}
	for _, c := range problems {
		var keys []string
		for _, p := range c.spec.Problems(dims) {
			keys = append(keys, p.Key)
		}
		if len(keys) != len(c.keys) {
			t.Errorf("%+v: problems at %q, want %q", c.spec, keys, c.keys)
			continue
		}
		for i := range keys {
			if keys[i] != c.keys[i] {
				t.Errorf("%+v: problems at %q, want %q", c.spec, keys, c.keys)
			}
		}
	}
}
