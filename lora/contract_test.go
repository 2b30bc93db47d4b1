package lora

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// checkContract checks what every method of this package owes its callers, for spec on a
// test model of cfg: the model at step 0 is the base model (to 1e-5); the trainable count is
// the kind's formula; backward's gradients match finite differences; tuner.Save and Load
// into a fresh model reproduce the outputs bit for bit; and, for a mergeable kind, the merged
// model computes what the unmerged one does (to 1e-5) and Unmerge restores every base weight
// bit for bit. It returns the applied method.
func checkContract(t *testing.T, cfg model.Config, spec method.Spec) tuner.Method {
	t.Helper()
	m := newTestModel(t, cfg, 3)
	b := randomBatch(6, cfg.Vocab, 2, 5)
	base := output(m, b, 1)
	meth := applyMethod(t, m, spec, 4)
	if d := maxRelDiff(output(m, b, 1), base); d > 1e-5 {
		t.Errorf("%s at step 0 differs from the base model by %.3g", spec.Label(), d)
	}
	c, err := tuner.Count(meth, m)
	if err != nil {
		t.Fatal(err)
	}
	if c.Trainable != c.Paper {
		t.Errorf("%s: %d trainable parameters, formula %d", spec.Label(), c.Trainable, c.Paper)
	}
	perturb(meth.Trainable(), 5, 0.3)
	gradcheck.Check(t, meth.Trainable(), contractLoss(m, b), 6)
	for _, p := range m.Params() {
		if p.Trainable {
			t.Errorf("base tensor %s is trainable", p.Name)
		}
	}
	trained := output(m, b, 1)
	if i := firstDifference(output(m, b, 3), trained); i >= 0 {
		t.Errorf("%s: output on 3 threads differs from 1 thread at %d", spec.Label(), i)
	}
	if name, ok := sameGrads(meth.Trainable(), contractLoss(m, b)); !ok {
		t.Errorf("%s: gradient of %s on 3 threads differs from 1 thread", spec.Label(), name)
	}

	path := filepath.Join(t.TempDir(), "method.safetensors")
	if _, err := tuner.Save(path, meth, nil); err != nil {
		t.Fatal(err)
	}
	fresh := newTestModel(t, cfg, 3)
	loaded := applyMethod(t, fresh, spec, 4)
	if err := tuner.Load(path, loaded, nil); err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(output(fresh, b, 1), trained); i >= 0 {
		t.Errorf("%s: output after Save and Load differs at %d", spec.Label(), i)
	}

	if k, _ := method.Lookup(spec.Name); k.Mergeable {
		weights := snapshot(m.Params())
		if err := meth.Merge(); err != nil {
			t.Fatal(err)
		}
		if d := maxRelDiff(output(m, b, 1), trained); d > 1e-5 {
			t.Errorf("%s: merged output differs from unmerged by %.3g", spec.Label(), d)
		}
		if err := meth.Unmerge(); err != nil {
			t.Fatal(err)
		}
		if name, ok := sameBits(m.Params(), weights); !ok {
			t.Errorf("%s: Unmerge did not restore %s bit for bit", spec.Label(), name)
		}
		if i := firstDifference(output(m, b, 1), trained); i >= 0 {
			t.Errorf("%s: output after Unmerge differs at %d", spec.Label(), i)
		}
	}
	return meth
}

// applyMethod builds spec through the registry and applies it to m with seed.
func applyMethod(t testing.TB, m *model.Model, spec method.Spec, seed uint64) tuner.Method {
	t.Helper()
	meth, err := tuner.New(spec.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if err := meth.Apply(m, seed); err != nil {
		t.Fatal(err)
	}
	return meth
}

// contractLoss is the training loss of batch b on m, with dropout on (fixed seed): the
// next-token loss for a decoder, the head's loss for an encoder.
func contractLoss(m *model.Model, b *model.Batch) func(*nn.Tape) *nn.Tensor {
	targets, labels := nextTokens(b), []int32{2, 0}
	return func(tp *nn.Tape) *nn.Tensor {
		ctx := &model.Context{Batch: b, Train: true, Seed: 11}
		h := m.Forward(tp, b, ctx)
		if m.Head != nil {
			return tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), labels, -1, 0)
		}
		return tp.CrossEntropy(m.LMLogits(tp, h), targets, -1, 0)
	}
}

// sameGrads reports whether backward gives ps the same gradients, bit for bit, on 1 and 3
// threads, and names the first tensor that differs.
func sameGrads(ps []*nn.Tensor, loss func(*nn.Tape) *nn.Tensor) (string, bool) {
	grads := func(threads int) [][]float32 {
		nn.ZeroGrads(ps)
		tp := nn.NewTape(threads)
		tp.Backward(loss(tp))
		out := make([][]float32, len(ps))
		for i, p := range ps {
			out[i] = append([]float32(nil), p.Grad...)
		}
		return out
	}
	one, three := grads(1), grads(3)
	for i, p := range ps {
		for j := range one[i] {
			if math.Float32bits(one[i][j]) != math.Float32bits(three[i][j]) {
				return p.Name, false
			}
		}
	}
	return "", true
}

// perturb adds N(0, scale²) noise to ts, as training would move them.
func perturb(ts []*nn.Tensor, seed uint64, scale float64) {
	rng := rand.New(rand.NewPCG(seed, 8))
	for _, p := range ts {
		for i := range p.Data {
			p.Data[i] += float32(scale * rng.NormFloat64())
		}
	}
}

// shapes are test models of several shapes (d_ff above, below and equal to d_model), for
// the counts and contracts.
func shapes() []model.Config {
	wide, narrow := testConfig(model.Decoder), testConfig(model.Encoder)
	narrow.DFF = 6
	square := testConfig(model.Decoder)
	square.DModel, square.Heads, square.DFF = 6, 3, 6
	return []model.Config{wide, narrow, square}
}

// frobenius is the Frobenius norm of a row-major matrix.
func frobenius(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

// TestVariantsThreadIndependence: on a model large enough for the kernels to split work, the
// variants' outputs and gradients are the same bit for bit on 1 and 3 threads.
func TestVariantsThreadIndependence(t *testing.T) {
	cfg := model.Config{Arch: model.Decoder, Vocab: 50, DModel: 64, Layers: 1, Heads: 4, DFF: 256, MaxLen: 64,
		Activation: "gelu", LNEps: 1e-5}
	for _, spec := range []method.Spec{
		{Name: "dora", Rank: 4, Targets: []string{"q", "fc1", "fc2"}},
		{Name: "vera", Rank: 16, Targets: []string{"v", "fc1"}, Dropout: 0.1},
		{Name: method.LoRA, Rank: 4, Targets: []string{"q", "fc2"}, Init: InitPiSSA, Dropout: 0.1},
	} {
		m := newTestModel(t, cfg, 1)
		meth := applyMethod(t, m, spec, 2)
		perturb(meth.Trainable(), 3, 0.1)
		b := randomBatch(4, cfg.Vocab, 4, 64)
		if i := firstDifference(output(m, b, 3), output(m, b, 1)); i >= 0 {
			t.Errorf("%s: output on 3 threads differs from 1 thread at %d", spec.Label(), i)
		}
		if name, ok := sameGrads(meth.Trainable(), contractLoss(m, b)); !ok {
			t.Errorf("%s: gradient of %s on 3 threads differs from 1 thread", spec.Label(), name)
		}
	}
}
