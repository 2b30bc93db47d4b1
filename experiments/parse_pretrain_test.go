package experiments

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"loralab/model"
)

const baseRecipe = `model:
  arch: encoder
  preset: tiny
  vocab: 1024
  max_len: 128
corpus: corpus-a
tokens: 1_000_000
batch: 16
seq_len: 64
lr: 1e-3
warmup: 50
seed: 3
data_seed: 2
eval_every: 100
checkpoint_minutes: 2.5
keep: [0.5, 0, 0.25]
threads: 2
out: models/encoder
fp16: true
`

var recipeTasks = []string{"corpus-a", "cls-a"}

// TestParseRecipe decodes the base recipe into the Recipe it describes, steps derived from
// the token budget.
func TestParseRecipe(t *testing.T) {
	r, err := ParseRecipe("r.yaml", []byte(baseRecipe), recipeTasks)
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := model.Preset("tiny", model.Encoder, 1024)
	mc.MaxLen = 128
	want := &Recipe{File: "r.yaml", Source: []byte(baseRecipe), Model: mc, Preset: "tiny", Corpus: "corpus-a",
		DataSeed: 2, Steps: 977, Tokens: 1_000_000, Batch: 16, SeqLen: 64, LR: 1e-3, Warmup: 50, WeightDecay: 0.01,
		ClipNorm: 1, Seed: 3, HeldOut: 0.05, EvalTokens: 65536, Threads: 2, EvalEvery: 100,
		CheckpointEvery: 150 * time.Second, Keep: []float64{0, 0.25, 0.5}, Out: "models/encoder", FP16: true}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", r, want)
	}
}

// TestParseBadRecipes feeds recipes with one mistake each and checks the exact message.
func TestParseBadRecipes(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old by new in baseRecipe
		want     string
	}{
		{"unknown key", "seed: 3\n", "seed: 3\nepochs: 2\n",
			`r.yaml:13:1: recipe: unknown key "epochs", want one of model, corpus, data_seed, steps, tokens, batch, seq_len, lr, warmup, weight_decay, clip_norm, seed, held_out, eval_tokens, eval_every, checkpoint_minutes, keep, threads, out, fp16`},
		{"steps and tokens", "tokens: 1_000_000\n", "tokens: 1_000_000\nsteps: 10\n",
			`r.yaml:7:1: tokens: give steps or tokens, not both`},
		{"neither steps nor tokens", "tokens: 1_000_000\n", "",
			`r.yaml:1:1: recipe: missing key "steps" or "tokens"`},
		{"unknown corpus", "corpus: corpus-a", "corpus: corpus-b",
			`r.yaml:6:9: corpus: unknown task "corpus-b", want one of corpus-a, cls-a`},
		{"seq_len beyond max_len", "seq_len: 64", "seq_len: 200",
			`r.yaml:9:10: recipe.seq_len: 200 is out of range, want 2..128 (model max_len)`},
		{"warmup beyond steps", "warmup: 50", "warmup: 5000",
			`r.yaml:11:9: recipe.warmup: 5000 is out of range, want 0..977 steps (at most the steps)`},
		{"kept fraction of one", "keep: [0.5, 0, 0.25]", "keep: [0.5, 1]",
			`r.yaml:16:13: keep: 1 is out of range, want [0, 1)`},
		{"kept fraction twice", "keep: [0.5, 0, 0.25]", "keep: [0.5, 0.5]",
			`r.yaml:16:13: keep: 0.5 is listed twice`},
		{"fp16 as a word", "fp16: true", "fp16: yes please",
			`r.yaml:19:7: fp16: found "yes please", want true or false`},
		{"no out", "out: models/encoder\n", "",
			`r.yaml:1:1: recipe: missing key "out"`},
		{"model without arch", "  arch: encoder\n", "",
			`r.yaml:2:3: model: missing key "arch"`},
		{"unknown model key", "  vocab: 1024\n", "  vocab: 1024\n  pretraining: {corpus: corpus-a, steps: 1}\n",
			`r.yaml:5:3: model: unknown key "pretraining", want one of arch, preset, vocab, d_model, layers, heads, d_ff, max_len, dropout, activation`},
		{"zero checkpoint interval", "checkpoint_minutes: 2.5", "checkpoint_minutes: 0",
			`r.yaml:15:21: recipe.checkpoint_minutes: 0 is out of range, want > 0`},
		{"held_out of zero", "seed: 3\n", "seed: 3\nheld_out: 0\n",
			`r.yaml:13:11: held_out: 0 is out of range, want a fraction in (0, 1)`},
		{"bad YAML", "batch: 16", "batch: [16",
			`r.yaml:8:1: invalid YAML: did not find expected ',' or ']'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(baseRecipe, tt.old, tt.new, 1)
			if src == baseRecipe {
				t.Fatalf("%q not in the base recipe", tt.old)
			}
			_, err := ParseRecipe("r.yaml", []byte(src), recipeTasks)
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

// TestExampleRecipesParse: the committed recipes are valid.
func TestExampleRecipesParse(t *testing.T) {
	files, _ := filepath.Glob("pretrain/*.yaml")
	if len(files) < 2 {
		t.Fatalf("found %d recipes in experiments/pretrain, want the encoder's and the decoder's", len(files))
	}
	for _, f := range files {
		if _, err := LoadRecipe(f); err != nil {
			t.Error(err)
		}
	}
}

// TestDocRecipeParses keeps the package documentation's recipe honest.
func TestDocRecipeParses(t *testing.T) {
	src := string(read(t, "doc.go"))
	start := strings.Index(src, "//\tmodel: {arch: encoder, preset: small")
	end := strings.Index(src, "// The run is resumable")
	if start < 0 || end < start {
		t.Fatal("doc.go: recipe not found")
	}
	var lines []string
	for _, l := range strings.Split(src[start:end], "\n") {
		if l = strings.TrimPrefix(l, "//"); strings.HasPrefix(l, "\t") {
			lines = append(lines, l[1:])
		}
	}
	r, err := ParseRecipe("doc.go recipe", []byte(strings.Join(lines, "\n")), nil)
	if err != nil {
		t.Fatalf("the documented recipe does not load:\n%v", err)
	}
	if r.Steps != 9766 || !r.FP16 || len(r.Keep) != 4 {
		t.Errorf("documented recipe: %d steps, fp16 %v, keep %v", r.Steps, r.FP16, r.Keep)
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
