package lora

import (
	"encoding/binary"
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
	"loralab/model/safetensors"
	"loralab/nn"
	"loralab/tuner"
)

// TestPEFTRoundTrip: an exported adapter imported into a fresh copy of the base model gives
// the same outputs bit for bit, with the same setting, and the config says what PEFT needs.
func TestPEFTRoundTrip(t *testing.T) {
	cases := []struct {
		arch string
		spec method.Spec
	}{
		{model.Decoder, loraSpec(4, "q", "v")},
		{model.Decoder, method.Spec{Name: method.LoRA, Rank: 2, Alpha: 5, Targets: []string{"emb", "fc1", "o"}, Layers: []int{1}, Scaling: ScalingRSLoRA, Init: InitGaussian, Dropout: 0.05}},
		{model.Encoder, loraSpec(3, "q", "k", "v", "o", "fc1", "fc2", "emb")},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s", c.arch, c.spec.Label()), func(t *testing.T) {
			dir := t.TempDir()
			m := newTestModel(t, testConfig(c.arch), 1)
			l := applyLoRA(t, m, c.spec, 2)
			randomize(l.Trainable(), 3, 0.5)
			b := randomBatch(4, m.Cfg.Vocab, 2, 6)
			want := output(m, b, 1)
			if err := l.ExportPEFT(dir, ExportOptions{BaseModel: "base/tiny"}); err != nil {
				t.Fatal(err)
			}
			checkPEFTKeys(t, dir, l)
			fresh := newTestModel(t, testConfig(c.arch), 1)
			imported, err := ImportPEFT(dir, fresh)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstDifference(output(fresh, b, 1), want); i >= 0 {
				t.Errorf("imported adapter differs at element %d", i)
			}
			got, wantSpec := imported.Spec(), c.spec
			if wantSpec.Alpha == 0 {
				wantSpec.Alpha = float64(wantSpec.Rank)
			}
			if got.Rank != wantSpec.Rank || got.Alpha != wantSpec.Alpha || imported.Scale() != l.Scale() ||
				!sameSet(got.Targets, wantSpec.Targets) || !slices.Equal(got.Layers, wantSpec.Layers) ||
				got.Dropout != wantSpec.Dropout || (got.Init == InitGaussian) != (wantSpec.Init == InitGaussian) {
				t.Errorf("imported setting %+v, want %+v", got, wantSpec)
			}
			cfg, err := ReadPEFTConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.PEFTType != "LORA" || cfg.Bias != "none" || cfg.FanInFanOut || cfg.BaseModel != "base/tiny" ||
				cfg.TaskType != map[string]string{model.Decoder: "CAUSAL_LM", model.Encoder: "SEQ_CLS"}[c.arch] {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}

// checkPEFTKeys checks that the exported weight file holds exactly PEFT's keys and shapes
// for l, the embedding's A as [r, vocab] with element (k, id) = A[k, id].
func checkPEFTKeys(t *testing.T, dir string, l *LoRA) {
	t.Helper()
	f, err := safetensors.Read(filepath.Join(dir, PEFTWeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{}
	for _, d := range l.Linears() {
		want["base_model.model."+d.Target.Name+".lora_A.weight"] = []int{l.Rank(), d.Target.In()}
		want["base_model.model."+d.Target.Name+".lora_B.weight"] = []int{d.Target.Out(), l.Rank()}
	}
	if e := l.Embedding(); e != nil {
		vocab, d := e.A.Shape[0], e.B.Shape[0]
		want["base_model.model.tok_emb.lora_embedding_A"] = []int{l.Rank(), vocab}
		want["base_model.model.tok_emb.lora_embedding_B"] = []int{d, l.Rank()}
		a, err := f.Float32("base_model.model.tok_emb.lora_embedding_A", nil)
		if err != nil {
			t.Fatal(err)
		}
		for k := range l.Rank() {
			for id := range vocab {
				if a[k*vocab+id] != e.A.Data[id*l.Rank()+k] {
					t.Fatalf("lora_embedding_A[%d, %d] = %g, want A[%d, %d] = %g", k, id, a[k*vocab+id], k, id, e.A.Data[id*l.Rank()+k])
				}
			}
		}
	}
	if h := l.model.Head; h != nil { // the trained head, in modules_to_save
		want["base_model.model.head.dense.weight"], want["base_model.model.head.dense.bias"] = []int{h.Dense.Out(), h.Dense.In()}, []int{h.Dense.Out()}
		want["base_model.model.head.out.weight"], want["base_model.model.head.out.bias"] = []int{h.Out.Out(), h.Out.In()}, []int{h.Out.Out()}
	}
	names := f.Names()
	if len(names) != len(want) {
		t.Errorf("file holds %v, want %d tensors", names, len(want))
	}
	for _, name := range names {
		info, _ := f.Info(name)
		if !slices.Equal(info.Shape, want[name]) || info.DType != safetensors.F32 {
			t.Errorf("%s is %s %v, want F32 %v", name, info.DType, info.Shape, want[name])
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// rawTensor is one tensor for writeRawSafetensors.
type rawTensor struct {
	name  string
	shape []int
	data  []float32
}

// writeRawSafetensors writes a safetensors file byte by byte, as the format specifies: an
// 8-byte little-endian header length, the JSON header, then the little-endian F32 data.
func writeRawSafetensors(t *testing.T, path string, tensors []rawTensor) {
	t.Helper()
	var header []string
	var data []byte
	for _, r := range tensors {
		begin := len(data)
		for _, v := range r.data {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
		shape, _ := json.Marshal(r.shape)
		header = append(header, fmt.Sprintf(`"%s":{"dtype":"F32","shape":%s,"data_offsets":[%d,%d]}`, r.name, shape, begin, len(data)))
	}
	h := []byte(`{"__metadata__":{"format":"pt"},` + strings.Join(header, ",") + "}")
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(append(out, h...), data...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// counting returns n values start, start+step, ...
func counting(n int, start, step float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = start + float32(i)*step
	}
	return out
}

// handConfig is an adapter_config.json as PEFT writes it, with fields this package ignores.
const handConfig = `{
  "alpha_pattern": {},
  "auto_mapping": null,
  "base_model_name_or_path": "some/base",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": true,
  "init_lora_weights": true,
  "layers_pattern": null,
  "layers_to_transform": 1,
  "lora_alpha": 4,
  "lora_dropout": 0.1,
  "modules_to_save": null,
  "peft_type": "LORA",
  "r": 2,
  "rank_pattern": {},
  "revision": null,
  "target_modules": [
    "tok_emb",
    "attn.v"
  ],
  "task_type": "CAUSAL_LM",
  "use_dora": false,
  "use_rslora": false
}
`

// writeHandFolder writes a PEFT folder for handConfig on testConfig's decoder (d 8, vocab
// 13, r 2): v of block 1 and the embedding.
func writeHandFolder(t *testing.T, dir string) (vA, vB, embA, embB []float32) {
	t.Helper()
	vA, vB = counting(2*8, -0.4, 0.05), counting(8*2, 0.3, -0.04)
	embA, embB = counting(2*13, 0.2, -0.015), counting(8*2, -0.1, 0.02)
	writeRawSafetensors(t, filepath.Join(dir, PEFTWeightsFile), []rawTensor{
		{"base_model.model.blocks.1.attn.v.lora_A.weight", []int{2, 8}, vA},
		{"base_model.model.blocks.1.attn.v.lora_B.weight", []int{8, 2}, vB},
		{"base_model.model.tok_emb.lora_embedding_A", []int{2, 13}, embA},
		{"base_model.model.tok_emb.lora_embedding_B", []int{8, 2}, embB},
	})
	if err := os.WriteFile(filepath.Join(dir, PEFTConfigFile), []byte(handConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return vA, vB, embA, embB
}

// TestImportHandWrittenPEFT imports a folder written from raw bytes and JSON, and checks the
// updates against s·B·A computed by hand in float64, the embedding's A read as [r, vocab].
func TestImportHandWrittenPEFT(t *testing.T) {
	dir := t.TempDir()
	vA, vB, embA, embB := writeHandFolder(t, dir)
	m := newTestModel(t, testConfig(model.Decoder), 1)
	l, err := ImportPEFT(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	if s := l.Spec(); s.Rank != 2 || s.Alpha != 4 || !slices.Equal(s.Targets, []string{"emb", "v"}) ||
		!slices.Equal(s.Layers, []int{1}) || s.Dropout != 0.1 || l.Scale() != 2 {
		t.Fatalf("imported setting %+v scale %g", s, l.Scale())
	}
	if len(m.Blocks[1].V.Deltas) != 1 || len(m.Blocks[0].V.Deltas) != 0 || len(m.EmbedHooks) != 1 {
		t.Fatal("updates not installed on blocks.1.attn.v and the embedding only")
	}
	const s, r, d, vocab = 2.0, 2, 8, 13

	// Linear: delta = s x Aᵀ Bᵀ for x = e_j gives column j of s B A.
	x := nn.New(d, d)
	for j := range d {
		x.Data[j*d+j] = 1
	}
	tp := nn.NewTape(1)
	got := l.Linears()[0].Forward(tp, x, &model.Context{})
	for j := range d {
		for i := range d {
			var ba float64
			for k := range r {
				ba += float64(vB[i*r+k]) * float64(vA[k*d+j])
			}
			if g := float64(got.Data[j*d+i]); math.Abs(g-s*ba) > 1e-6 {
				t.Errorf("v update for e_%d, row %d: %g, want %g", j, i, g, s*ba)
			}
		}
	}

	// Embedding: token id adds s B A[:, id] with A [r, vocab] as in the file.
	ids := []int32{0, 5, 12}
	b := &model.Batch{B: 1, T: len(ids), IDs: ids}
	zero := nn.New(len(ids), d)
	emb := l.Embedding().Forward(tp, zero, &model.Context{Batch: b})
	for row, id := range ids {
		for i := range d {
			var ba float64
			for k := range r {
				ba += float64(embB[i*r+k]) * float64(embA[k*vocab+int(id)])
			}
			if g := float64(emb.Data[row*d+i]); math.Abs(g-s*ba) > 1e-6 {
				t.Errorf("embedding update of token %d, dim %d: %g, want %g", id, i, g, s*ba)
			}
		}
	}
}

// TestImportErrors feeds broken folders and checks that the error says what is wrong where.
func TestImportErrors(t *testing.T) {
	cases := []struct {
		name   string
		config func(string) string // edits handConfig
		extra  []rawTensor         // replaces or adds tensors
		drop   string              // tensor left out
		want   []string
	}{
		{name: "shape mismatch", extra: []rawTensor{{"base_model.model.blocks.1.attn.v.lora_A.weight", []int{3, 8}, make([]float32, 24)}},
			want: []string{`"base_model.model.blocks.1.attn.v.lora_A.weight"`, "found [3 8], want [2 8]"}},
		{name: "embedding A not transposed", extra: []rawTensor{{"base_model.model.tok_emb.lora_embedding_A", []int{13, 2}, make([]float32, 26)}},
			want: []string{"lora_embedding_A", "found [13 2], want [2 13]"}},
		{name: "missing tensor", drop: "base_model.model.blocks.1.attn.v.lora_B.weight",
			want: []string{"missing tensor", "blocks.1.attn.v.lora_B.weight"}},
		{name: "tensor the config does not name", extra: []rawTensor{{"base_model.model.blocks.0.attn.v.lora_A.weight", []int{2, 8}, make([]float32, 16)}},
			want: []string{`"base_model.model.blocks.0.attn.v.lora_A.weight" is not part of the adapter`}},
		{name: "invalid JSON", config: func(c string) string { return strings.Replace(c, `"bias": "none",`, `"bias": "none"`, 1) },
			want: []string{PEFTConfigFile, "line 6, column 3", "invalid JSON"}},
		{name: "wrong type", config: func(c string) string { return strings.Replace(c, `"r": 2`, `"r": "2"`, 1) },
			want: []string{"line 15", "r is a JSON string, want int"}},
		{name: "regex target_modules", config: func(c string) string {
			return strings.Replace(c, "[\n    \"tok_emb\",\n    \"attn.v\"\n  ]", `".*attn.v"`, 1)
		}, want: []string{"line 18, column 21", `target_modules is ".*attn.v"`, "want a list"}},
		{name: "unknown module", config: func(c string) string { return strings.Replace(c, `"attn.v"`, `"c_attn"`, 1) },
			want: []string{`"c_attn" names no adaptable module`}},
		{name: "other PEFT type", config: func(c string) string { return strings.Replace(c, `"LORA"`, `"PREFIX_TUNING"`, 1) },
			want: []string{`peft_type "PREFIX_TUNING"`}},
		{name: "DoRA", config: func(c string) string { return strings.Replace(c, `"use_dora": false`, `"use_dora": true`, 1) },
			want: []string{"DoRA"}},
		{name: "fan_in_fan_out", config: func(c string) string {
			return strings.Replace(c, `"fan_in_fan_out": false`, `"fan_in_fan_out": true`, 1)
		},
			want: []string{"fan_in_fan_out true"}},
		{name: "trained biases", config: func(c string) string { return strings.Replace(c, `"bias": "none"`, `"bias": "lora_only"`, 1) },
			want: []string{`bias "lora_only"`}},
		{name: "rank pattern", config: func(c string) string { return strings.Replace(c, `"rank_pattern": {}`, `"rank_pattern": {"v": 4}`, 1) },
			want: []string{"rank_pattern"}},
		{name: "LoftQ init", config: func(c string) string {
			return strings.Replace(c, `"init_lora_weights": true`, `"init_lora_weights": "loftq"`, 1)
		},
			want: []string{"init_lora_weights loftq", "pissa"}},
		{name: "layer beyond the model", config: func(c string) string {
			return strings.Replace(c, `"layers_to_transform": 1`, `"layers_to_transform": [0, 2]`, 1)
		},
			want: []string{"layers 2 out of range"}},
		{name: "rank 0", config: func(c string) string { return strings.Replace(c, `"r": 2`, `"r": 0`, 1) },
			want: []string{"rank 0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			vA, vB, embA, embB := writeHandFolder(t, dir)
			tensors := []rawTensor{
				{"base_model.model.blocks.1.attn.v.lora_A.weight", []int{2, 8}, vA},
				{"base_model.model.blocks.1.attn.v.lora_B.weight", []int{8, 2}, vB},
				{"base_model.model.tok_emb.lora_embedding_A", []int{2, 13}, embA},
				{"base_model.model.tok_emb.lora_embedding_B", []int{8, 2}, embB},
			}
			tensors = slices.DeleteFunc(tensors, func(r rawTensor) bool {
				return r.name == c.drop || slices.ContainsFunc(c.extra, func(e rawTensor) bool { return e.name == r.name })
			})
			writeRawSafetensors(t, filepath.Join(dir, PEFTWeightsFile), append(tensors, c.extra...))
			if c.config != nil {
				if err := os.WriteFile(filepath.Join(dir, PEFTConfigFile), []byte(c.config(handConfig)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m := newTestModel(t, testConfig(model.Decoder), 1)
			_, err := ImportPEFT(dir, m)
			if err == nil {
				t.Fatal("import succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(m.EmbedHooks) != 0 || len(m.Blocks[1].V.Deltas) != 0 {
				t.Error("a failed import installed updates")
			}
		})
	}
	t.Run("no folder", func(t *testing.T) {
		_, err := ImportPEFT(filepath.Join(t.TempDir(), "nothing"), newTestModel(t, testConfig(model.Decoder), 1))
		if err == nil || !strings.Contains(err.Error(), PEFTConfigFile) {
			t.Errorf("import of a missing folder: %v", err)
		}
	})
}

// TestBankAddPEFT: an adapter exported from one model serves in a bank next to another.
func TestBankAddPEFT(t *testing.T) {
	dir := t.TempDir()
	writeHandFolder(t, dir)
	single := newTestModel(t, testConfig(model.Decoder), 1)
	if _, err := ImportPEFT(dir, single); err != nil {
		t.Fatal(err)
	}
	m := newTestModel(t, testConfig(model.Decoder), 1)
	bank, err := NewBank(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bank.Add("other", loraSpec(2, "q"), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := bank.AddPEFT("hand", dir); err != nil {
		t.Fatal(err)
	}
	if err := bank.Activate("hand"); err != nil {
		t.Fatal(err)
	}
	b := randomBatch(4, m.Cfg.Vocab, 2, 6)
	if i := firstDifference(output(m, b, 1), output(single, b, 1)); i >= 0 {
		t.Errorf("bank serving the PEFT adapter differs from importing it alone at %d", i)
	}
}

// TestExportRun: LoRA runs leave an adapter folder, other methods nothing.
func TestExportRun(t *testing.T) {
	dir := t.TempDir()
	l := applyLoRA(t, newTestModel(t, testConfig(model.Decoder), 1), loraSpec(2, "q"), 1)
	if err := tuner.ExportRun(l, dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{PEFTWeightsFile, PEFTConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("tuner.ExportRun wrote no %s: %v", f, err)
		}
	}
	other := t.TempDir()
	if err := tuner.ExportRun(nil, other); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 0 {
		t.Errorf("tuner.ExportRun of a non-LoRA method wrote %v", entries)
	}
}
