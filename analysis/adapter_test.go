package analysis

import (
	"path/filepath"
	"strings"
	"testing"

	"loralab/model/safetensors"
)

// writeTensors writes a safetensors file of F32 tensors into a temp dir and returns its path.
func writeTensors(t *testing.T, tensors ...safetensors.Named) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "adapter_model.safetensors")
	if err := safetensors.WriteFile(path, tensors, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

func seq(n int, start float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = start + float32(i)
	}
	return out
}

func TestLoadAdapter(t *testing.T) {
	path := writeTensors(t,
		safetensors.Named{Name: "base_model.model.blocks.3.attn.q.lora_A.weight", Shape: []int{2, 4}, Data: seq(8, 1)},
		safetensors.Named{Name: "base_model.model.blocks.3.attn.q.lora_B.weight", Shape: []int{5, 2}, Data: seq(10, 100)},
		safetensors.Named{Name: "base_model.model.blocks.0.attn.v.lora_A.weight", Shape: []int{1, 4}, Data: seq(4, 0)},
		safetensors.Named{Name: "base_model.model.blocks.0.attn.v.lora_B.weight", Shape: []int{4, 1}, Data: seq(4, 0)},
		safetensors.Named{Name: "classifier.weight", Shape: []int{2, 4}, Data: seq(8, 0)},
	)
	ad, err := LoadAdapter(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ad) != 2 {
		t.Fatalf("%d modules, want 2", len(ad))
	}
	q, ok := ad.Find(3, "q")
	if !ok {
		t.Fatal("no blocks.3.attn.q")
	}
	if q.Module != "blocks.3.attn.q" || q.Rank() != 2 {
		t.Errorf("module %q rank %d, want blocks.3.attn.q rank 2", q.Module, q.Rank())
	}
	// A is row-major [r, in]: A[1][2] is element 1*4+2 = 6, value 7. B[4][1] = 100 + 9.
	if q.A.At(1, 2) != 7 || q.B.At(4, 1) != 109 {
		t.Errorf("A[1][2] = %v, B[4][1] = %v, want 7 and 109", q.A.At(1, 2), q.B.At(4, 1))
	}
	if got := ad.Layers("v"); len(got) != 1 || got[0] != 0 {
		t.Errorf("layers of v = %v, want [0]", got)
	}
}

func TestLoadAdapterErrors(t *testing.T) {
	a := func(shape ...int) safetensors.Named {
		n := 1
		for _, d := range shape {
			n *= d
		}
		return safetensors.Named{Name: "base_model.model.blocks.1.attn.q.lora_A.weight", Shape: shape, Data: make([]float32, n)}
	}
	b := func(shape ...int) safetensors.Named {
		n := a(shape...)
		n.Name = "base_model.model.blocks.1.attn.q.lora_B.weight"
		return n
	}
	tests := []struct {
		name    string
		tensors []safetensors.Named
		want    string
	}{
		{"no lora tensors", []safetensors.Named{{Name: "x", Shape: []int{1}, Data: []float32{1}}}, "want a PEFT LoRA file"},
		{"A without B", []safetensors.Named{a(2, 4)}, "has no matching base_model.model.blocks.1.attn.q.lora_B.weight"},
		{"ranks differ", []safetensors.Named{a(2, 4), b(4, 3)}, "(r=2) but base_model.model.blocks.1.attn.q.lora_B.weight is [4 3], want [out, 2]"},
		{"not 2-D", []safetensors.Named{a(8), b(4, 2)}, "want 2-D [r, in] and [out, r]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTensors(t, tc.tensors...)
			_, err := LoadAdapter(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q lacks %q or the file name", err, tc.want)
			}
		})
	}
	if _, err := LoadAdapter(filepath.Join(t.TempDir(), "missing.safetensors")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestParseModule(t *testing.T) {
	tests := []struct {
		module string
		layer  int
		matrix string
	}{
		{"blocks.3.attn.q", 3, "q"}, {"blocks.11.mlp.fc1", 11, "fc1"}, {"tok_emb", -1, "emb"}, {"roberta.encoder.layer.2.attention.self.query", 2, "q"},
		{"base_model.model.roberta.encoder.layer.0.output.dense", 0, "fc2"},
		{"blocks.x.attn.v", -1, "v"},
	}
	for _, tc := range tests {
		if l, m := parseModule(tc.module); l != tc.layer || m != tc.matrix {
			t.Errorf("parseModule(%q) = %d, %q, want %d, %q", tc.module, l, m, tc.layer, tc.matrix)
		}
	}
}

func TestLoadBaseWeight(t *testing.T) {
	path := writeTensors(t, safetensors.Named{Name: "blocks.2.attn.q.weight", Shape: []int{3, 2}, Data: seq(6, 0)})
	w, err := LoadBaseWeight(filepath.Dir(path)+"/adapter_model.safetensors", "blocks.2.attn.q")
	if err != nil {
		t.Fatal(err)
	}
	if r, c := w.Dims(); r != 3 || c != 2 || w.At(2, 1) != 5 {
		t.Errorf("W is %dx%d with W[2][1] = %v, want 3x2 and 5", r, c, w.At(2, 1))
	}
	if _, err := LoadBaseWeight(path, "blocks.9.attn.q"); err == nil || !strings.Contains(err.Error(), `no tensor "blocks.9.attn.q.weight"`) {
		t.Errorf("missing module: error %v", err)
	}
}
