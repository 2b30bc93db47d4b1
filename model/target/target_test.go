package target

import (
	"slices"
	"testing"
)

func TestShapesAndPaths(t *testing.T) {
	cases := []struct {
		name          string
		in, out       int
		path, roberta string
	}{
		{"q", 8, 8, "blocks.2.attn.q", "attention.self.query"},
		{"o", 8, 8, "blocks.2.attn.o", "attention.output.dense"},
		{"fc1", 8, 32, "blocks.2.mlp.fc1", "intermediate.dense"},
		{"fc2", 32, 8, "blocks.2.mlp.fc2", "output.dense"},
		{"emb", 100, 8, "tok_emb", "embeddings.word_embeddings"},
	}
	for _, c := range cases {
		m, ok := Lookup(c.name)
		if !ok {
			t.Fatalf("%s: not found", c.name)
		}
		if in, out := m.Shape(8, 32, 100); in != c.in || out != c.out {
			t.Errorf("%s: shape (%d, %d), want (%d, %d)", c.name, in, out, c.in, c.out)
		}
		if p := m.Path(2); p != c.path {
			t.Errorf("%s: path %q, want %q", c.name, p, c.path)
		}
		if m.RoBERTa != c.roberta {
			t.Errorf("%s: RoBERTa path %q, want %q", c.name, m.RoBERTa, c.roberta)
		}
		for _, mod := range []string{c.path, m.Module, m.Suffix(), "base_model.model." + c.path} {
			if got, ok := ByModule(mod); !ok || got.Name != c.name {
				t.Errorf("ByModule(%q) = %q, %v; want %q", mod, got.Name, ok, c.name)
			}
		}
	}
	for _, bad := range []string{"blocks.2.attn.qq", "emb", "attn"} {
		if _, ok := ByModule(bad); ok {
			t.Errorf("ByModule accepted %q", bad)
		}
	}
}

func TestListsAreCopies(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"q", "k", "v", "o", "fc1", "fc2", "emb"}) {
		t.Fatalf("Names = %q", got)
	}
	d := Default()
	d[0] = "x"
	if Default()[0] != "q" {
		t.Error("Default shares its slice")
	}
	all := All()
	all[0].Name = "x"
	if _, ok := Lookup(Emb); !ok {
		t.Error("All shares the table")
	}
	if got := Sorted([]string{"v", "fc2", "emb", "q"}); !slices.Equal(got, []string{"emb", "q", "v", "fc2"}) {
		t.Errorf("Sorted = %q", got)
	}
}

func TestFusedInGPT2(t *testing.T) {
	var fused []string
	for _, m := range All() {
		if m.FusedInGPT2() {
			fused = append(fused, m.Name)
			if m.GPT2Part != len(fused)-1 {
				t.Errorf("%s: part %d of c_attn, want %d", m.Name, m.GPT2Part, len(fused)-1)
			}
		}
	}
	if !slices.Equal(fused, []string{"q", "k", "v"}) {
		t.Errorf("fused in c_attn: %q, want q, k, v", fused)
	}
}

func TestHFPaths(t *testing.T) {
	q, _ := Lookup("q")
	fc2, _ := Lookup("fc2")
	emb, _ := Lookup(Emb)
	for got, want := range map[string]string{
		q.RoBERTaPath(3):   "roberta.encoder.layer.3.attention.self.query",
		fc2.RoBERTaPath(0): "roberta.encoder.layer.0.output.dense",
		emb.RoBERTaPath(5): "roberta.embeddings.word_embeddings",
		q.GPT2Path(11):     "transformer.h.11.attn.c_attn",
		fc2.GPT2Path(1):    "transformer.h.1.mlp.c_proj",
		emb.GPT2Path(0):    "transformer.wte",
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
}
