package lora

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/arch"
	"loralab/model/safetensors"
)

func veraSpec(r int, targets ...string) method.Spec {
	return method.Spec{Name: "vera", Rank: r, Targets: targets, Dropout: 0.1}
}

// TestVeRA runs the method contract (step 0 = base, count = formula, gradients, save/load,
// merge) on several shapes and target sets.
func TestVeRA(t *testing.T) {
	for _, cfg := range shapes() {
		for _, spec := range []method.Spec{veraSpec(3, "q", "v", "fc1", "fc2"), {Name: "vera", Rank: 2, Targets: []string{"k", "fc2"}, Layers: []int{1},
			Opts: map[string]float64{"d_initial": 0.5}}} {
			t.Run(fmt.Sprintf("%s/d=%d,dff=%d/%s", cfg.Arch, cfg.DModel, cfg.DFF, spec.Label()), func(t *testing.T) {
				checkContract(t, cfg, spec)
			})
		}
	}
}

// TestVeRAStructure: b starts at 0 and d at d_initial; layers of one shape share one pair of
// frozen projections, the corners of vera_A and vera_B; the count is d_out + r per matrix,
// by hand.
func TestVeRAStructure(t *testing.T) {
	cfg := testConfig(model.Decoder) // d 8, d_ff 16, 2 layers
	m := newTestModel(t, cfg, 1)
	v := applyMethod(t, m, veraSpec(3, "q", "fc1", "fc2"), 2).(*VeRA)
	if n, want := len(v.Trainable()), 2*3*2; n != want {
		t.Fatalf("%d trainable tensors, want %d", n, want)
	}
	if got, want := v.a.Shape, []int{3, 16}; !slices.Equal(got, want) {
		t.Errorf("vera_A %v, want %v", got, want)
	}
	if got, want := v.b.Shape, []int{16, 3}; !slices.Equal(got, want) {
		t.Errorf("vera_B %v, want %v", got, want)
	}
	byName := map[string]*veraLinear{}
	for _, d := range v.linears {
		byName[d.target.Name] = d
		for _, x := range d.lambdaB.Data {
			if x != 0 {
				t.Fatalf("%s: b starts at %g, want 0", d.target.Name, x)
			}
		}
		for _, x := range d.lambdaD.Data {
			if x != float32(veraDInitial) {
				t.Fatalf("%s: d starts at %g, want %g", d.target.Name, x, veraDInitial)
			}
		}
		in, maxIn := d.target.In(), v.a.Shape[1]
		for k := range 3 {
			if !slices.Equal(d.a.Data[k*in:(k+1)*in], v.a.Data[k*maxIn:k*maxIn+in]) {
				t.Errorf("%s: A row %d is not the corner of vera_A", d.target.Name, k)
			}
		}
		if !slices.Equal(d.b.Data, v.b.Data[:d.target.Out()*3]) {
			t.Errorf("%s: B is not the top of vera_B", d.target.Name)
		}
	}
	q0, q1, fc1, fc2 := byName["blocks.0.attn.q"], byName["blocks.1.attn.q"], byName["blocks.0.mlp.fc1"], byName["blocks.0.mlp.fc2"]
	if q0.a != q1.a || q0.b != q1.b || q0.a != fc1.a || fc1.b == q0.b || fc2.a == q0.a || fc2.b != q0.b {
		t.Error("layers do not share the projections of their shape")
	}
	var frozen []string
	for _, p := range v.Frozen() {
		frozen = append(frozen, fmt.Sprint(p.Name, p.Shape))
	}
	if want := []string{"vera_A.8[3 8]", "vera_B.8[8 3]", "vera_B.16[16 3]", "vera_A.16[3 16]"}; !slices.Equal(frozen, want) {
		t.Errorf("frozen projections %v, want %v", frozen, want)
	}
	// per layer: q 8+3, fc1 16+3, fc2 8+3
	if got, want := VeRAKind.Params(v.spec, arch.DimsOf(cfg)), 2*(11+19+11); got != want {
		t.Errorf("formula %d, want %d", got, want)
	}
	if err := veraSpec(2, "q", "emb").Validate(arch.DimsOf(cfg)); err == nil || !strings.Contains(err.Error(), "not emb") {
		t.Errorf("vera on emb: %v", err)
	}
}

// TestVeRAPEFT: the export has PEFT's field and tensor names and the import reproduces the
// outputs bit for bit on a fresh base model.
func TestVeRAPEFT(t *testing.T) {
	cfg := testConfig(model.Decoder)
	m := newTestModel(t, cfg, 3)
	spec := veraSpec(3, "q", "fc2")
	spec.Layers = []int{1}
	v := applyMethod(t, m, spec, 9).(*VeRA)
	perturb(v.Trainable(), 5, 0.3)
	b := randomBatch(6, cfg.Vocab, 2, 5)
	want := output(m, b, 1)
	dir := t.TempDir()
	if err := v.ExportPEFT(dir, ExportOptions{}); err != nil {
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
	for k, want := range map[string]any{"peft_type": "VERA", "r": 3.0, "vera_dropout": 0.1, "d_initial": 0.1,
		"projection_prng_key": 9.0, "save_projection": true, "layers_pattern": "blocks"} {
		if fields[k] != want {
			t.Errorf("%s = %v, want %v", k, fields[k], want)
		}
	}
	f, err := safetensors.Read(filepath.Join(dir, PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"base_model.vera_A", "base_model.vera_B", "base_model.model.blocks.1.attn.q.vera_lambda_b",
		"base_model.model.blocks.1.mlp.fc2.vera_lambda_d"} {
		if !slices.Contains(f.Names(), key) {
			t.Errorf("weights lack %s (have %v)", key, f.Names())
		}
	}
	fresh := newTestModel(t, cfg, 3)
	if _, err := ImportVeRA(dir, fresh); err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(output(fresh, b, 1), want); i >= 0 {
		t.Errorf("imported output differs at %d", i)
	}
	if err := os.WriteFile(filepath.Join(dir, PEFTConfigFile), []byte(strings.Replace(string(data), `"save_projection": true`, `"save_projection": false`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportVeRA(dir, newTestModel(t, cfg, 3)); err == nil || !strings.Contains(err.Error(), "save_projection") {
		t.Errorf("import without projections: %v", err)
	}
}
