package lora

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/model/safetensors"
	"loralab/nn"
)

// hfTestModel is testConfig's model as if imported from a Hugging Face folder of the family.
func hfTestModel(t *testing.T, family string, seed uint64) *model.Model {
	t.Helper()
	arch := model.Encoder
	if family == model.FamilyGPT2 {
		arch = model.Decoder
	}
	m := newTestModel(t, testConfig(arch), seed)
	m.Origin = &model.Origin{Family: family, Name: "hub/tiny-" + family}
	return m
}

// mergedWeights merges l and returns a copy of every Linear weight of its model, the head's
// included.
func mergedWeights(t *testing.T, l *LoRA, m *model.Model) [][]float32 {
	t.Helper()
	if err := l.Merge(); err != nil {
		t.Fatal(err)
	}
	var ws [][]float32
	for _, lin := range m.Linears() {
		ws = append(ws, slices.Clone(lin.W.Data), slices.Clone(lin.B.Data))
	}
	return ws
}

// TestPEFTHuggingFace: on a model imported from Hugging Face, the adapter is written under
// that model's module paths as PEFT writes them (GPT-2's q, k, v as one block-structured
// LoRA on c_attn), with the head in modules_to_save; importing it into a fresh copy gives
// the same setting, the same outputs and, merged, the same weights bit for bit.
func TestPEFTHuggingFace(t *testing.T) {
	type config struct {
		targets      []string
		rankPattern  map[string]int
		alphaPattern map[string]float64
		fanInFanOut  bool
	}
	cases := []struct {
		family string
		spec   method.Spec
		keys   map[string][]int // some keys the file must hold, with their shapes
		cfg    config
	}{
		{model.FamilyRoBERTa, loraSpec(2, "q", "v"),
			map[string][]int{
				"base_model.model.roberta.encoder.layer.1.attention.self.query.lora_A.weight": {2, 8},
				"base_model.model.roberta.encoder.layer.0.attention.self.value.lora_B.weight": {8, 2},
				"base_model.model.classifier.dense.weight":                                    {8, 8},
				"base_model.model.classifier.out_proj.bias":                                   {3},
			},
			config{targets: []string{"query", "value"}}},
		{model.FamilyRoBERTa, method.Spec{Name: method.LoRA, Rank: 2, Alpha: 3, Targets: []string{"fc2"}, Layers: []int{1}},
			map[string][]int{"base_model.model.roberta.encoder.layer.1.output.dense.lora_A.weight": {2, 16}},
			config{targets: []string{"roberta.encoder.layer.1.output.dense"}}},
		{model.FamilyRoBERTa, loraSpec(2, "o", "fc1", "fc2", "k", "emb"),
			map[string][]int{
				"base_model.model.roberta.encoder.layer.0.attention.output.dense.lora_B.weight": {8, 2},
				"base_model.model.roberta.encoder.layer.0.intermediate.dense.lora_B.weight":     {16, 2},
				"base_model.model.roberta.embeddings.word_embeddings.lora_embedding_A":          {2, 13},
			},
			config{targets: []string{"word_embeddings", "key", "output.dense", "intermediate.dense"}}},
		{model.FamilyGPT2, loraSpec(2, "q", "v"),
			map[string][]int{
				"base_model.model.transformer.h.0.attn.c_attn.lora_A.weight": {4, 8},
				"base_model.model.transformer.h.1.attn.c_attn.lora_B.weight": {24, 4},
			},
			config{targets: []string{"c_attn"}, rankPattern: map[string]int{"c_attn": 4}, alphaPattern: map[string]float64{"c_attn": 4}, fanInFanOut: true}},
		{model.FamilyGPT2, method.Spec{Name: method.LoRA, Rank: 2, Alpha: 5, Targets: []string{"emb", "q", "k", "v", "o", "fc1"}, Scaling: ScalingRSLoRA},
			map[string][]int{
				"base_model.model.transformer.h.0.attn.c_attn.lora_A.weight": {6, 8},
				"base_model.model.transformer.h.0.attn.c_proj.lora_B.weight": {8, 2},
				"base_model.model.transformer.h.1.mlp.c_fc.lora_A.weight":    {2, 8},
				"base_model.model.transformer.wte.lora_embedding_B":          {8, 2},
			},
			config{targets: []string{"wte", "c_attn", "attn.c_proj", "c_fc"}, rankPattern: map[string]int{"c_attn": 6},
				alphaPattern: map[string]float64{"c_attn": 5 * math.Sqrt(3)}, fanInFanOut: true}},
		{model.FamilyGPT2, method.Spec{Name: method.LoRA, Rank: 3, Targets: []string{"k", "fc2"}, Layers: []int{0}},
			map[string][]int{"base_model.model.transformer.h.0.attn.c_attn.lora_B.weight": {24, 3}},
			config{targets: []string{"c_attn", "mlp.c_proj"}, fanInFanOut: true}},
	}
	for _, c := range cases {
		t.Run(c.family+"/"+c.spec.Label(), func(t *testing.T) {
			dir := t.TempDir()
			m := hfTestModel(t, c.family, 1)
			l := applyLoRA(t, m, c.spec, 2)
			randomize(l.Trainable(), 3, 0.5)
			b := randomBatch(4, m.Cfg.Vocab, 2, 6)
			want := output(m, b, 1)
			if err := l.ExportPEFT(dir, ExportOptions{}); err != nil {
				t.Fatal(err)
			}
			f, err := safetensors.Read(filepath.Join(dir, PEFTWeightsFile))
			if err != nil {
				t.Fatal(err)
			}
			for key, shape := range c.keys {
				if info, ok := f.Info(key); !ok || !slices.Equal(info.Shape, shape) {
					t.Errorf("key %s: %v (present %v), want shape %v; file holds %v", key, info.Shape, ok, shape, f.Names())
				}
			}
			cfg, err := ReadPEFTConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !sameSet(cfg.TargetModules, c.cfg.targets) || cfg.FanInFanOut != c.cfg.fanInFanOut || cfg.BaseModel != "hub/tiny-"+c.family ||
				fmt.Sprint(cfg.RankPattern) != fmt.Sprint(c.cfg.rankPattern) || !sameFloats(cfg.AlphaPattern, c.cfg.alphaPattern) {
				t.Errorf("config targets %v fan_in_fan_out %v base %q rank_pattern %v alpha_pattern %v, want %+v",
					cfg.TargetModules, cfg.FanInFanOut, cfg.BaseModel, cfg.RankPattern, cfg.AlphaPattern, c.cfg)
			}
			if wantSave := m.Head != nil; wantSave != slices.Equal(cfg.ModulesToSave, []string{"classifier"}) {
				t.Errorf("modules_to_save %v with a head %v", cfg.ModulesToSave, wantSave)
			}
			if len(c.spec.Layers) > 0 && cfg.LayersPattern != map[string]string{model.FamilyGPT2: "h", model.FamilyRoBERTa: "layer"}[c.family] {
				t.Errorf("layers_pattern %q", cfg.LayersPattern)
			}

			fresh := hfTestModel(t, c.family, 1)
			if fresh.Head != nil {
				randomize([]*nn.Tensor{fresh.Head.Dense.W, fresh.Head.Out.B}, 9, 1) // the import must bring the trained head
			}
			imported, err := ImportPEFT(dir, fresh)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDifference(output(fresh, b, 1), want); i >= 0 {
				t.Errorf("imported adapter differs at element %d", i)
			}
			got, wantSpec := imported.Spec(), c.spec
			if got.Rank != wantSpec.Rank || imported.Scale() != l.Scale() || !sameSet(got.Targets, wantSpec.Targets) || !slices.Equal(got.Layers, wantSpec.Layers) {
				t.Errorf("imported setting %+v (scale %g), want %+v (scale %g)", got, imported.Scale(), wantSpec, l.Scale())
			}
			mergedBack, merged := mergedWeights(t, imported, fresh), mergedWeights(t, l, m)
			for i := range merged {
				if j := firstDifference(mergedBack[i], merged[i]); j >= 0 {
					t.Errorf("merged weight %d differs at element %d after export and import", i, j)
				}
			}
		})
	}
}

func sameFloats(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || math.Abs(v-w) > 1e-12*math.Abs(w) {
			return false
		}
	}
	return true
}

// TestPEFTFusedBlocks: GPT-2's c_attn holds the updates of q and v side by side, A stacked
// and B block-structured: B·A is [s B_q A_q; 0; s B_v A_v] up to the scale.
func TestPEFTFusedBlocks(t *testing.T) {
	m := hfTestModel(t, model.FamilyGPT2, 1)
	l := applyLoRA(t, m, loraSpec(2, "q", "v"), 2)
	randomize(l.Trainable(), 3, 0.5)
	dir := t.TempDir()
	if err := l.ExportPEFT(dir, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Read(filepath.Join(dir, PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	const d, r = 8, 2
	a, _ := f.Float32("base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", []int{2 * r, d})
	bb, _ := f.Float32("base_model.model.transformer.h.1.attn.c_attn.lora_B.weight", []int{3 * d, 2 * r})
	q, v := l.Linears()[2], l.Linears()[3] // block 1's q and v
	for i := range 3 * d {
		for j := range d {
			var got, want float64
			for k := range 2 * r {
				got += float64(bb[i*2*r+k]) * float64(a[k*d+j])
			}
			part, row := i/d, i%d
			for k := range r {
				switch part {
				case 0:
					want += float64(q.B.Data[row*r+k]) * float64(q.A.Data[k*d+j])
				case 2:
					want += float64(v.B.Data[row*r+k]) * float64(v.A.Data[k*d+j])
				}
			}
			if math.Abs(got-want) > 1e-6 {
				t.Fatalf("(B·A)[%d, %d] = %g, want %g", i, j, got, want)
			}
		}
	}
}

// peftRoBERTaConfig is an adapter_config.json as PEFT writes it for a RoBERTa sequence
// classifier with LoRA r=2 on query and value.
const peftRoBERTaConfig = `{
  "alpha_pattern": {},
  "auto_mapping": null,
  "base_model_name_or_path": "FacebookAI/roberta-base",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": true,
  "init_lora_weights": true,
  "layers_pattern": null,
  "layers_to_transform": null,
  "lora_alpha": 4,
  "lora_dropout": 0.1,
  "modules_to_save": ["classifier", "score"],
  "peft_type": "LORA",
  "r": 2,
  "rank_pattern": {},
  "revision": null,
  "target_modules": ["value", "query"],
  "task_type": "SEQ_CLS",
  "use_dora": false,
  "use_rslora": false
}
`

// peftGPT2Config is an adapter_config.json as PEFT writes it for GPT-2 with LoRA r=2 on
// c_attn (a general LoRA: q, k and v share A).
const peftGPT2Config = `{
  "alpha_pattern": {},
  "base_model_name_or_path": "openai-community/gpt2",
  "bias": "none",
  "fan_in_fan_out": true,
  "inference_mode": true,
  "init_lora_weights": true,
  "layers_to_transform": null,
  "lora_alpha": 4,
  "lora_dropout": 0.0,
  "modules_to_save": null,
  "peft_type": "LORA",
  "r": 2,
  "rank_pattern": {},
  "target_modules": ["c_attn"],
  "task_type": "CAUSAL_LM",
  "use_dora": false,
  "use_rslora": false
}
`

// writeFixture writes a PEFT folder from raw bytes and JSON.
func writeFixture(t *testing.T, config string, tensors []rawTensor) string {
	t.Helper()
	dir := t.TempDir()
	writeRawSafetensors(t, filepath.Join(dir, PEFTWeightsFile), tensors)
	if err := os.WriteFile(filepath.Join(dir, PEFTConfigFile), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkUpdate checks that update u equals s·B[rows]·A computed by hand in float64, with B of
// the given width (its rows from row on).
func checkUpdate(t *testing.T, name string, u *Linear, s float64, a, b []float32, width, row int) {
	t.Helper()
	in, out, r := u.Target.In(), u.Target.Out(), width
	x := nn.New(in, in)
	for j := range in {
		x.Data[j*in+j] = 1
	}
	got := u.Forward(nn.NewTape(1), x, &model.Context{})
	for j := range in {
		for i := range out {
			var ba float64
			for k := range r {
				ba += float64(b[(row+i)*width+k]) * float64(a[k*in+j])
			}
			if g := float64(got.Data[j*out+i]); math.Abs(g-s*ba) > 1e-6 {
				t.Fatalf("%s: update for e_%d, row %d: %g, want %g", name, j, i, g, s*ba)
			}
		}
	}
}

// TestImportPEFTRoBERTaFixture loads a folder in exactly PEFT's layout for RoBERTa: LoRA on
// query and value of every layer, the classifier in modules_to_save.
func TestImportPEFTRoBERTaFixture(t *testing.T) {
	var tensors []rawTensor
	const d, r = 8, 2
	for layer := range 2 {
		for i, mod := range []string{"query", "value"} {
			key := fmt.Sprintf("base_model.model.roberta.encoder.layer.%d.attention.self.%s", layer, mod)
			tensors = append(tensors,
				rawTensor{key + ".lora_A.weight", []int{r, d}, counting(r*d, float32(layer+i)*0.1-0.4, 0.05)},
				rawTensor{key + ".lora_B.weight", []int{d, r}, counting(d*r, 0.3, -0.04+float32(i)*0.01)})
		}
	}
	headDense, headOut := counting(d*d, -0.2, 0.01), counting(2*d, 0.1, -0.02)
	tensors = append(tensors,
		rawTensor{"base_model.model.classifier.dense.weight", []int{d, d}, headDense},
		rawTensor{"base_model.model.classifier.dense.bias", []int{d}, counting(d, 0, 0.1)},
		rawTensor{"base_model.model.classifier.out_proj.weight", []int{2, d}, headOut},
		rawTensor{"base_model.model.classifier.out_proj.bias", []int{2}, []float32{0.5, -0.5}})
	dir := writeFixture(t, peftRoBERTaConfig, tensors)
	m := hfTestModel(t, model.FamilyRoBERTa, 1) // a head of 3 labels: replaced by the saved one of 2
	l, err := ImportPEFT(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if s := l.Spec(); s.Rank != 2 || !slices.Equal(s.Targets, []string{"q", "v"}) || l.Scale() != 2 {
		t.Fatalf("imported setting %+v scale %g", s, l.Scale())
	}
	for i, u := range l.Linears() { // layer 0 q, v; layer 1 q, v
		checkUpdate(t, u.Target.Name, u, 2, tensors[2*i].data, tensors[2*i+1].data, r, 0)
	}
	if m.Cfg.NumLabels != 2 || !slices.Equal(m.Head.Dense.W.Data, headDense) || !slices.Equal(m.Head.Out.W.Data, headOut) ||
		m.Head.Out.B.Data[1] != -0.5 || m.Head.Dense.W.Trainable {
		t.Errorf("head not loaded from modules_to_save: labels %d", m.Cfg.NumLabels)
	}
}

// gpt2Fixture writes a PEFT folder for GPT-2 with a c_attn LoRA whose B is given per layer
// ([24, width]), A counting.
func gpt2Fixture(t *testing.T, config string, width int, b func(layer int) []float32) (string, []rawTensor) {
	var tensors []rawTensor
	for layer := range 2 {
		key := fmt.Sprintf("base_model.model.transformer.h.%d.attn.c_attn", layer)
		tensors = append(tensors,
			rawTensor{key + ".lora_A.weight", []int{width, 8}, counting(width*8, -0.3+float32(layer)*0.1, 0.02)},
			rawTensor{key + ".lora_B.weight", []int{24, width}, b(layer)})
	}
	return writeFixture(t, config, tensors), tensors
}

// TestImportPEFTGPT2Fixture loads GPT-2 folders in PEFT's layout: a general c_attn LoRA (q,
// k and v share A), a block-structured one for q and v, and refuses a rank-4 c_attn LoRA
// whose B is not block-structured.
func TestImportPEFTGPT2Fixture(t *testing.T) {
	t.Run("general", func(t *testing.T) {
		dir, tensors := gpt2Fixture(t, peftGPT2Config, 2, func(layer int) []float32 { return counting(24*2, 0.2, -0.01) })
		m := hfTestModel(t, model.FamilyGPT2, 1)
		l, err := ImportPEFT(dir, m)
		if err != nil {
			t.Fatal(err)
		}
		if s := l.Spec(); s.Rank != 2 || !slices.Equal(s.Targets, []string{"q", "k", "v"}) || l.Scale() != 2 {
			t.Fatalf("imported setting %+v scale %g", s, l.Scale())
		}
		for i, u := range l.Linears() {
			layer, part := i/3, i%3
			checkUpdate(t, u.Target.Name, u, 2, tensors[2*layer].data, tensors[2*layer+1].data, 2, part*8)
		}
	})
	t.Run("one part", func(t *testing.T) { // rank r, B nonzero in v's rows only: LoRA on v
		dir, tensors := gpt2Fixture(t, peftGPT2Config, 2, func(layer int) []float32 {
			b := make([]float32, 24*2)
			for i := range 16 {
				b[(16+i/2)*2+i%2] = 0.05*float32(i) - 0.3 + 0.1*float32(layer)
			}
			return b
		})
		m := hfTestModel(t, model.FamilyGPT2, 1)
		l, err := ImportPEFT(dir, m)
		if err != nil {
			t.Fatal(err)
		}
		if s := l.Spec(); !slices.Equal(s.Targets, []string{"v"}) {
			t.Fatalf("imported targets %v, want [v]", s.Targets)
		}
		for i, u := range l.Linears() {
			checkUpdate(t, u.Target.Name, u, 2, tensors[2*i].data, tensors[2*i+1].data, 2, 16)
		}
	})
	blocks := strings.NewReplacer(`"rank_pattern": {}`, `"rank_pattern": {"c_attn": 4}`, `"alpha_pattern": {}`, `"alpha_pattern": {"c_attn": 8}`)
	qv := func(layer int) []float32 { // columns 0-1 in q's rows, 2-3 in v's
		b := make([]float32, 24*4)
		for i := range 8 {
			for k := range 2 {
				b[i*4+k] = 0.1*float32(i) - 0.05*float32(k+layer)
				b[(16+i)*4+2+k] = -0.07*float32(i) + 0.03*float32(k)
			}
		}
		return b
	}
	t.Run("block-structured", func(t *testing.T) {
		dir, tensors := gpt2Fixture(t, blocks.Replace(peftGPT2Config), 4, qv)
		m := hfTestModel(t, model.FamilyGPT2, 1)
		l, err := ImportPEFT(dir, m)
		if err != nil {
			t.Fatal(err)
		}
		if s := l.Spec(); s.Rank != 2 || !slices.Equal(s.Targets, []string{"q", "v"}) || l.Scale() != 2 {
			t.Fatalf("imported setting %+v scale %g", s, l.Scale())
		}
		for i, u := range l.Linears() { // q's update is B[q rows] A over all four columns, v's likewise
			layer, row := i/2, []int{0, 16}[i%2]
			checkUpdate(t, u.Target.Name, u, 2, tensors[2*layer].data, tensors[2*layer+1].data, 4, row)
		}
	})
	t.Run("not block-structured", func(t *testing.T) {
		dir, _ := gpt2Fixture(t, blocks.Replace(peftGPT2Config), 4, func(layer int) []float32 {
			b := qv(layer)
			b[8*4+1] = 0.5 // k's rows in q's block
			return b
		})
		m := hfTestModel(t, model.FamilyGPT2, 1)
		_, err := ImportPEFT(dir, m)
		if err == nil || !strings.Contains(err.Error(), "block-structured") || !strings.Contains(err.Error(), "q, k") {
			t.Errorf("error %v, want one saying c_attn's B is not block-structured", err)
		}
		if len(m.Blocks[0].Q.Deltas) != 0 {
			t.Error("a failed import installed updates")
		}
	})
	for name, edit := range map[string]func(string) string{
		"fan_in_fan_out false": func(c string) string {
			return strings.Replace(c, `"fan_in_fan_out": true`, `"fan_in_fan_out": false`, 1)
		},
		"unknown module": func(c string) string { return strings.Replace(c, `["c_attn"]`, `["query"]`, 1) },
		"rank_pattern on c_fc": func(c string) string {
			return strings.Replace(c, `"rank_pattern": {}`, `"rank_pattern": {"c_fc": 4}`, 1)
		},
		"scale": func(c string) string { return strings.Replace(blocks.Replace(c), `{"c_attn": 8}`, `{"c_attn": 4}`, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			dir, _ := gpt2Fixture(t, edit(peftGPT2Config), 2, func(int) []float32 { return counting(48, 0, 0.01) })
			_, err := ImportPEFT(dir, hfTestModel(t, model.FamilyGPT2, 1))
			want := map[string]string{"fan_in_fan_out false": "fan_in_fan_out false, want true", "unknown module": `"query" names no adaptable module of the gpt2 model`,
				"rank_pattern on c_fc": `rank_pattern "c_fc"`, "scale": "want alpha_pattern c_attn 8"}[name]
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want %q", err, want)
			}
		})
	}
}
