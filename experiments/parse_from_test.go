package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/model"
	"loralab/model/safetensors"
)

// saveTinyBase writes a loralab model folder of the tiny encoder preset (vocab 512) into dir.
func saveTinyBase(t *testing.T, dir string, seed uint64) {
	t.Helper()
	cfg, err := model.Preset("tiny", model.Encoder, 512)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModel(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	if err := model.Save(dir, m, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// fromSweep is baseSweep starting from the folder dir, with extra lines in model:.
func fromSweep(dir, extra string) string {
	return strings.Replace(baseSweep, "  arch: encoder\n  preset: tiny\n  vocab: 512\n  pretraining: {corpus: corpus-a, steps: 10}\n",
		"  from: "+dir+"\n"+extra, 1)
}

// TestModelFrom: a sweep may start from a model folder; the folder's config becomes the
// model, its contents (not its path) enter the run ids.
func TestModelFrom(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	c := filepath.Join(t.TempDir(), "c")
	saveTinyBase(t, a, 1)
	saveTinyBase(t, b, 1) // the same model elsewhere
	saveTinyBase(t, c, 2) // another model of the same shape
	ids := func(dir, extra string) []string {
		t.Helper()
		sw := parseTest(t, fromSweep(dir, extra))
		want, _ := model.Preset("tiny", model.Encoder, 512)
		want.Dropout = sw.Model.Dropout
		if sw.Model != want || sw.Pretrain.From != dir || len(sw.Pretrain.FromSHA256) != 64 || sw.Pretrain.Corpus != "" {
			t.Errorf("model %+v, pretraining %+v", sw.Model, sw.Pretrain)
		}
		runs, err := sw.Expand()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range runs {
			out = append(out, r.ID)
		}
		return out
	}
	idA, idB, idC := ids(a, ""), ids(b, "  arch: encoder\n  preset: tiny\n  d_model: 128\n"), ids(c, "")
	if strings.Join(idA, " ") != strings.Join(idB, " ") {
		t.Errorf("the same base in two folders gives different run ids:\n%v\n%v", idA, idB)
	}
	if idA[0] == idC[0] {
		t.Error("different bases give the same run id")
	}
	pretrained := parseTest(t, baseSweep)
	runs, _ := pretrained.Expand()
	if runs[0].ID == idA[0] {
		t.Error("a base from a folder and a pretrained one give the same run id")
	}
	if sw := parseTest(t, fromSweep(a, "  dropout: 0\n")); sw.Model.Dropout != 0 {
		t.Errorf("dropout beside from: %v, want 0", sw.Model.Dropout)
	}
}

// TestModelFromErrors: keys beside from that contradict the folder, or make no sense with
// it, are errors at their line.
func TestModelFromErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "base")
	saveTinyBase(t, dir, 1)
	tests := []struct {
		name, from, extra, want string
	}{
		{"with pretraining", dir, "  pretraining: {corpus: corpus-a, steps: 10}\n",
			`sweep.yaml:5:16: model.pretraining: the base is read from the folder given by from, not pretrained: remove one of them`},
		{"preset contradicting", dir, "  preset: small\n",
			`sweep.yaml:5:11: model.preset: small (d=256 L=6 h=8 ff=1024) contradicts the folder ` + dir + `, whose shape is d=128 L=4 h=4 ff=512`},
		{"arch contradicting", dir, "  arch: decoder\n",
			`sweep.yaml:5:9: model.arch: decoder contradicts the folder ` + dir + `, whose arch is encoder`},
		{"d_model contradicting", dir, "  d_model: 64\n",
			`sweep.yaml:5:12: model.d_model: 64 contradicts the folder ` + dir + `, whose d_model is 128`},
		{"vocab contradicting", dir, "  vocab: 4096\n",
			`sweep.yaml:5:10: model.vocab: 4096 contradicts the folder ` + dir + `, whose vocab is 512`},
		{"unknown key", dir, "  corpus: corpus-a\n",
			`sweep.yaml:5:3: model: unknown key "corpus", want one of from, arch, preset, vocab, d_model, layers, heads, d_ff, max_len, activation, dropout, pretraining`},
		{"no such folder", filepath.Join(dir, "missing"), "",
			`sweep.yaml:4:9: model.from: arch: model folder: stat`},
		{"from a mapping", "{dir: a}", "",
			`sweep.yaml:4:9: model.from: found a mapping, want a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("sweep.yaml", []byte(fromSweep(tt.from, tt.extra)), ParseOptions{Tasks: testTasks})
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want Problems", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%v\nwant it to contain\n%s", err, tt.want)
			}
		})
	}
}

// writeHFGPT2 writes a Hugging Face GPT-2 folder of one block (d=8, 2 heads, vocab 16,
// 12 positions) into dir, with every weight set to w.
func writeHFGPT2(t *testing.T, dir string, w float32) {
	t.Helper()
	const V, P, D, L = 16, 12, 8, 1
	cfg := `{"model_type": "gpt2", "vocab_size": 16, "n_positions": 12, "n_embd": 8, "n_layer": 1, "n_head": 2}`
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	full := func(name string, shape ...int) safetensors.Named {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float32, n)
		for i := range data {
			data[i] = w
		}
		return safetensors.Named{Name: name, Shape: shape, Data: data}
	}
	tensors := []safetensors.Named{full("wte.weight", V, D), full("wpe.weight", P, D), full("ln_f.weight", D), full("ln_f.bias", D)}
	for i := range L {
		p := fmt.Sprintf("h.%d.", i)
		tensors = append(tensors,
			full(p+"ln_1.weight", D), full(p+"ln_1.bias", D), full(p+"ln_2.weight", D), full(p+"ln_2.bias", D),
			full(p+"attn.c_attn.weight", D, 3*D), full(p+"attn.c_attn.bias", 3*D),
			full(p+"attn.c_proj.weight", D, D), full(p+"attn.c_proj.bias", D),
			full(p+"mlp.c_fc.weight", D, 4*D), full(p+"mlp.c_fc.bias", 4*D),
			full(p+"mlp.c_proj.weight", 4*D, D), full(p+"mlp.c_proj.bias", D))
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "model.safetensors"), tensors, nil); err != nil {
		t.Fatal(err)
	}
}

// TestModelFromHuggingFace: a Hugging Face GPT-2 folder is a base too, its config.json
// giving the shape; its contents enter the run ids.
func TestModelFromHuggingFace(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "gpt2"), filepath.Join(t.TempDir(), "gpt2-other")
	writeHFGPT2(t, a, 0.01)
	writeHFGPT2(t, b, 0.02)
	sweep := func(dir, extra string) string {
		return strings.Replace(fromSweep(dir, extra), "tasks: [cls-a, reg-a]", "tasks: [corpus-a]", 1)
	}
	sw := parseTest(t, sweep(a, "  arch: decoder\n  d_model: 8\n"))
	want := model.Config{Arch: model.Decoder, Vocab: 16, DModel: 8, Layers: 1, Heads: 2, DFF: 32, MaxLen: 12,
		Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	if sw.Model != want {
		t.Errorf("model %+v, want %+v", sw.Model, want)
	}
	ra, _ := sw.Expand()
	rb, _ := parseTest(t, sweep(b, "")).Expand()
	if ra[0].ID == rb[0].ID {
		t.Error("two GPT-2 folders with different weights give the same run id")
	}
	_, err := Parse("sweep.yaml", []byte(sweep(a, "  preset: tiny\n")), ParseOptions{Tasks: testTasks})
	if err == nil || !strings.Contains(err.Error(), "sweep.yaml:5:11: model.preset: tiny (d=128 L=4 h=4 ff=512) contradicts the folder") {
		t.Errorf("preset contradicting a GPT-2 folder: error %v", err)
	}
}
