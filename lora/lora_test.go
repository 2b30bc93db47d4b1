package lora

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

func TestNewRejectsBadSettings(t *testing.T) {
	cases := []struct {
		name string
		spec method.Spec
		want string
	}{
		{"other method", method.Spec{Name: method.FT}, `method "ft"`},
		{"rank 0", loraSpec(0, "q"), "rank 0"},
		{"no target", loraSpec(4), "at least one target"},
		{"unknown target", loraSpec(4, "q", "w"), `unknown targets entry "w"`},
		{"target twice", loraSpec(4, "v", "v"), `targets entry "v" repeated`},
		{"negative alpha", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Alpha: -1}, "alpha -1"},
		{"NaN alpha", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Alpha: math.NaN()}, "alpha NaN"},
		{"dropout 1", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Dropout: 1}, "dropout 1"},
		{"scaling", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Scaling: "sqrt"}, `scaling "sqrt"`},
		{"init", method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Init: "zeros"}, `init "zeros"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.spec)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New(%+v) = %v, want an error containing %q", c.spec, err, c.want)
			}
		})
	}
}

func TestApplyRejectsSettingsThatDoNotFitTheModel(t *testing.T) {
	cfg := testConfig(model.Decoder) // d_model 8, 2 layers
	cases := []struct {
		name string
		spec method.Spec
		want string
	}{
		{"rank above d_model", loraSpec(9, "q"), "rank 9 out of range"},
		{"layer out of range", method.Spec{Name: method.LoRA, Rank: 2, Targets: []string{"q"}, Layers: []int{2}}, "layers 2 out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := New(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			err = l.Apply(newTestModel(t, cfg, 1), 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Apply = %v, want an error containing %q", err, c.want)
			}
		})
	}
	l := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(2, "q"), 1)
	if err := l.Apply(newTestModel(t, cfg, 1), 1); err == nil || !strings.Contains(err.Error(), "already applied") {
		t.Errorf("second Apply = %v, want an 'already applied' error", err)
	}
}

func TestScaleAndAlpha(t *testing.T) {
	cases := []struct {
		rank           int
		alpha          float64
		scaling        string
		wantAlpha      float64
		wantScale      float64
		wantLabelRSSuf bool
	}{
		{8, 0, "", 8, 1, false},           // alpha defaults to r: s = 1
		{8, 16, "standard", 16, 2, false}, // s = alpha/r
		{4, 8, "", 8, 2, false},
		{64, 8, "", 8, 0.125, false},   // the paper's rank sweep: alpha fixed at the first r
		{16, 0, "rslora", 16, 4, true}, // s = alpha/sqrt(r) = sqrt(16)
		{4, 8, "rslora", 8, 4, true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("r=%d/alpha=%g/%s", c.rank, c.alpha, c.scaling), func(t *testing.T) {
			l, err := New(method.Spec{Name: method.LoRA, Rank: c.rank, Alpha: c.alpha, Scaling: c.scaling, Targets: []string{"q"}})
			if err != nil {
				t.Fatal(err)
			}
			if l.Alpha() != c.wantAlpha || math.Abs(float64(l.Scale())-c.wantScale) > 1e-7 {
				t.Errorf("alpha %g, scale %g; want %g, %g", l.Alpha(), l.Scale(), c.wantAlpha, c.wantScale)
			}
			if got := strings.HasSuffix(l.Spec().Label(), " rs"); got != c.wantLabelRSSuf {
				t.Errorf("label %q", l.Spec().Label())
			}
		})
	}
}

// TestInit checks A's distribution (Kaiming-uniform bound 1/sqrt(fan_in), or N(0, (1/r)²)),
// that B starts at zero, that the draw depends on the seed and on the matrix's name only,
// and the tensor names.
func TestInit(t *testing.T) {
	cfg := model.Config{Arch: model.Decoder, Vocab: 50, DModel: 64, Layers: 2, Heads: 4, DFF: 256, MaxLen: 16,
		Activation: "gelu", LNEps: 1e-5}
	cases := []struct {
		aInit  string
		rank   int
		target string
		fanIn  int
	}{
		{InitKaiming, 8, "q", 64},
		{InitKaiming, 4, "fc2", 256},
		{InitKaiming, 8, "emb", 50},
		{InitGaussian, 8, "v", 64},
		{InitGaussian, 2, "fc1", 64},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/r=%d/%s", c.aInit, c.rank, c.target), func(t *testing.T) {
			m := newTestModel(t, cfg, 1)
			spec := loraSpec(c.rank, c.target)
			spec.Init = c.aInit
			l := applyLoRA(t, m, spec, 5)
			ts := l.Trainable()
			a, b := ts[0], ts[1]
			if slices.ContainsFunc(b.Data, func(v float32) bool { return v != 0 }) {
				t.Errorf("%s is not zero", b.Name)
			}
			var sum, sumSq, maxAbs float64
			for _, v := range a.Data {
				sum += float64(v)
				sumSq += float64(v) * float64(v)
				maxAbs = max(maxAbs, math.Abs(float64(v)))
			}
			n := float64(a.Len())
			mean, std := sum/n, math.Sqrt(sumSq/n-(sum/n)*(sum/n))
			var wantStd float64
			if c.aInit == InitKaiming {
				bound := 1 / math.Sqrt(float64(c.fanIn))
				if maxAbs > bound || maxAbs < 0.95*bound {
					t.Errorf("max |A| = %g, want just below the bound %g", maxAbs, bound)
				}
				wantStd = bound / math.Sqrt(3)
			} else {
				wantStd = 1 / float64(c.rank)
			}
			if tol := 4 * wantStd / math.Sqrt(n); math.Abs(mean) > tol {
				t.Errorf("mean of A %g, want 0 ± %g", mean, tol)
			}
			if math.Abs(std-wantStd) > 4*wantStd/math.Sqrt(2*n) { // four standard errors
				t.Errorf("std of A %g, want %g", std, wantStd)
			}
		})
	}
	t.Run("seed and name", func(t *testing.T) {
		qOnly := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "q"), 5)
		qv := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "q", "v"), 5)
		other := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "q"), 6)
		if i := firstDifference(qOnly.Trainable()[0].Data, qv.Trainable()[0].Data); i >= 0 {
			t.Errorf("A of blocks.0.attn.q depends on the other targets (element %d)", i)
		}
		if firstDifference(qOnly.Trainable()[0].Data, other.Trainable()[0].Data) < 0 {
			t.Error("seeds 5 and 6 draw the same A")
		}
		if firstDifference(qv.Trainable()[0].Data, qv.Trainable()[2].Data) < 0 {
			t.Error("q and v draw the same A")
		}
		// Two ranks draw independent A: a shared stream would make A at r=2 the first rows
		// of A at r=4, and the subspace similarity of the two would be 1 before training.
		r2 := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(2, "q"), 5).Trainable()[0].Data
		r4 := qOnly.Trainable()[0].Data
		if firstDifference(r2, r4[:len(r2)]) < 0 {
			t.Error("A at r=2 is the start of A at r=4: ranks share their initialisation")
		}
	})
}

func TestTensorNames(t *testing.T) {
	m := newTestModel(t, testConfig(model.Decoder), 1)
	spec := loraSpec(2, "v", "emb", "fc1")
	spec.Layers = []int{1}
	l := applyLoRA(t, m, spec, 1)
	var names []string
	for _, p := range l.Trainable() {
		names = append(names, fmt.Sprintf("%s%v", p.Name, p.Shape))
	}
	want := []string{
		"tok_emb.lora_embedding_A[13 2]", "tok_emb.lora_embedding_B[8 2]",
		"blocks.1.attn.v.lora_A[2 8]", "blocks.1.attn.v.lora_B[8 2]",
		"blocks.1.mlp.fc1.lora_A[2 8]", "blocks.1.mlp.fc1.lora_B[16 2]",
	}
	if !slices.Equal(names, want) {
		t.Errorf("trainable tensors %v, want %v", names, want)
	}
	if got := len(m.Blocks[0].V.Deltas) + len(m.Blocks[1].Q.Deltas); got != 0 {
		t.Errorf("%d updates installed outside the chosen layers and targets", got)
	}
	if len(m.Blocks[1].V.Deltas) != 1 || len(m.Blocks[1].FC1.Deltas) != 1 || len(m.EmbedHooks) != 1 {
		t.Error("updates not installed on blocks.1 v, fc1 and the embedding")
	}
}

// TestTrainableCountMatchesPaper: the elements of the trainable tensors equal
// method.PaperParams (2 L d r for square targets; r (in + out) per matrix in general; the
// embedding once).
func TestTrainableCountMatchesPaper(t *testing.T) {
	shapes := []model.Config{
		{Arch: model.Decoder, Vocab: 50, DModel: 16, Layers: 3, Heads: 2, DFF: 64, MaxLen: 8, Activation: "gelu", LNEps: 1e-5},
		{Arch: model.Encoder, Vocab: 30, DModel: 24, Layers: 2, Heads: 4, DFF: 40, MaxLen: 8, Activation: "gelu", LNEps: 1e-5, NumLabels: 2},
	}
	specs := []method.Spec{
		loraSpec(1, "q"),
		loraSpec(4, "q", "v"),
		loraSpec(8, "q", "k", "v", "o"),
		loraSpec(2, "fc1", "fc2"),
		{Name: method.LoRA, Rank: 3, Targets: []string{"v", "fc2"}, Layers: []int{0, 1}},
		loraSpec(2, "emb", "q"),
		{Name: method.LoRA, Rank: 2, Targets: []string{"emb", "o"}, Layers: []int{1}},
	}
	for _, cfg := range shapes {
		for _, spec := range specs {
			t.Run(fmt.Sprintf("%s-d%d/%s/layers%v", cfg.Arch, cfg.DModel, spec.Label(), spec.Layers), func(t *testing.T) {
				m := newTestModel(t, cfg, 1)
				l := applyLoRA(t, m, spec, 1)
				counts, err := tuner.Count(l, m)
				if err != nil {
					t.Fatal(err)
				}
				if counts.Trainable != counts.Paper {
					t.Errorf("trainable %d, paper formula %d", counts.Trainable, counts.Paper)
				}
				if m.NumTrainable() != 0 {
					t.Errorf("%d base parameters still trainable", m.NumTrainable())
				}
			})
		}
	}
	t.Run("square targets: 2 L d r", func(t *testing.T) {
		cfg := shapes[0]
		l := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "q", "v"), 1)
		n := 0
		for _, p := range l.Trainable() {
			n += p.Len()
		}
		if want := 2 * cfg.Layers * cfg.DModel * 4 * 2; n != want { // two matrices of r (d + d)
			t.Errorf("trainable %d, want %d", n, want)
		}
	})
	t.Run("embedding: r (vocab + d) once", func(t *testing.T) {
		cfg := shapes[0]
		l := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "emb", "q"), 1)
		n := 0
		for _, p := range l.Trainable() {
			n += p.Len()
		}
		if want := 4*(cfg.Vocab+cfg.DModel) + cfg.Layers*4*2*cfg.DModel; n != want {
			t.Errorf("trainable %d, want %d", n, want)
		}
	})
}

// TestFreshModelEqualsBase: with B = 0 the adapted model computes exactly what the base does.
func TestFreshModelEqualsBase(t *testing.T) {
	for _, arch := range []string{model.Decoder, model.Encoder} {
		for _, targets := range [][]string{{"q", "v"}, {"q", "k", "v", "o", "fc1", "fc2", "emb"}} {
			t.Run(arch+"/"+strings.Join(targets, ","), func(t *testing.T) {
				m := newTestModel(t, testConfig(arch), 1)
				b := randomBatch(2, m.Cfg.Vocab, 2, 5)
				base := output(m, b, 1)
				applyLoRA(t, m, loraSpec(4, targets...), 3)
				if i := firstDifference(output(m, b, 1), base); i >= 0 {
					t.Errorf("fresh LoRA model differs from the base model at element %d", i)
				}
			})
		}
	}
}

// TestEmbeddingNeedsTheBatch: the embedding update panics with a clear message when the
// context does not carry the token ids of the rows it gets.
func TestEmbeddingNeedsTheBatch(t *testing.T) {
	m := newTestModel(t, testConfig(model.Decoder), 1)
	l := applyLoRA(t, m, loraSpec(2, "emb"), 1)
	x := nn.New(3, m.Cfg.DModel)
	cases := []struct {
		name string
		ctx  *model.Context
		want string
	}{
		{"no context", nil, "the context has no batch"},
		{"no batch", &model.Context{}, "the context has no batch"},
		{"other batch", &model.Context{Batch: &model.Batch{B: 1, T: 2, IDs: []int32{1, 2}}}, "3 rows, but the context's batch has 2 token ids"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, c.want) {
					t.Errorf("panic %q, want one containing %q", msg, c.want)
				}
			}()
			l.Embedding().Forward(nn.NewTape(1), x, c.ctx)
		})
	}
}
