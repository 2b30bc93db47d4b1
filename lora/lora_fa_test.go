package lora

import (
	"path/filepath"
	"strings"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

func faSpec(r int, targets ...string) method.Spec {
	return method.Spec{Name: NameFA, Rank: r, Alpha: 2 * float64(r), Targets: targets}
}

func applyFA(t *testing.T, m *model.Model, spec method.Spec, seed uint64) *FA {
	t.Helper()
	meth, err := tuner.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := meth.Apply(m, seed); err != nil {
		t.Fatal(err)
	}
	return meth.(*FA)
}

// TestFACountsAndFormula checks that only B trains, and that the count equals the formula
// d_out·r per adapted matrix on several shapes and target sets.
func TestFACountsAndFormula(t *testing.T) {
	cases := []struct {
		arch string
		spec method.Spec
	}{
		{model.Decoder, faSpec(2, "q", "v")},
		{model.Encoder, faSpec(3, "q", "k", "v", "o", "fc1", "fc2", "emb")},
		{model.Encoder, method.Spec{Name: NameFA, Rank: 1, Targets: []string{"fc1"}, Layers: []int{1}}},
	}
	for _, c := range cases {
		m := newTestModel(t, testConfig(c.arch), 1)
		f := applyFA(t, m, c.spec, 2)
		counts, err := tuner.Count(f, m)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, b := range f.Trainable() {
			want += b.Shape[0] * c.spec.Rank // B is [d_out, r]
			if !b.Trainable || !strings.HasSuffix(b.Name, "lora_B") && !strings.HasSuffix(b.Name, "lora_embedding_B") {
				t.Errorf("%s: trained tensor %s is not a trainable B", c.spec.Label(), b.Name)
			}
		}
		for _, a := range f.Frozen() {
			if a.Trainable || a.Grad != nil {
				t.Errorf("%s: A %s trains", c.spec.Label(), a.Name)
			}
		}
		if counts.Trainable != want || counts.Paper != want {
			t.Errorf("%s: counts %+v, want %d by the formula", c.spec.Label(), counts, want)
		}
		if got := c.spec.Label(); !strings.HasPrefix(got, NameFA+" r=") {
			t.Errorf("label %q", got)
		}
	}
}

// TestFAGradients checks B's gradients against finite differences, and that A gets none.
func TestFAGradients(t *testing.T) {
	m := newTestModel(t, testConfig(model.Encoder), 3)
	f := applyFA(t, m, faSpec(2, "q", "v", "fc1"), 4)
	randomize(f.Trainable(), 5, 0.5)
	b := randomBatch(6, m.Cfg.Vocab, 2, 6)
	loss := func(tp *nn.Tape) *nn.Tensor {
		h := m.Forward(tp, b, &model.Context{Batch: b, Train: true, Seed: 1})
		return tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), []int32{1, 0}, -1, 0)
	}
	gradcheck.Check(t, f.Trainable(), loss, 8)
	for _, a := range f.Frozen() {
		if a.Grad != nil {
			t.Errorf("A %s has a gradient buffer", a.Name)
		}
	}
}

// TestFASaveLoadMerge checks that a checkpoint restores both factors (A is not retrained
// but is kept), and that merging gives the unmerged outputs.
func TestFASaveLoadMerge(t *testing.T) {
	cfg := testConfig(model.Decoder)
	m := newTestModel(t, cfg, 1)
	f := applyFA(t, m, faSpec(2, "q", "v"), 2)
	randomize(f.Trainable(), 3, 0.5)
	b := randomBatch(4, cfg.Vocab, 2, 5)
	want := output(m, b, 1)
	path := filepath.Join(t.TempDir(), "fa.safetensors")
	if _, err := tuner.Save(path, f, nil); err != nil {
		t.Fatal(err)
	}
	m2 := newTestModel(t, cfg, 1)
	g := applyFA(t, m2, faSpec(2, "q", "v"), 99) // another seed: a different A until loaded
	if err := tuner.Load(path, g, nil); err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(output(m2, b, 1), want); d != 0 {
		t.Fatalf("loaded model differs by %g", d)
	}
	if err := g.Merge(); err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(output(m2, b, 1), want); d > 1e-5 {
		t.Fatalf("merged model differs by %g", d)
	}
	if err := g.Unmerge(); err != nil {
		t.Fatal(err)
	}
}

// TestFAPEFTExport checks that LoRA-FA exports as a plain LoRA adapter that loads back.
func TestFAPEFTExport(t *testing.T) {
	cfg := testConfig(model.Encoder)
	m := newTestModel(t, cfg, 1)
	f := applyFA(t, m, faSpec(2, "q", "v"), 2)
	randomize(f.Trainable(), 3, 0.5)
	b := randomBatch(4, cfg.Vocab, 2, 5)
	want := output(m, b, 1)
	dir := t.TempDir()
	if err := tuner.ExportRun(f, dir); err != nil {
		t.Fatal(err)
	}
	m2 := newTestModel(t, cfg, 1)
	if _, err := ImportPEFT(dir, m2); err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(output(m2, b, 1), want); d > 1e-6 {
		t.Fatalf("imported adapter differs by %g", d)
	}
}
