package train

import (
	"testing"

	"loralab/nn"
)

// TestParamGroups checks the split by decay and by learning-rate factor, in order of first
// appearance, with every tensor in exactly one group.
func TestParamGroups(t *testing.T) {
	a, b := nn.NewParam("a", 2, 3), nn.NewParam("b", 3, 2)
	a2, b2 := nn.NewParam("a2", 2, 3), nn.NewParam("b2", 3, 2)
	bias, gain := nn.NewParam("bias", 3), nn.NewParam("gain", 3)
	scale := map[*nn.Tensor]float32{b: 16, b2: 16, gain: 4}
	gs := paramGroups([]*nn.Tensor{a, b, bias, a2, b2, gain}, 0.1, func(t *nn.Tensor) float32 {
		if s, ok := scale[t]; ok {
			return s
		}
		return 1
	})
	want := []struct {
		name   string
		params []*nn.Tensor
		lr     float32
		decay  float32
	}{
		{"decay", []*nn.Tensor{a, a2}, 1, 0.1},
		{"decay lr×16", []*nn.Tensor{b, b2}, 16, 0.1},
		{"no_decay", []*nn.Tensor{bias}, 1, 0},
		{"no_decay lr×4", []*nn.Tensor{gain}, 4, 0},
	}
	if len(gs) != len(want) {
		t.Fatalf("%d groups, want %d", len(gs), len(want))
	}
	for i, w := range want {
		g := gs[i]
		if g.Name != w.name || g.LRScale != w.lr || g.WeightDecay != w.decay || len(g.Params) != len(w.params) {
			t.Fatalf("group %d = %s ×%g decay %g %d tensors, want %+v", i, g.Name, g.LRScale, g.WeightDecay, len(g.Params), w)
		}
		for j := range w.params {
			if g.Params[j] != w.params[j] {
				t.Errorf("group %s: tensor %d is %s, want %s", g.Name, j, g.Params[j].Name, w.params[j].Name)
			}
		}
	}
}

func TestSameParams(t *testing.T) {
	a, b, c := nn.NewParam("a", 2), nn.NewParam("b", 2), nn.NewParam("c", 2)
	for _, tc := range []struct {
		params []*nn.Tensor
		groups [][]*nn.Tensor
		want   bool
	}{
		{[]*nn.Tensor{a, b, c}, [][]*nn.Tensor{{a, c}, {b}}, true},
		{[]*nn.Tensor{a, b, c}, [][]*nn.Tensor{{a, c}}, false},   // b is clipped but not updated
		{[]*nn.Tensor{a, b}, [][]*nn.Tensor{{a, c}, {b}}, false}, // c is updated but not clipped
		{[]*nn.Tensor{a, b}, [][]*nn.Tensor{{a, b}, {b}}, false}, // b twice in the optimizer
		{[]*nn.Tensor{a, b, b}, [][]*nn.Tensor{{a, b}}, false},   // b clipped twice
	} {
		var gs []nn.ParamGroup
		for _, g := range tc.groups {
			gs = append(gs, nn.ParamGroup{Params: g})
		}
		if got := sameParams(tc.params, gs); got != tc.want {
			t.Errorf("sameParams(%v groups) = %v, want %v", len(gs), got, tc.want)
		}
	}
}
