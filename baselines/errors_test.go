package baselines

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/tuner"
)

// TestNewRejects feeds New settings it cannot build and checks the error names the problem.
func TestNewRejects(t *testing.T) {
	cases := []struct {
		spec method.Spec
		want string
	}{
		{method.Spec{Name: "adapter_x", Size: 4}, `unknown method "adapter_x"`},
		{method.Spec{Name: ""}, `unknown method ""`},
		{method.Spec{Name: method.AdapterH}, "size 0 out of range"},
		{method.Spec{Name: method.AdapterP, Size: -2}, "size -2 out of range"},
		{method.Spec{Name: method.AdapterH, Size: 4, DropK: 1}, `adapter_h has no key "drop_k"`},
		{method.Spec{Name: method.AdapterD, Size: 4, DropK: -1}, "drop_k -1 out of range"},
		{method.Spec{Name: method.PrefixEmbed}, "prefix+infix >= 1"},
		{method.Spec{Name: method.PrefixLayer, Prefix: 3, Infix: -1}, "infix -1 out of range"},
	}
	for _, c := range cases {
		t.Run(c.spec.Label(), func(t *testing.T) {
			meth, err := tuner.New(c.spec)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("tuner.New(%+v) = %v, %v; want an error containing %q", c.spec, meth, err, c.want)
			}
		})
	}
}

// TestApplyRejects checks the settings that only the model can refute, and a second Apply.
func TestApplyRejects(t *testing.T) {
	s := tinyShapes[1] // decoder, d=8, 3 blocks, max_len 12
	cases := []struct {
		spec method.Spec
		want string
	}{
		{method.Spec{Name: method.AdapterH, Size: 9}, "size 9 out of range [1, d_model=8]"},
		{method.Spec{Name: method.AdapterD, Size: 2, DropK: 3}, "drop_k 3 out of range [0, layers - 1=2]"},
		{method.Spec{Name: method.PrefixLayer, Prefix: 8, Infix: 4}, "uses 12 slots, at least max_len=12"},
	}
	for _, c := range cases {
		t.Run(c.spec.Label(), func(t *testing.T) {
			meth, err := tuner.New(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			m := newRandomModel(t, s, 1)
			err = meth.Apply(m, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Apply = %v; want an error containing %q", err, c.want)
			}
			if len(m.EmbedHooks) > 0 || len(m.Blocks[2].AfterMLP) > 0 || len(m.Blocks[2].OutHooks) > 0 || m.NumTrainable() != m.NumParams() {
				t.Errorf("a rejected Apply changed the model")
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		meth := applied(t, method.Spec{Name: method.BitFit}, newRandomModel(t, s, 1), 1)
		if err := meth.Apply(newRandomModel(t, s, 1), 1); err == nil || !strings.Contains(err.Error(), "already applied") {
			t.Errorf("second Apply = %v, want an 'already applied' error", err)
		}
	})
	t.Run("nil model", func(t *testing.T) {
		meth, _ := tuner.New(method.Spec{Name: method.FT})
		if err := meth.Apply(nil, 1); err == nil {
			t.Errorf("Apply(nil) succeeded")
		}
	})
}

// TestMerge checks the merge contract: nothing to merge for the methods that train base
// tensors, tuner.ErrCannotMerge for adapters and prefixes, and no change to the outputs.
func TestMerge(t *testing.T) {
	s := tinyShapes[1]
	for _, spec := range allSpecs(s.layers) {
		t.Run(strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
			m := newRandomModel(t, s, 1)
			meth := applied(t, spec, m, 1)
			randomize(meth.Trainable(), 2)
			lp, li := meth.Slots()
			b := slotBatch(rand.New(rand.NewPCG(1, 1)), s.vocab, 1, 6, lp, li, 0)
			before := outputs(m, b)
			wantErr := lp+li > 0 || strings.HasPrefix(spec.Name, "adapter")
			for _, op := range []func() error{meth.Merge, meth.Unmerge} {
				err := op()
				if got := errors.Is(err, tuner.ErrCannotMerge); got != wantErr || (!wantErr && err != nil) {
					t.Errorf("merge/unmerge = %v, want ErrCannotMerge: %v", err, wantErr)
				}
			}
			if got := outputs(m, b); !slices.Equal(bits(got), bits(before)) {
				t.Errorf("merge/unmerge changed the outputs")
			}
		})
	}
}
