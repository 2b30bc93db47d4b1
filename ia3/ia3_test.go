package ia3

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/nn"
	"loralab/tuner"
)

func config(arch string, d, layers, dff int) model.Config {
	c := model.Config{Arch: arch, Vocab: 40, DModel: d, Layers: layers, Heads: 2, DFF: dff, MaxLen: 16,
		Activation: "gelu", LNEps: 1e-5}
	if arch == model.Encoder {
		c.NumLabels = 3
	}
	return c
}

// applied returns a random model of cfg with (IA)³ applied and its vectors moved off 1.
func applied(t *testing.T, cfg model.Config) (*model.Model, tuner.Method) {
	t.Helper()
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	meth, err := tuner.New(method.Spec{Name: Name})
	if err != nil {
		t.Fatal(err)
	}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	return m, meth
}

func perturb(ts []*nn.Tensor, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, t := range ts {
		for i := range t.Data {
			t.Data[i] = float32(1 + 0.5*rng.NormFloat64())
		}
	}
}

func batch(vocab int) *model.Batch {
	ids := []int32{3, 7, 1, 9, 12, 4, 0, 5, 8, 2}
	for i := range ids {
		ids[i] %= int32(vocab)
	}
	return &model.Batch{IDs: ids, B: 2, T: 5}
}

// output is the model's head logits (encoder) or LM logits (decoder) on b.
func output(m *model.Model, b *model.Batch) []float32 {
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
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestCountEqualsFormula checks that the vectors are L (2d + d_ff) elements on several shapes.
func TestCountEqualsFormula(t *testing.T) {
	for _, cfg := range []model.Config{config(model.Encoder, 8, 2, 32), config(model.Decoder, 12, 3, 20), config(model.Encoder, 6, 1, 6)} {
		m, meth := applied(t, cfg)
		c, err := tuner.Count(meth, m)
		if err != nil {
			t.Fatal(err)
		}
		want := cfg.Layers * (2*cfg.DModel + cfg.DFF)
		if c.Trainable != want || c.Paper != want {
			t.Errorf("%+v: counts %+v, want %d", cfg, c, want)
		}
		if m.NumTrainable() != 0 {
			t.Errorf("%d base parameters train", m.NumTrainable())
		}
	}
}

// TestStartsAtTheBase checks that vectors of ones leave the model unchanged.
func TestStartsAtTheBase(t *testing.T) {
	for _, arch := range []string{model.Encoder, model.Decoder} {
		cfg := config(arch, 8, 2, 16)
		base, err := model.NewModel(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := applied(t, cfg)
		b := batch(cfg.Vocab)
		if d := maxDiff(output(m, b), output(base, b)); d != 0 {
			t.Errorf("%s: adapted model at init differs from the base by %g", arch, d)
		}
	}
}

// TestGradients checks the vectors' gradients against finite differences on both
// architectures' losses.
func TestGradients(t *testing.T) {
	for _, arch := range []string{model.Encoder, model.Decoder} {
		cfg := config(arch, 8, 2, 16)
		m, meth := applied(t, cfg)
		perturb(meth.Trainable(), 2)
		b := batch(cfg.Vocab)
		targets := []int32{7, 1, 9, 12, -1, 0, 5, 8, 2, -1}
		gradcheck.Check(t, meth.Trainable(), func(tp *nn.Tape) *nn.Tensor {
			h := m.Forward(tp, b, &model.Context{Batch: b, Train: true, Seed: 3})
			if m.Head != nil {
				return tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), []int32{2, 0}, -1, 0)
			}
			return tp.CrossEntropy(m.LMLogits(tp, h), targets, -1, 0)
		}, 6)
	}
}

// TestMergeUnmerge checks that the merged model computes the adapted outputs and that
// unmerging restores the base weights bit for bit.
func TestMergeUnmerge(t *testing.T) {
	cfg := config(model.Encoder, 8, 2, 16)
	m, meth := applied(t, cfg)
	perturb(meth.Trainable(), 4)
	var before [][]float32
	for _, p := range m.Params() {
		before = append(before, slices.Clone(p.Data))
	}
	b := batch(cfg.Vocab)
	want := output(m, b)
	if err := meth.Merge(); err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Linears() {
		if len(l.Scales) != 0 {
			t.Fatalf("%s keeps a scale while merged", l.Name)
		}
	}
	if d := maxDiff(output(m, b), want); d > 1e-5 {
		t.Errorf("merged output differs by %g", d)
	}
	if err := meth.Merge(); err == nil {
		t.Error("second Merge: no error")
	}
	if err := meth.Unmerge(); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		if !slices.Equal(p.Data, before[i]) {
			t.Fatalf("Unmerge did not restore %s", p.Name)
		}
	}
	if d := maxDiff(output(m, b), want); d != 0 {
		t.Errorf("unmerged output differs by %g", d)
	}
}

// TestSaveLoad checks that a checkpoint restores the vectors into a fresh application.
func TestSaveLoad(t *testing.T) {
	cfg := config(model.Decoder, 8, 2, 16)
	m, meth := applied(t, cfg)
	perturb(meth.Trainable(), 5)
	b := batch(cfg.Vocab)
	want := output(m, b)
	path := filepath.Join(t.TempDir(), "ia3.safetensors")
	if _, err := tuner.Save(path, meth, nil); err != nil {
		t.Fatal(err)
	}
	m2, meth2 := applied(t, cfg)
	if err := tuner.Load(path, meth2, nil); err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(output(m2, b), want); d != 0 {
		t.Errorf("loaded model differs by %g", d)
	}
}

// TestKind checks the label, the PEFT fields and that ia3 takes no keys.
func TestKind(t *testing.T) {
	s := method.Spec{Name: Name}
	if s.Label() != "ia3" {
		t.Errorf("label %q", s.Label())
	}
	f := Kind.PEFT(s)
	if f["peft_type"] != "IA3" || !slices.Equal(f["target_modules"].([]string), []string{"k", "v", "fc2"}) ||
		!slices.Equal(f["feedforward_modules"].([]string), []string{"fc2"}) {
		t.Errorf("PEFT fields %v", f)
	}
	if _, err := tuner.New(method.Spec{Name: Name, Rank: 4}); err == nil {
		t.Error("ia3 with a rank: no error")
	}
}

// TestPEFTRoundTrip checks the export's layout (PEFT's keys and shapes, its config fields)
// and that importing it into a fresh base gives the same outputs; a config of another
// method is refused.
func TestPEFTRoundTrip(t *testing.T) {
	cfg := config(model.Encoder, 8, 2, 16)
	m, meth := applied(t, cfg)
	perturb(meth.Trainable(), 6)
	b := batch(cfg.Vocab)
	want := output(m, b)
	dir := t.TempDir()
	if err := tuner.ExportRun(meth, dir); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(filepath.Join(dir, tuner.PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for key, shape := range map[string][]int{
		"base_model.model.blocks.1.attn.k.ia3_l":  {8, 1},
		"base_model.model.blocks.0.attn.v.ia3_l":  {8, 1},
		"base_model.model.blocks.1.mlp.fc2.ia3_l": {1, 16},
	} {
		if info, ok := f.Info(key); !ok || !slices.Equal(info.Shape, shape) {
			t.Errorf("%s: %+v, %v; want shape %v", key, info, ok, shape)
		}
	}
	base, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPEFT(dir, base); err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(output(base, b), want); d != 0 {
		t.Errorf("imported adapter differs by %g", d)
	}
	data, _ := os.ReadFile(filepath.Join(dir, tuner.PEFTConfigFile))
	bad := strings.Replace(string(data), `"IA3"`, `"LORA"`, 1)
	if err := os.WriteFile(filepath.Join(dir, tuner.PEFTConfigFile), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh, _ := model.NewModel(cfg, 1)
	if _, err := ImportPEFT(dir, fresh); err == nil || !strings.Contains(err.Error(), "peft_type") {
		t.Errorf("a LORA config: %v", err)
	}
}
