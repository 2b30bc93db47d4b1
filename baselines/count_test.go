package baselines

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// countShapes are encoders and decoders of several widths, depths and MLP sizes.
var countShapes = []shape{
	{arch: model.Encoder, d: 16, layers: 3, heads: 2, dff: 40, vocab: 50, maxLn: 32, labels: 2},
	{arch: model.Encoder, d: 32, layers: 1, heads: 4, dff: 32, vocab: 30, maxLn: 20, labels: 1},
	{arch: model.Encoder, d: 24, layers: 4, heads: 3, dff: 96, vocab: 70, maxLn: 40},
	{arch: model.Decoder, d: 24, layers: 4, heads: 2, dff: 64, vocab: 60, maxLn: 48},
	{arch: model.Decoder, d: 8, layers: 2, heads: 2, dff: 16, vocab: 13, maxLn: 12},
	{arch: model.Decoder, d: 40, layers: 6, heads: 5, dff: 100, vocab: 90, maxLn: 64},
}

// countSpecs are settings of the parameter-efficient methods for a model of the given
// number of blocks.
func countSpecs(layers int) []method.Spec {
	var specs []method.Spec
	for _, p := range [][2]int{{1, 0}, {0, 3}, {4, 2}, {8, 0}} {
		specs = append(specs,
			method.Spec{Name: method.PrefixEmbed, Prefix: p[0], Infix: p[1]},
			method.Spec{Name: method.PrefixLayer, Prefix: p[0], Infix: p[1]})
	}
	for _, r := range []int{1, 4, 8} {
		specs = append(specs,
			method.Spec{Name: method.AdapterH, Size: r},
			method.Spec{Name: method.AdapterL, Size: r},
			method.Spec{Name: method.AdapterP, Size: r},
			method.Spec{Name: method.AdapterD, Size: r, DropK: 0},
			method.Spec{Name: method.AdapterD, Size: r, DropK: layers - 1})
	}
	return specs
}

// TestPaperCountEqualsActual applies each parameter-efficient method to each shape and
// checks that the elements of its trainable tensors equal the paper's formula, that the
// names are unique, and that the trainable base tensors are exactly the ones the method
// trains.
func TestPaperCountEqualsActual(t *testing.T) {
	for _, s := range countShapes {
		for _, spec := range countSpecs(s.layers) {
			t.Run(s.String()+"/"+strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
				m, err := model.NewModel(s.config(), 1)
				if err != nil {
					t.Fatal(err)
				}
				meth := applied(t, spec, m, 1)
				c, err := tuner.Count(meth, m)
				if err != nil {
					t.Fatal(err)
				}
				if c.Trainable != c.Paper {
					t.Errorf("trainable %d, paper formula %d", c.Trainable, c.Paper)
				}
				checkTrainableSet(t, meth, m)
			})
		}
	}
}

// TestSubsetCounts checks FT, FTTop2 and BitFit against their definitions, counted here
// from the checkpoint names of the base tensors, and against the paper's formulas.
func TestSubsetCounts(t *testing.T) {
	definitions := []struct {
		name   string
		trains func(tensor string, layers int) bool
	}{
		{method.FT, func(n string, _ int) bool { return !strings.HasPrefix(n, "head.") }},
		{method.FTTop2, func(n string, layers int) bool {
			return strings.HasPrefix(n, fmt.Sprintf("blocks.%d.", layers-1)) ||
				(layers >= 2 && strings.HasPrefix(n, fmt.Sprintf("blocks.%d.", layers-2)))
		}},
		{method.BitFit, func(n string, _ int) bool { return strings.HasSuffix(n, ".bias") && !strings.HasPrefix(n, "head.") }},
	}
	for _, s := range countShapes {
		for _, def := range definitions {
			t.Run(s.String()+"/"+def.name, func(t *testing.T) {
				m, err := model.NewModel(s.config(), 1)
				if err != nil {
					t.Fatal(err)
				}
				meth := applied(t, method.Spec{Name: def.name}, m, 1)
				var want []string
				wantCount := 0
				for _, p := range m.Params() {
					if def.trains(p.Name, s.layers) {
						want = append(want, p.Name)
						wantCount += p.Len()
					}
				}
				if got := names(meth.Trainable()); !slices.Equal(got, want) {
					t.Errorf("trainable tensors\n got %v\nwant %v", got, want)
				}
				c, err := tuner.Count(meth, m)
				if err != nil {
					t.Fatal(err)
				}
				if c.Trainable != wantCount || c.Paper != wantCount {
					t.Errorf("trainable %d, paper formula %d, definition %d", c.Trainable, c.Paper, wantCount)
				}
				checkTrainableSet(t, meth, m)
			})
		}
	}
}

// checkTrainableSet checks that meth's tensors have unique names and are all trainable,
// and that every base tensor (head included: the trainer unfreezes it) is trainable if and
// only if meth lists it.
func checkTrainableSet(t *testing.T, meth tuner.Method, m *model.Model) {
	t.Helper()
	listed := map[*nn.Tensor]bool{}
	seen := map[string]bool{}
	for _, p := range meth.Trainable() {
		if seen[p.Name] {
			t.Errorf("two trainable tensors named %q", p.Name)
		}
		seen[p.Name] = true
		listed[p] = true
		if !p.Trainable {
			t.Errorf("%s is listed but not trainable", p.Name)
		}
	}
	for _, p := range m.Params() {
		if p.Trainable != listed[p] {
			t.Errorf("base tensor %s: trainable %v, listed %v", p.Name, p.Trainable, listed[p])
		}
	}
}

func names(ts []*nn.Tensor) []string {
	out := make([]string, len(ts))
	for i, p := range ts {
		out[i] = p.Name
	}
	return out
}
