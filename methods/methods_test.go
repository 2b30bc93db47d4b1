package methods

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/nn"
	"loralab/tuner"
)

// sizedSpec is a small setting of kind k: its needed keys (its size, or a prefix length) at 2,
// its defaults filled.
func sizedSpec(k method.Kind) method.Spec {
	s := method.Spec{Name: k.Name}
	for _, name := range k.Needed() {
		key, _ := k.Key(name)
		s.Set(key, 2)
	}
	return s.WithDefaults()
}

// TestEveryMethod holds every registered method to the registry's contract, on encoders and
// decoders of two shapes: its count of trainable elements equals its formula, a checkpoint
// restores what it trained, and Merge either folds the update (the outputs do not change) or
// says it cannot. A method added in a new file is checked here without a line of this test.
func TestEveryMethod(t *testing.T) {
	shapes := []model.Config{
		{Arch: model.Encoder, Vocab: 30, DModel: 8, Layers: 2, Heads: 2, DFF: 24, MaxLen: 12, Activation: "gelu", LNEps: 1e-5, NumLabels: 3},
		{Arch: model.Decoder, Vocab: 40, DModel: 12, Layers: 3, Heads: 3, DFF: 20, MaxLen: 10, Activation: "relu", LNEps: 1e-5},
	}
	kinds := method.Kinds()
	if len(kinds) < 12 {
		t.Fatalf("%d methods registered: %q", len(kinds), method.Names())
	}
	for _, k := range kinds {
		for _, cfg := range shapes {
			t.Run(k.Name+"/"+cfg.Arch, func(t *testing.T) { checkMethod(t, sizedSpec(k), cfg) })
		}
	}
}

func checkMethod(t *testing.T, spec method.Spec, cfg model.Config) {
	if err := spec.Validate(arch.DimsOf(cfg)); err != nil {
		t.Fatal(err)
	}
	m, meth := build(t, spec, cfg)
	c, err := tuner.Count(meth, m)
	if err != nil {
		t.Fatal(err)
	}
	if c.Trainable != c.Paper {
		t.Errorf("%s: %d trainable elements, formula %d", spec.Label(), c.Trainable, c.Paper)
	}
	for _, p := range meth.Trainable() {
		for i := range p.Data {
			p.Data[i] += 0.01 * float32(i%7+1) // move off the initialisation
		}
	}
	b := batch(meth)
	want := forward(m, b)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if _, err := tuner.Save(path, meth, nil); err != nil {
		t.Fatal(err)
	}
	m2, meth2 := build(t, spec, cfg)
	if err := tuner.Load(path, meth2, nil); err != nil {
		t.Fatal(err)
	}
	if got := forward(m2, b); !slices.Equal(got, want) {
		t.Errorf("%s: the loaded model computes other outputs", spec.Label())
	}
	switch err := meth.Merge(); {
	case errors.Is(err, tuner.ErrCannotMerge):
	case err != nil:
		t.Fatalf("merge: %v", err)
	default:
		if d := maxDiff(forward(m, b), want); d > 1e-4 {
			t.Errorf("%s: merged outputs differ by %g", spec.Label(), d)
		}
		if err := meth.Unmerge(); err != nil {
			t.Fatal(err)
		}
	}
}

// build applies spec to a fresh random model of cfg.
func build(t *testing.T, spec method.Spec, cfg model.Config) (*model.Model, tuner.Method) {
	t.Helper()
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	meth, err := tuner.New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := meth.Apply(m, 2); err != nil {
		t.Fatal(err)
	}
	return m, meth
}

// batch is two sequences of 4 tokens, whose first rows are the method's slots when it has
// some (prefix methods).
func batch(meth tuner.Method) *model.Batch {
	b := &model.Batch{IDs: []int32{1, 2, 3, 4, 5, 6, 7, 8}, B: 2, T: 4}
	lp, li := meth.Slots()
	for seq := range b.B {
		for i := range lp + li {
			b.Slots = append(b.Slots, int32(seq*b.T+i))
			b.SlotIDs = append(b.SlotIDs, int32(i))
		}
	}
	return b
}

// forward runs the model on b and returns the head's or the LM's logits.
func forward(m *model.Model, b *model.Batch) []float32 {
	tp := nn.NewTape(1)
	tp.SetGrad(false)
	h := m.Forward(tp, b, &model.Context{Batch: b})
	if m.Head != nil {
		return slices.Clone(m.HeadLogits(tp, h, b.B, b.T).Data)
	}
	return slices.Clone(m.LMLogits(tp, h).Data)
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, float64(abs(a[i]-b[i])))
	}
	return d
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
