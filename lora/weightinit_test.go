package lora

import (
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
)

// testResidualInit is a weight-based init for the test: B takes the first r columns of W,
// and W keeps the residual W - s·B·A, as PiSSA-like inits do.
func testResidualInit(d *Linear) error {
	r, in := d.A.Shape[0], d.A.Shape[1]
	for o := range d.Target.Out() {
		for k := range r {
			d.B.Data[o*r+k] = d.Target.W.Data[o*in+k]
		}
	}
	delta := d.Delta()
	for i := range d.Target.W.Data {
		d.Target.W.Data[i] -= delta.Data[i]
	}
	return nil
}

func init() { RegisterInit("test_residual", testResidualInit) }

// TestWeightInit checks that a registered init is a valid value of init, runs on every
// adapted Linear, keeps the model equal to the base at step 0, and is refused on the
// embedding.
func TestWeightInit(t *testing.T) {
	if !slices.Contains(initNames(), "test_residual") {
		t.Fatalf("init choices %q lack the registered init", initNames())
	}
	cfg := testConfig(model.Encoder)
	base := newTestModel(t, cfg, 1)
	b := randomBatch(2, cfg.Vocab, 2, 5)
	want := output(base, b, 1)
	m := newTestModel(t, cfg, 1)
	spec := method.Spec{Name: method.LoRA, Rank: 2, Alpha: 4, Targets: []string{"q", "fc1"}, Init: "test_residual"}
	l := applyLoRA(t, m, spec, 3)
	for _, d := range l.Linears() {
		if slices.Equal(d.Target.W.Data, mustLinear(t, base, d.Target.Name).W.Data) {
			t.Errorf("%s: base weight not replaced by the residual", d.Target.Name)
		}
		if slices.Max(d.B.Data) == 0 && slices.Min(d.B.Data) == 0 {
			t.Errorf("%s: B left at zero", d.Target.Name)
		}
	}
	if d := maxRelDiff(output(m, b, 1), want); d > 1e-5 {
		t.Errorf("model at step 0 differs from the base by %g", d)
	}
	if err := l.Merge(); err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(output(m, b, 1), want); d > 1e-5 {
		t.Errorf("merged model differs from the base by %g", d)
	}
	spec.Targets = []string{"q", "emb"}
	if _, err := New(spec); err == nil || !strings.Contains(err.Error(), "not emb") {
		t.Errorf("weight init on the embedding: error %v, want one saying it applies to the Linear targets, not emb", err)
	}
}

func mustLinear(t *testing.T, m *model.Model, name string) *model.Linear {
	t.Helper()
	for _, l := range m.Linears() {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("no Linear %s", name)
	return nil
}
