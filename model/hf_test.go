package model

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/model/safetensors"
	"loralab/nn"
)

// Shapes of the tiny HF models the tests write.
const (
	hfVocab  = 260
	hfD      = 8
	hfLayers = 2
	hfHeads  = 2
	hfFF     = 32 // 4*hfD, what GPT-2 implies by n_inner null
	hfPos    = 12
)

// randTensors fills a map of named random tensors: LayerNorm weights around 1, the rest
// around 0.
func randTensors(rng *rand.Rand, shapes map[string][]int) map[string]hfTensor {
	ts := map[string]hfTensor{}
	for name, shape := range shapes {
		n := 1
		for _, s := range shape {
			n *= s
		}
		t := hfTensor{shape: shape, data: make([]float32, n)}
		base := 0.0
		if strings.HasSuffix(name, "ln_1.weight") || strings.HasSuffix(name, "ln_2.weight") || strings.HasSuffix(name, "ln_f.weight") || strings.HasSuffix(name, "LayerNorm.weight") {
			base = 1
		}
		for i := range t.data {
			t.data[i] = float32(base + 0.3*rng.NormFloat64())
		}
		ts[name] = t
	}
	return ts
}

// gpt2Shapes lists the tensors of a tiny HF GPT-2, without prefix.
func gpt2Shapes() map[string][]int {
	s := map[string][]int{"wte.weight": {hfVocab, hfD}, "wpe.weight": {hfPos, hfD}, "ln_f.weight": {hfD}, "ln_f.bias": {hfD}}
	for l := range hfLayers {
		p := fmt.Sprintf("h.%d.", l)
		for name, shape := range map[string][]int{
			"ln_1.weight": {hfD}, "ln_1.bias": {hfD}, "ln_2.weight": {hfD}, "ln_2.bias": {hfD},
			"attn.c_attn.weight": {hfD, 3 * hfD}, "attn.c_attn.bias": {3 * hfD},
			"attn.c_proj.weight": {hfD, hfD}, "attn.c_proj.bias": {hfD},
			"mlp.c_fc.weight": {hfD, hfFF}, "mlp.c_fc.bias": {hfFF},
			"mlp.c_proj.weight": {hfFF, hfD}, "mlp.c_proj.bias": {hfD},
		} {
			s[p+name] = shape
		}
	}
	return s
}

// robertaShapes lists the tensors of a tiny HF RoBERTa body, without prefix, and of its
// classifier when labels > 0.
func robertaShapes(labels int) map[string][]int {
	s := map[string][]int{
		"embeddings.word_embeddings.weight":       {hfVocab, hfD},
		"embeddings.position_embeddings.weight":   {hfPos + 2, hfD},
		"embeddings.token_type_embeddings.weight": {1, hfD},
		"embeddings.LayerNorm.weight":             {hfD}, "embeddings.LayerNorm.bias": {hfD},
	}
	for l := range hfLayers {
		p := fmt.Sprintf("encoder.layer.%d.", l)
		for name, shape := range map[string][]int{
			"attention.self.query.weight": {hfD, hfD}, "attention.self.query.bias": {hfD},
			"attention.self.key.weight": {hfD, hfD}, "attention.self.key.bias": {hfD},
			"attention.self.value.weight": {hfD, hfD}, "attention.self.value.bias": {hfD},
			"attention.output.dense.weight": {hfD, hfD}, "attention.output.dense.bias": {hfD},
			"attention.output.LayerNorm.weight": {hfD}, "attention.output.LayerNorm.bias": {hfD},
			"intermediate.dense.weight": {hfFF, hfD}, "intermediate.dense.bias": {hfFF},
			"output.dense.weight": {hfD, hfFF}, "output.dense.bias": {hfD},
			"output.LayerNorm.weight": {hfD}, "output.LayerNorm.bias": {hfD},
		} {
			s[p+name] = shape
		}
	}
	if labels > 0 {
		s["classifier.dense.weight"], s["classifier.dense.bias"] = []int{hfD, hfD}, []int{hfD}
		s["classifier.out_proj.weight"], s["classifier.out_proj.bias"] = []int{labels, hfD}, []int{labels}
	}
	return s
}

// writeHFFolder writes config and tensors (names prefixed as rename says) to dir, as F32 or
// as the one dtype given.
func writeHFFolder(t *testing.T, dir string, config map[string]any, ts map[string]hfTensor, rename func(string) string, dtype ...safetensors.DType) {
	t.Helper()
	b, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	var named []safetensors.Named
	for name, tensor := range ts {
		named = append(named, safetensors.Named{Name: rename(name), Shape: tensor.shape, Data: tensor.data})
		if len(dtype) > 0 {
			named[len(named)-1].DType = dtype[0]
		}
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), named, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
}

// writeGPT2Tokenizer writes a vocab.json with the 256 byte tokens (id = byte value, in
// GPT-2's byte-to-unicode alphabet), "th", "the" and <|endoftext|>, and the merges making
// "the".
func writeGPT2Tokenizer(t *testing.T, dir string) {
	t.Helper()
	vocab := map[string]int{}
	extra := 0
	for b := range 256 {
		r := rune(b)
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		if !printable {
			r = rune(256 + extra)
			extra++
		}
		vocab[string(r)] = b
	}
	vocab["th"], vocab["the"], vocab["<|endoftext|>"] = 256, 257, 258
	b, _ := json.Marshal(vocab)
	if err := os.WriteFile(filepath.Join(dir, "vocab.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "merges.txt"), []byte("#version: 0.2\nt h\nth e\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gpt2ConfigJSON() map[string]any {
	return map[string]any{"model_type": "gpt2", "vocab_size": hfVocab, "n_positions": hfPos, "n_embd": hfD, "n_layer": hfLayers,
		"n_head": hfHeads, "n_inner": nil, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5}
}

func robertaConfigJSON() map[string]any {
	return map[string]any{"model_type": "roberta", "vocab_size": hfVocab, "hidden_size": hfD, "num_hidden_layers": hfLayers,
		"num_attention_heads": hfHeads, "intermediate_size": hfFF, "max_position_embeddings": hfPos + 2, "type_vocab_size": 1,
		"pad_token_id": 1, "hidden_act": "gelu", "layer_norm_eps": 1e-5}
}

// modelRows runs m on the sequences (right-padded into one batch) and returns, per sequence,
// its rows of out(h).
func modelRows(m *Model, seqs [][]int32, out func(tp *nn.Tape, h *nn.Tensor, b *Batch) *nn.Tensor) (*Batch, *nn.Tensor) {
	T := 0
	for _, s := range seqs {
		T = max(T, len(s))
	}
	b := &Batch{B: len(seqs), T: T, IDs: make([]int32, len(seqs)*T), Pad: make([]bool, len(seqs)*T)}
	for i, s := range seqs {
		copy(b.IDs[i*T:], s)
		for j := len(s); j < T; j++ {
			b.Pad[i*T+j] = true
		}
	}
	tp := nn.NewTape(1)
	tp.SetGrad(false)
	tp.SetTrain(false)
	return b, out(tp, m.Forward(tp, b, &Context{Batch: b}), b)
}

func closeTo(got []float32, want []float64, tol float64) (float64, bool) {
	worst := 0.0
	for i := range want {
		worst = max(worst, math.Abs(float64(got[i])-want[i]))
	}
	return worst, worst <= tol
}

// storedValues replaces each tensor's values by those stored in dir's weights file (under
// the name rename gives), so that a reference sees what a narrower dtype kept.
func storedValues(t *testing.T, dir string, ts map[string]hfTensor, rename func(string) string) {
	t.Helper()
	f, err := safetensors.Read(filepath.Join(dir, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, tensor := range ts {
		if tensor.data, err = f.Float32(rename(name), tensor.shape); err != nil {
			t.Fatal(err)
		}
		ts[name] = tensor
	}
}

func TestImportGPT2(t *testing.T) {
	for _, c := range []struct {
		prefix string
		dtype  safetensors.DType
	}{{"", safetensors.F32}, {"transformer.", safetensors.F32}, {"transformer.", safetensors.F16}, {"", safetensors.BF16}} {
		prefix := c.prefix
		t.Run(fmt.Sprintf("prefix=%s/%s", prefix, c.dtype), func(t *testing.T) {
			dir := t.TempDir()
			ts := randTensors(rand.New(rand.NewPCG(1, 2)), gpt2Shapes())
			withBuffers := maps.Clone(ts)
			for l := range hfLayers { // the causal-mask buffers and the tied head that must be ignored
				withBuffers[fmt.Sprintf("h.%d.attn.bias", l)] = hfTensor{shape: []int{1, 1, hfPos, hfPos}, data: make([]float32, hfPos*hfPos)}
				withBuffers[fmt.Sprintf("h.%d.attn.masked_bias", l)] = hfTensor{shape: []int{}, data: []float32{-1e4}}
			}
			rename := func(n string) string { return prefix + n }
			writeHFFolder(t, dir, gpt2ConfigJSON(), withBuffers, rename, c.dtype)
			storedValues(t, dir, ts, rename)
			if prefix != "" { // lm_head sits outside the prefix
				addTensor(t, dir, "lm_head.weight", ts["wte.weight"])
			}
			writeGPT2Tokenizer(t, dir)
			m, tok, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Cfg.Arch != Decoder || m.Cfg.DFF != 4*hfD || m.Cfg.MaxLen != hfPos {
				t.Errorf("config %+v", m.Cfg)
			}
			if tok == nil {
				t.Fatal("no tokenizer")
			}
			if got, want := tok.Encode("the the"), []int32{257, 32, 257}; !slices.Equal(got, want) {
				t.Errorf("Encode(\"the the\") = %v, want %v", got, want)
			}
			seqs := [][]int32{{5, 17, 200, 3, 258, 9}, {1, 2, 3}}
			b, logits := modelRows(m, seqs, func(tp *nn.Tape, h *nn.Tensor, b *Batch) *nn.Tensor { return m.LMLogits(tp, h) })
			for s, ids := range seqs {
				want := refGPT2Logits(ts, hfLayers, hfHeads, 1e-5, ids)
				for i := range ids {
					if d, ok := closeTo(logits.Row(s*b.T+i), want[i], 1e-4); !ok {
						t.Errorf("sequence %d position %d: logits differ from the reference by %g", s, i, d)
					}
				}
			}
		})
	}
}

func TestImportRoBERTa(t *testing.T) {
	for _, c := range []struct {
		prefix string
		labels int
	}{{"roberta.", 3}, {"", 0}, {"roberta.", 1}} {
		t.Run(fmt.Sprintf("prefix=%s/labels=%d", c.prefix, c.labels), func(t *testing.T) {
			dir := t.TempDir()
			ts := randTensors(rand.New(rand.NewPCG(3, 4)), robertaShapes(c.labels))
			all := maps.Clone(ts)
			all["pooler.dense.weight"] = hfTensor{shape: []int{hfD, hfD}, data: make([]float32, hfD*hfD)}
			writeHFFolder(t, dir, robertaConfigJSON(), all, func(n string) string {
				if strings.HasPrefix(n, "classifier.") {
					return n
				}
				return c.prefix + n
			})
			m, _, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if m.Cfg.Arch != Encoder || m.Cfg.NumLabels != c.labels || m.Cfg.MaxLen != hfPos {
				t.Errorf("config %+v", m.Cfg)
			}
			seqs := [][]int32{{0, 17, 200, 3, 2}, {0, 40, 2}}
			b, hidden := modelRows(m, seqs, func(tp *nn.Tape, h *nn.Tensor, b *Batch) *nn.Tensor { return h })
			var head *nn.Tensor
			if c.labels > 0 {
				_, head = modelRows(m, seqs, func(tp *nn.Tape, h *nn.Tensor, b *Batch) *nn.Tensor { return m.HeadLogits(tp, h, b.B, b.T) })
			}
			for s, ids := range seqs {
				wantH, wantLogits := refRoBERTa(ts, hfLayers, hfHeads, 1e-5, ids)
				for i := range ids {
					if d, ok := closeTo(hidden.Row(s*b.T+i), wantH[i], 1e-4); !ok {
						t.Errorf("sequence %d position %d: hidden state differs from the reference by %g", s, i, d)
					}
				}
				if head != nil {
					if d, ok := closeTo(head.Row(s), wantLogits, 1e-4); !ok {
						t.Errorf("sequence %d: head logits differ from the reference by %g", s, d)
					}
				}
			}
		})
	}
}

// addTensor rewrites dir/model.safetensors with one more tensor.
func addTensor(t *testing.T, dir, name string, tensor hfTensor) {
	t.Helper()
	path := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	var named []safetensors.Named
	for _, n := range f.Names() {
		info, _ := f.Info(n)
		data, err := f.Float32(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		named = append(named, safetensors.Named{Name: n, Shape: info.Shape, Data: data})
	}
	named = append(named, safetensors.Named{Name: name, Shape: tensor.shape, Data: tensor.data})
	if err := safetensors.WriteFile(path, named, f.Metadata()); err != nil {
		t.Fatal(err)
	}
}

func TestImportErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		name  string
		write func(t *testing.T, dir string)
		want  []string
	}{
		{"missing tensor", func(t *testing.T, dir string) {
			ts := randTensors(rng, gpt2Shapes())
			delete(ts, "h.1.mlp.c_fc.bias")
			writeHFFolder(t, dir, gpt2ConfigJSON(), ts, func(n string) string { return n })
		}, []string{"h.1.mlp.c_fc.bias", "missing"}},
		{"c_attn in linear layout", func(t *testing.T, dir string) {
			shapes := gpt2Shapes()
			shapes["h.0.attn.c_attn.weight"] = []int{3 * hfD, hfD}
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, shapes), func(n string) string { return n })
		}, []string{"h.0.attn.c_attn.weight", "[24 8]", "[8 24]"}},
		{"unexpected tensor", func(t *testing.T, dir string) {
			shapes := gpt2Shapes()
			shapes["h.0.attn.rotary"] = []int{2}
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, shapes), func(n string) string { return n })
		}, []string{"h.0.attn.rotary", "unexpected"}},
		{"config field missing", func(t *testing.T, dir string) {
			cfg := gpt2ConfigJSON()
			delete(cfg, "n_head")
			writeHFFolder(t, dir, cfg, randTensors(rng, gpt2Shapes()), func(n string) string { return n })
		}, []string{"config.json", "n_head"}},
		{"config not JSON", func(t *testing.T, dir string) {
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, gpt2Shapes()), func(n string) string { return n })
			os.WriteFile(filepath.Join(dir, "config.json"), []byte("{\n\"model_type\": \"gpt2\",\n  oops\n}"), 0o644)
		}, []string{"config.json", "line 3"}},
		{"config field of the wrong type", func(t *testing.T, dir string) {
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, gpt2Shapes()), func(n string) string { return n })
			os.WriteFile(filepath.Join(dir, "config.json"), []byte("{\n\"model_type\": \"gpt2\",\n\"n_embd\": \"eight\"\n}"), 0o644)
		}, []string{"config.json", "line 3", "n_embd", "string", "int"}},
		{"no weights", func(t *testing.T, dir string) {
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, gpt2Shapes()), func(n string) string { return n })
			os.Remove(filepath.Join(dir, WeightsFile))
		}, []string{WeightsFile, "only model.safetensors"}},
		{"empty folder", func(t *testing.T, dir string) {}, []string{WeightsFile}},
		{"unknown model type", func(t *testing.T, dir string) {
			cfg := gpt2ConfigJSON()
			cfg["model_type"] = "llama"
			writeHFFolder(t, dir, cfg, randTensors(rng, gpt2Shapes()), func(n string) string { return n })
		}, []string{"llama"}},
		{"roberta layout under gpt2 type", func(t *testing.T, dir string) {
			writeHFFolder(t, dir, gpt2ConfigJSON(), randTensors(rng, robertaShapes(0)), func(n string) string { return n })
		}, []string{"wte.weight"}},
		{"roberta position table too short", func(t *testing.T, dir string) {
			shapes := robertaShapes(2)
			shapes["embeddings.position_embeddings.weight"] = []int{hfPos, hfD}
			writeHFFolder(t, dir, robertaConfigJSON(), randTensors(rng, shapes), func(n string) string { return n })
		}, []string{"embeddings.position_embeddings.weight", "[12 8]", "[14 8]"}},
		{"tokenizer larger than the model", func(t *testing.T, dir string) {
			cfg := gpt2ConfigJSON()
			cfg["vocab_size"] = 100
			shapes := gpt2Shapes()
			shapes["wte.weight"] = []int{100, hfD}
			writeHFFolder(t, dir, cfg, randTensors(rng, shapes), func(n string) string { return n })
			writeGPT2Tokenizer(t, dir)
		}, []string{"259 tokens", "100"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.write(t, dir)
			_, _, err := Open(dir)
			if err == nil {
				t.Fatal("Open accepted the bad folder")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
