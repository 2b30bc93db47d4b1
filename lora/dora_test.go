package lora

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/safetensors"
	"loralab/nn"
)

func doraSpec(r int, targets ...string) method.Spec {
	return method.Spec{Name: "dora", Rank: r, Alpha: 2 * float64(r), Targets: targets}
}

// TestDoRA runs the method contract (step 0 = base, count = formula, gradients through the
// norm, save/load, exact merge) on several shapes and settings.
func TestDoRA(t *testing.T) {
	for _, cfg := range shapes() {
		for _, spec := range []method.Spec{doraSpec(3, "q", "v", "fc1", "fc2"),
			{Name: "dora", Rank: 2, Targets: []string{"k", "o", "fc2"}, Layers: []int{0}, Scaling: ScalingRSLoRA, Init: InitGaussian}} {
			t.Run(fmt.Sprintf("%s/d=%d,dff=%d/%s", cfg.Arch, cfg.DModel, cfg.DFF, spec.Label()), func(t *testing.T) {
				checkContract(t, cfg, spec)
			})
		}
	}
}

// TestDoRAWeight: m starts at the row norms of W0 (one per output unit), the count is
// r·(d_in + d_out) + d_out per matrix by hand, and the layer computes x W'ᵀ + bias with
// W' = m ⊙ (W0 + s·B·A)/‖W0 + s·B·A‖ row by row, checked in float64.
func TestDoRAWeight(t *testing.T) {
	cfg := testConfig(model.Decoder) // d 8, d_ff 16, 2 layers
	m := newTestModel(t, cfg, 1)
	dr := applyMethod(t, m, doraSpec(2, "q", "fc1"), 2).(*DoRA)
	// per layer: q 2·16+8, fc1 2·24+16
	if got, want := DoRAKind.Params(dr.Spec(), arch.DimsOf(cfg)), 2*(40+64); got != want {
		t.Errorf("formula %d, want %d", got, want)
	}
	for _, u := range dr.updates {
		w, in := u.lr.Target.W, u.lr.Target.In()
		for o, got := range u.magnitude.Data {
			if want := frobenius(w.Data[o*in : (o+1)*in]); math.Abs(float64(got)-want) > 1e-6*want {
				t.Errorf("%s: m[%d] = %g, want ‖W0 row‖ = %g", u.lr.Target.Name, o, got, want)
			}
		}
	}
	perturb(dr.Trainable(), 3, 0.3)
	u := dr.updates[1] // blocks.0.mlp.fc1
	w, in, out, r, s := u.lr.Target.W, u.lr.Target.In(), u.lr.Target.Out(), 2, float64(u.lr.Scale)
	x := nn.New(3, in)
	perturb([]*nn.Tensor{x}, 4, 1)
	tp := nn.NewTape(1)
	y := u.lr.Target.Forward(tp, x, &model.Context{})
	for o := range out {
		v := make([]float64, in)
		for j := range in {
			v[j] = float64(w.Data[o*in+j])
			for k := range r {
				v[j] += s * float64(u.lr.B.Data[o*r+k]) * float64(u.lr.A.Data[k*in+j])
			}
		}
		var n float64
		for _, vj := range v {
			n += vj * vj
		}
		n = math.Sqrt(n)
		for row := range 3 {
			want := float64(u.lr.Target.B.Data[o])
			for j := range in {
				want += float64(u.magnitude.Data[o]) * v[j] / n * float64(x.Data[row*in+j])
			}
			if got := float64(y.Data[row*out+o]); math.Abs(got-want) > 1e-4*max(1, math.Abs(want)) {
				t.Errorf("y[%d,%d] = %.6g, want %.6g", row, o, got, want)
			}
		}
	}
	for _, bad := range []method.Spec{doraSpec(2, "q", "emb"), {Name: "dora", Rank: 2, Targets: []string{"q"}, Dropout: 0.1}, {Name: "dora", Rank: 2, Targets: []string{"q"}, Init: InitPiSSA}} {
		if err := bad.Validate(arch.DimsOf(cfg)); err == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

// TestDoRAPEFT: the export is PEFT's LoRA format with use_dora true and the magnitudes
// under lora_magnitude_vector; the import reproduces the outputs bit for bit; each importer
// refuses the other's folder.
func TestDoRAPEFT(t *testing.T) {
	cfg := testConfig(model.Encoder)
	m := newTestModel(t, cfg, 3)
	dr := applyMethod(t, m, doraSpec(2, "q", "fc2"), 9).(*DoRA)
	perturb(dr.Trainable(), 5, 0.3)
	b := randomBatch(6, cfg.Vocab, 2, 5)
	want := output(m, b, 1)
	dir := t.TempDir()
	if err := dr.ExportPEFT(dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, PEFTConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"peft_type": "LORA", "use_dora": true, "r": 2.0, "lora_alpha": 4.0} {
		if fields[k] != want {
			t.Errorf("%s = %v, want %v", k, fields[k], want)
		}
	}
	f, err := safetensors.Read(filepath.Join(dir, PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"base_model.model.blocks.0.attn.q.lora_A.weight", "base_model.model.blocks.1.mlp.fc2.lora_B.weight",
		"base_model.model.blocks.1.mlp.fc2.lora_magnitude_vector"} {
		if !slices.Contains(f.Names(), key) {
			t.Errorf("weights lack %s (have %v)", key, f.Names())
		}
	}
	fresh := newTestModel(t, cfg, 3)
	if _, err := ImportDoRA(dir, fresh); err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(output(fresh, b, 1), want); i >= 0 {
		t.Errorf("imported output differs at %d", i)
	}
	if _, err := ImportPEFT(dir, newTestModel(t, cfg, 3)); err == nil || !strings.Contains(err.Error(), "dora") {
		t.Errorf("ImportPEFT of a DoRA folder: %v", err)
	}
	lr := applyLoRA(t, newTestModel(t, cfg, 3), loraSpec(2, "q"), 1)
	loraDir := t.TempDir()
	if err := lr.ExportPEFT(loraDir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportDoRA(loraDir, newTestModel(t, cfg, 3)); err == nil || !strings.Contains(err.Error(), "use_dora false") {
		t.Errorf("ImportDoRA of a LoRA folder: %v", err)
	}
}
