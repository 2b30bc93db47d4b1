package lora

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/nn"
	"loralab/tuner"
)

// TestSaveLoad: tuner.Save writes only the LoRA tensors (and the head), and tuner.Load
// into a fresh model with a fresh LoRA of another seed reproduces the outputs bit for bit.
// It also measures the state sizes on the tiny preset quoted in the package doc.
func TestSaveLoad(t *testing.T) {
	cases := []struct {
		name  string
		arch  string
		spec  method.Spec
		vocab int
	}{
		{"tiny decoder r=8 q,v", model.Decoder, loraSpec(8, "q", "v"), 4096},
		{"tiny encoder with head, every target", model.Encoder, loraSpec(2, "q", "k", "v", "o", "fc1", "fc2", "emb"), 512},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := model.Preset("tiny", c.arch, c.vocab)
			if err != nil {
				t.Fatal(err)
			}
			if c.arch == model.Encoder {
				cfg.NumLabels = 3
			}
			dir := t.TempDir()
			m := newTestModel(t, cfg, 1)
			l := applyLoRA(t, m, c.spec, 2)
			randomize(l.Trainable(), 3, 0.1)
			head := tuner.HeadParams(m)
			b := randomBatch(4, cfg.Vocab, 2, 16)
			want := output(m, b, 2)

			path := filepath.Join(dir, "lora.safetensors")
			size, err := tuner.Save(path, l, head)
			if err != nil {
				t.Fatal(err)
			}
			f, err := safetensors.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			elements := 0
			for _, p := range append(l.Trainable(), head...) {
				names = append(names, p.Name)
				elements += p.Len()
			}
			slices.Sort(names)
			if got := f.Names(); !slices.Equal(got, names) {
				t.Errorf("file holds %v, want only the trained tensors %v", got, names)
			}
			if header := size - int64(4*elements); header < 8 || header > 160*int64(len(names)) { // JSON: ~100 bytes a tensor
				t.Errorf("file of %d bytes for %d float32 values in %d tensors", size, elements, len(names))
			}

			fresh := newTestModel(t, cfg, 1)
			l2 := applyLoRA(t, fresh, c.spec, 99) // another A, to be overwritten
			if err := tuner.Load(path, l2, tuner.HeadParams(fresh)); err != nil {
				t.Fatal(err)
			}
			if i := firstDifference(output(fresh, b, 2), want); i >= 0 {
				t.Errorf("loaded model differs from the saved one at element %d", i)
			}

			if c.arch == model.Decoder {
				ft := filepath.Join(dir, "ft.safetensors")
				if err := saveAll(ft, m.Params()); err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(ft)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("tiny decoder (vocab %d): FT state %d bytes, LoRA %s state %d bytes (%.2f%%)",
					cfg.Vocab, st.Size(), c.spec.Label(), size, 100*float64(size)/float64(st.Size()))
				if size*50 > st.Size() {
					t.Errorf("LoRA state %d bytes is more than 2%% of the full state %d bytes", size, st.Size())
				}
			}
		})
	}
}

// saveAll writes every tensor of ts as float32, as full fine-tuning's state would be.
func saveAll(path string, ts []*nn.Tensor) error {
	var named []safetensors.Named
	for _, p := range ts {
		named = append(named, safetensors.Named{Name: p.Name, Shape: p.Shape, Data: p.Data})
	}
	return safetensors.WriteFile(path, named, nil)
}

// TestLoadRejectsOtherSetting: a file saved for one setting does not load into another,
// and the error names the tensor.
func TestLoadRejectsOtherSetting(t *testing.T) {
	cfg := testConfig(model.Decoder)
	path := filepath.Join(t.TempDir(), "lora.safetensors")
	l := applyLoRA(t, newTestModel(t, cfg, 1), loraSpec(4, "q", "v"), 1)
	if _, err := tuner.Save(path, l, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec method.Spec
		want string
	}{
		{loraSpec(2, "q", "v"), "blocks.0.attn.q.lora_A"},
		{loraSpec(4, "q", "k"), "blocks.0.attn.k.lora_A"},
	}
	for _, c := range cases {
		other := applyLoRA(t, newTestModel(t, cfg, 1), c.spec, 1)
		if err := tuner.Load(path, other, nil); err == nil || !contains(err.Error(), c.want) {
			t.Errorf("loading into %s: %v, want an error naming %s", c.spec.Label(), err, c.want)
		}
	}
}
