package lora

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
)

// TestMergeUnmerge: merged and unmerged outputs agree to 1e-5 relative, merging takes the
// updates out of the layers, unmerging restores every base weight bit for bit and the
// updates where they were, and merging twice or unmerging unmerged is an error.
func TestMergeUnmerge(t *testing.T) {
	cases := []struct {
		arch string
		spec method.Spec
	}{
		{model.Decoder, loraSpec(4, "q", "v")},
		{model.Decoder, method.Spec{Name: method.LoRA, Rank: 8, Alpha: 16, Targets: []string{"q", "k", "v", "o", "fc1", "fc2", "emb"}}},
		{model.Encoder, method.Spec{Name: method.LoRA, Rank: 2, Targets: []string{"o", "fc1"}, Layers: []int{0}, Scaling: ScalingRSLoRA}},
		{model.Encoder, loraSpec(4, "emb", "k")},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s", c.arch, c.spec.Label()), func(t *testing.T) {
			m := newTestModel(t, testConfig(c.arch), 1)
			base := snapshot(m.Params())
			l := applyLoRA(t, m, c.spec, 2)
			randomize(l.Trainable(), 3, 0.5)
			b := randomBatch(4, m.Cfg.Vocab, 3, 7)
			unmerged := output(m, b, 2)
			if err := l.Unmerge(); !errors.Is(err, ErrNotMerged) {
				t.Errorf("Unmerge before Merge = %v, want ErrNotMerged", err)
			}
			if err := l.Merge(); err != nil {
				t.Fatal(err)
			}
			for _, d := range l.Linears() {
				if len(d.Target.Deltas) != 0 {
					t.Errorf("%s still has %d deltas while merged", d.Target.Name, len(d.Target.Deltas))
				}
			}
			if _, same := sameBits(m.Params(), base); same && len(l.Linears()) > 0 {
				t.Error("Merge changed no base weight")
			}
			if d := maxRelDiff(output(m, b, 2), unmerged); d > 1e-5 {
				t.Errorf("merged output differs from unmerged by %g (relative)", d)
			}
			if err := l.Merge(); !errors.Is(err, ErrMerged) {
				t.Errorf("second Merge = %v, want ErrMerged", err)
			}
			if err := l.Unmerge(); err != nil {
				t.Fatal(err)
			}
			if name, same := sameBits(m.Params(), base); !same {
				t.Errorf("Unmerge left %s different from the base", name)
			}
			if i := firstDifference(output(m, b, 2), unmerged); i >= 0 {
				t.Errorf("output after Unmerge differs from before Merge at element %d", i)
			}
			for _, d := range l.Linears() {
				if len(d.Target.Deltas) != 1 || d.Target.Deltas[0] != model.Delta(d) {
					t.Errorf("%s: deltas %v after Unmerge, want the LoRA update", d.Target.Name, d.Target.Deltas)
				}
			}
		})
	}
}

// TestMergeIsWPlusScaledBA checks Delta and the merged weight against s·B·A and W0 + s·B·A
// computed in float64.
func TestMergeIsWPlusScaledBA(t *testing.T) {
	m := newTestModel(t, testConfig(model.Decoder), 1)
	spec := method.Spec{Name: method.LoRA, Rank: 3, Alpha: 6, Targets: []string{"fc1"}, Layers: []int{1}}
	l := applyLoRA(t, m, spec, 2)
	randomize(l.Trainable(), 3, 0.5)
	d := l.Linears()[0]
	w0 := append([]float32(nil), d.Target.W.Data...)
	if err := l.Merge(); err != nil {
		t.Fatal(err)
	}
	out, in, r := d.Target.Out(), d.Target.In(), 3
	delta := d.Delta()
	for i := range out {
		for j := range in {
			var ba float64
			for k := range r {
				ba += float64(d.B.Data[i*r+k]) * float64(d.A.Data[k*in+j])
			}
			if got := float64(delta.Data[i*in+j]); abs(got-2*ba) > 1e-6 {
				t.Fatalf("Delta()[%d,%d] = %g, want s·(BA) = %g", i, j, got, 2*ba)
			}
			want := float64(w0[i*in+j]) + 2*ba // s = alpha/r = 2
			if got := float64(d.Target.W.Data[i*in+j]); abs(got-want) > 1e-5*(1+abs(want)) {
				t.Fatalf("merged W[%d,%d] = %g, want %g", i, j, got, want)
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestNotApplied: what needs a model fails clearly before Apply.
func TestNotApplied(t *testing.T) {
	l, err := New(loraSpec(2, "q"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
		want string
	}{
		{"Merge", l.Merge, "not applied to a model"},
		{"ExportPEFT", func() error { return l.ExportPEFT(t.TempDir(), ExportOptions{}) }, "not applied to a model"},
		{"Apply(nil)", func() error { return l.Apply(nil, 1) }, "nil model"},
	}
	for _, c := range cases {
		if err := c.call(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s before Apply: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if l.Trainable() != nil || l.Linears() != nil {
		t.Error("tensors before Apply")
	}
}
