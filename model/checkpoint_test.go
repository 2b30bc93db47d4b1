package model

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/model/safetensors"
	"loralab/model/tokenizer"
)

// testTokenizer trains a small byte-level BPE tokenizer.
func testTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	tok, err := tokenizer.Train([]string{"the cat sat on the mat", "the dog sat on the log"}, tokenizer.TrainConfig{VocabSize: 270})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		m := newTestModel(t, testConfig(arch), 4)
		m.Freeze()
		dir := filepath.Join(t.TempDir(), "ckpt")
		tok := testTokenizer(t)
		if err := Save(dir, m, tok, map[string]string{"note": "hi"}); err != nil {
			t.Fatal(err)
		}
		got, gotTok, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cfg != m.Cfg {
			t.Errorf("%s: config %+v, want %+v", arch, got.Cfg, m.Cfg)
		}
		want := m.Params()
		for i, p := range got.Params() {
			if p.Name != want[i].Name || !slices.Equal(p.Data, want[i].Data) {
				t.Errorf("%s: tensor %s differs after the round trip", arch, p.Name)
			}
			if !p.Trainable {
				t.Errorf("%s: loaded tensor %s is frozen", arch, p.Name)
			}
		}
		if gotTok == nil || !slices.Equal(gotTok.Encode("the cat"), tok.Encode("the cat")) {
			t.Errorf("%s: tokenizer did not round-trip", arch)
		}
		_, meta, err := LoadWeights(filepath.Join(dir, WeightsFile))
		if err != nil || meta["note"] != "hi" {
			t.Errorf("%s: metadata %v, %v; want note=hi", arch, meta, err)
		}
	}
}

// rewriteHeader rewrites the JSON header of a safetensors file with edit, keeping the data.
func rewriteHeader(t *testing.T, path string, edit func(h map[string]json.RawMessage)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hdr, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	for len(hdr)%8 != 0 {
		hdr = append(hdr, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	out = append(append(out, hdr...), b[8+n:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTensors writes m's tensors to dir/model.safetensors after edit changes the list.
func writeTensors(t *testing.T, dir string, m *Model, meta map[string]string, edit func([]safetensors.Named) []safetensors.Named) {
	t.Helper()
	var ts []safetensors.Named
	for _, p := range m.Params() {
		ts = append(ts, safetensors.Named{Name: p.Name, Shape: p.Shape, Data: p.Data})
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), edit(ts), meta); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	m := newTestModel(t, testConfig(Decoder), 4)
	cfgJSON, _ := json.Marshal(m.Cfg)
	meta := map[string]string{ConfigKey: string(cfgJSON)}
	drop := func(name string) func([]safetensors.Named) []safetensors.Named {
		return func(ts []safetensors.Named) []safetensors.Named {
			return slices.DeleteFunc(ts, func(n safetensors.Named) bool { return n.Name == name })
		}
	}
	cases := []struct {
		name  string
		write func(dir string)
		want  []string // substrings of the error
	}{
		{"missing tensor", func(dir string) {
			writeTensors(t, dir, m, meta, drop("blocks.1.attn.v.bias"))
		}, []string{"blocks.1.attn.v.bias", "missing"}},
		{"wrong shape", func(dir string) {
			writeTensors(t, dir, m, meta, func(ts []safetensors.Named) []safetensors.Named {
				for i := range ts {
					if ts[i].Name == "blocks.0.mlp.fc1.weight" {
						ts[i].Shape = []int{8, 16}
					}
				}
				return ts
			})
		}, []string{"blocks.0.mlp.fc1.weight", "[8 16]", "[16 8]"}},
		{"wrong dtype", func(dir string) {
			writeTensors(t, dir, m, meta, func(ts []safetensors.Named) []safetensors.Named { return ts })
			rewriteHeader(t, filepath.Join(dir, WeightsFile), func(h map[string]json.RawMessage) {
				h["ln_f.bias"] = json.RawMessage(strings.Replace(string(h["ln_f.bias"]), `"F32"`, `"I32"`, 1))
			})
		}, []string{"ln_f.bias", "I32", "F32"}},
		{"truncated", func(dir string) {
			writeTensors(t, dir, m, meta, func(ts []safetensors.Named) []safetensors.Named { return ts })
			path := filepath.Join(dir, WeightsFile)
			b, _ := os.ReadFile(path)
			os.WriteFile(path, b[:len(b)-10], 0o644)
		}, []string{WeightsFile, "truncated"}},
		{"unexpected tensor", func(dir string) {
			writeTensors(t, dir, m, meta, func(ts []safetensors.Named) []safetensors.Named {
				return append(ts, safetensors.Named{Name: "blocks.9.attn.q.weight", Shape: []int{1}, Data: []float32{1}})
			})
		}, []string{"blocks.9.attn.q.weight", "unexpected"}},
		{"no config", func(dir string) {
			writeTensors(t, dir, m, nil, func(ts []safetensors.Named) []safetensors.Named { return ts })
		}, []string{ConfigKey, "not a loralab checkpoint"}},
		{"bad config", func(dir string) {
			writeTensors(t, dir, m, map[string]string{ConfigKey: `{"arch": "decoder", "vocab": 0}`}, func(ts []safetensors.Named) []safetensors.Named { return ts })
		}, []string{"vocab = 0"}},
		{"no file", func(dir string) {}, []string{WeightsFile}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.write(dir)
			_, _, err := Load(dir)
			if err == nil {
				t.Fatal("Load accepted the bad checkpoint")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
