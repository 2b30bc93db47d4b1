package model

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOrigin: an imported model remembers its family and name (_name_or_path, else the
// folder's name) through Clone, Share and a Save/Load round trip; a native model has none.
func TestOrigin(t *testing.T) {
	gpt2 := gpt2ConfigJSON()
	gpt2["_name_or_path"] = "openai-community/gpt2"
	cases := []struct {
		folder string
		config map[string]any
		shapes map[string][]int
		want   Origin
	}{
		{"my-roberta", robertaConfigJSON(), robertaShapes(2), Origin{Family: FamilyRoBERTa, Name: "my-roberta"}},
		{"local-gpt2", gpt2, gpt2Shapes(), Origin{Family: FamilyGPT2, Name: "openai-community/gpt2"}},
	}
	for _, c := range cases {
		t.Run(c.folder, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), c.folder)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeHFFolder(t, dir, c.config, randTensors(rand.New(rand.NewPCG(1, 2)), c.shapes), func(n string) string { return n })
			m, _, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]*Model{"import": m, "clone": m.Clone(), "share": m.Share()} {
				if got.Origin == nil || *got.Origin != c.want {
					t.Errorf("%s: origin %+v, want %+v", name, got.Origin, c.want)
				}
			}
			saved := t.TempDir()
			if err := Save(saved, m, nil, nil); err != nil {
				t.Fatal(err)
			}
			back, _, err := Load(saved)
			if err != nil {
				t.Fatal(err)
			}
			if back.Origin == nil || *back.Origin != c.want {
				t.Errorf("after Save/Load: origin %+v, want %+v", back.Origin, c.want)
			}
		})
	}
	native := newTestModel(t, testConfig(Encoder), 1)
	dir := t.TempDir()
	if err := Save(dir, native, nil, nil); err != nil {
		t.Fatal(err)
	}
	back, _, err := Load(dir)
	if err != nil || back.Origin != nil {
		t.Errorf("native model: origin %+v, err %v; want none", back.Origin, err)
	}
	if err := Save(dir, native, nil, map[string]string{OriginKey: `{"family":"bert","name":"x"}`}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `family "bert"`) {
		t.Errorf("bad origin family: error %v", err)
	}
}
