package lora

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
)

// factorSpec is a LoRA setting of rank 3 with a factor init on every Linear target, alpha 6
// (s = 2, so that the division by s is exercised).
func factorSpec(init string) method.Spec {
	return method.Spec{Name: method.LoRA, Rank: 3, Alpha: 6, Init: init, Targets: []string{"q", "k", "v", "o", "fc1", "fc2"}, Dropout: 0.1}
}

// checkFactorInit runs the method contract for a factor init on several shapes, checks that
// the weights of a shared model are left alone, and returns, per adapted Linear of the first
// shape, its weight before Apply and the update.
func checkFactorInit(t *testing.T, init string) (w0 [][]float32, linears []*Linear) {
	for i, cfg := range shapes() {
		t.Run(fmt.Sprintf("%s/d=%d,dff=%d", cfg.Arch, cfg.DModel, cfg.DFF), func(t *testing.T) {
			checkContract(t, cfg, factorSpec(init))
			if i > 0 {
				return
			}
			base := newTestModel(t, cfg, 3)
			share := base.Share()
			before := snapshot(base.Params())
			l := applyMethod(t, share, factorSpec(init), 4).(*LoRA)
			if name, ok := sameBits(base.Params(), before); !ok {
				t.Errorf("init %s changed %s of the model it shares weights with", init, name)
			}
			for _, d := range l.Linears() {
				w0 = append(w0, base.Param(d.Target.W.Name).Data)
			}
			linears = l.Linears()
		})
	}
	return w0, linears
}

// singularValues returns the singular values of the [rows, cols] matrix x, largest first.
func singularValues(x []float32, rows, cols int) []float64 {
	var svd mat.SVD
	svd.Factorize(mat.NewDense(rows, cols, widen(x)), mat.SVDNone)
	return svd.Values(nil)
}

// TestInitPiSSA: s·B·A carries W's r largest singular values and the residual the others,
// and B·A splits them evenly (B's columns and A's rows have the same lengths).
func TestInitPiSSA(t *testing.T) {
	w0, linears := checkFactorInit(t, InitPiSSA)
	checkSpectrumSplit(t, w0, linears, false)
}

// checkSpectrumSplit checks that the singular values of s·B·A are W's r largest (bottom:
// smallest) and those of the residual W − s·B·A the others.
func checkSpectrumSplit(t *testing.T, w0 [][]float32, linears []*Linear, bottom bool) {
	t.Helper()
	for i, d := range linears {
		out, in, r := d.Target.Out(), d.Target.In(), d.A.Shape[0]
		want := singularValues(w0[i], out, in)
		update := d.Delta().Data
		got := singularValues(update, out, in)[:r]
		rest := singularValues(d.Target.W.Data, out, in)
		part, others := want[:r], want[r:]
		if bottom {
			part, others = want[len(want)-r:], want[:len(want)-r]
		}
		for k := range r {
			if math.Abs(got[k]-part[k]) > 1e-4*want[0] {
				t.Errorf("%s: singular value %d of s·B·A %.6g, want %.6g", d.Target.Name, k, got[k], part[k])
			}
		}
		for k, v := range others {
			if math.Abs(rest[k]-v) > 1e-4*want[0] {
				t.Errorf("%s: singular value %d of the residual %.6g, want %.6g", d.Target.Name, k, rest[k], v)
			}
		}
		for k := range r {
			colB, rowA := 0.0, frobenius(d.A.Data[k*in:(k+1)*in])
			for o := range out {
				colB += float64(d.B.Data[o*r+k]) * float64(d.B.Data[o*r+k])
			}
			if math.Abs(math.Sqrt(colB)-rowA) > 1e-4*rowA {
				t.Errorf("%s: column %d of B has length %.6g, row %d of A %.6g; want equal", d.Target.Name, k, math.Sqrt(colB), k, rowA)
			}
		}
	}
}

// TestFactorInitRefusals: a factor init refuses the embedding, a rank above a target's
// smaller side, and a Bank (whose base weights its adapters share).
func TestFactorInitRefusals(t *testing.T) {
	d := arch.DimsOf(testConfig(model.Decoder))
	for _, c := range []struct {
		spec method.Spec
		want string
	}{
		{method.Spec{Name: method.LoRA, Rank: 2, Init: InitPiSSA, Targets: []string{"q", "emb"}}, "not emb"},
		{method.Spec{Name: method.LoRA, Rank: 7, Init: InitOLoRA, Targets: []string{"fc2"}}, "smaller side"},
	} {
		narrow := d
		narrow.DFF = 6
		if err := c.spec.Validate(narrow); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.spec.Label(), err, c.want)
		}
	}
	bank, err := NewBank(newTestModel(t, testConfig(model.Decoder), 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.Add("p", factorSpec(InitMiLoRA), 1); err == nil || !strings.Contains(err.Error(), "shared base weights") {
		t.Errorf("bank accepted a factor init: %v", err)
	}
	for _, name := range []string{InitKaiming, InitGaussian, InitMiLoRA, InitOLoRA, InitPiSSA} {
		if !slices.Contains(initNames(), name) {
			t.Errorf("init choices %v lack %s", initNames(), name)
		}
	}
}

// TestFactorInitPEFT: the export names the init as PEFT does, and the import, which redoes
// the init on a fresh base model before loading A and B, reproduces the outputs bit for bit.
func TestFactorInitPEFT(t *testing.T) {
	for _, init := range []string{InitPiSSA, InitOLoRA, InitMiLoRA} {
		t.Run(init, func(t *testing.T) {
			cfg := testConfig(model.Decoder)
			m := newTestModel(t, cfg, 3)
			l := applyMethod(t, m, factorSpec(init), 4).(*LoRA)
			perturb(l.Trainable(), 5, 0.2)
			b := randomBatch(6, cfg.Vocab, 2, 5)
			want := output(m, b, 1)
			dir := t.TempDir()
			if err := l.ExportPEFT(dir, ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			c, err := ReadPEFTConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			if c.InitLoRAWeights != init {
				t.Errorf("init_lora_weights %v, want %q", c.InitLoRAWeights, init)
			}
			fresh := newTestModel(t, cfg, 3)
			if _, err := ImportPEFT(dir, fresh); err != nil {
				t.Fatal(err)
			}
			if i := firstDifference(output(fresh, b, 1), want); i >= 0 {
				t.Errorf("imported output differs at %d", i)
			}
		})
	}
}
