package lora

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/model/target"
	"loralab/tuner"
)

// writeRoBERTaFolder writes a tiny Hugging Face RoBERTa folder (config.json with
// _name_or_path, model.safetensors without a classifier) with random weights, as the README
// example starts from.
func writeRoBERTaFolder(t *testing.T, dir string) {
	t.Helper()
	const vocab, d, layers, ff, maxPos = 13, 8, 2, 16, 14
	cfg := map[string]any{"model_type": "roberta", "_name_or_path": "FacebookAI/roberta-base", "vocab_size": vocab,
		"hidden_size": d, "num_hidden_layers": layers, "num_attention_heads": 2, "intermediate_size": ff,
		"max_position_embeddings": maxPos, "type_vocab_size": 1, "pad_token_id": 1}
	data, _ := json.Marshal(cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var tensors []rawTensor
	add := func(name string, base float64, shape ...int) {
		n := 1
		for _, s := range shape {
			n *= s
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(base + 0.2*rng.NormFloat64())
		}
		tensors = append(tensors, rawTensor{"roberta." + name, shape, v})
	}
	add("embeddings.word_embeddings.weight", 0, vocab, d)
	add("embeddings.position_embeddings.weight", 0, maxPos, d)
	add("embeddings.token_type_embeddings.weight", 0, 1, d)
	add("embeddings.LayerNorm.weight", 1, d)
	add("embeddings.LayerNorm.bias", 0, d)
	for l := range layers {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		for _, m := range target.All() {
			if m.PerLayer {
				in, out := m.Shape(d, ff, vocab)
				add(p+m.RoBERTa+".weight", 0, out, in)
				add(p+m.RoBERTa+".bias", 0, out)
			}
		}
		for _, ln := range []string{"attention.output.LayerNorm", "output.LayerNorm"} {
			add(p+ln+".weight", 1, d)
			add(p+ln+".bias", 0, d)
		}
	}
	writeRawSafetensors(t, filepath.Join(dir, model.WeightsFile), tensors)
}

// TestPEFTFromRoBERTaFolder follows the README: a RoBERTa folder opened with model.Open gets
// a head and LoRA; the export names RoBERTa's modules and the folder's _name_or_path, keeps
// the head in modules_to_save, and imported onto the folder opened again gives the same
// logits.
func TestPEFTFromRoBERTaFolder(t *testing.T) {
	folder := filepath.Join(t.TempDir(), "roberta-base")
	writeRoBERTaFolder(t, folder)
	m, _, err := model.Open(folder)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AttachHead(2, 1); err != nil {
		t.Fatal(err)
	}
	l := applyLoRA(t, m, method.Spec{Name: method.LoRA, Rank: 2, Alpha: 4, Targets: []string{"q", "v"}}, 1)
	randomize(l.Trainable(), 2, 0.3)
	randomize(tuner.HeadParams(m), 3, 0.3) // as training the head does
	adapter := filepath.Join(t.TempDir(), "my-adapter")
	if err := l.ExportPEFT(adapter, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, err := ReadPEFTConfig(adapter)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BaseModel != "FacebookAI/roberta-base" || cfg.TaskType != "SEQ_CLS" || !slices.Equal(cfg.TargetModules, []string{"query", "value"}) ||
		!slices.Equal(cfg.ModulesToSave, []string{"classifier"}) {
		t.Errorf("adapter_config.json: %+v", cfg)
	}
	f, err := safetensors.Read(filepath.Join(adapter, PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight",
		"base_model.model.roberta.encoder.layer.1.attention.self.value.lora_B.weight",
		"base_model.model.classifier.dense.weight", "base_model.model.classifier.out_proj.bias"} {
		if _, ok := f.Info(key); !ok {
			t.Errorf("no %s in %v", key, f.Names())
		}
	}
	b := randomBatch(4, m.Cfg.Vocab, 2, 6)
	want := output(m, b, 1)
	again, _, err := model.Open(folder)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPEFT(adapter, again); err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(output(again, b, 1), want); i >= 0 {
		t.Errorf("the adapter imported onto the folder differs at element %d", i)
	}
}
