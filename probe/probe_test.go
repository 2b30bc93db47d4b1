package probe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/model"
	"loralab/model/tokenizer"
)

var fillers = strings.Fields("the a cat dog sat ran on under big small red blue green tree house river stone")

// testSetup returns a small random encoder and a tokenizer trained on the words used.
func testSetup(t *testing.T, arch string) (*model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	tok, err := tokenizer.Train([]string{strings.Join(fillers, " ") + " alpha beta"}, tokenizer.TrainConfig{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.Config{Arch: arch, Vocab: tok.VocabSize(), DModel: 32, Layers: 2, Heads: 2, DFF: 64, MaxLen: 32, Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

// sentence is the word w (if any) among n random filler words.
func sentence(rng *rand.Rand, w string, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fillers[rng.IntN(len(fillers))]
	}
	if w != "" {
		ws[rng.IntN(n)] = w
	}
	return strings.Join(ws, " ")
}

// TestFeaturesIgnorePadding: an example's features are the same alone and batched with a
// longer example (which pads it), for every pooling.
func TestFeaturesIgnorePadding(t *testing.T) {
	for _, arch := range []string{model.Encoder, model.Decoder} {
		m, tok := testSetup(t, arch)
		short := datasets.Example{Text: "the cat sat", Label: 0}
		long := datasets.Example{Text: "the big red dog ran under the green tree by the river", Label: 1}
		for _, pool := range []string{PoolFirst, PoolMean, PoolLast} {
			o := Options{Pool: pool}
			if arch == model.Decoder && pool == PoolFirst {
				if _, err := Features(m, tok, datasets.Classification, []datasets.Example{short}, o); err == nil {
					t.Fatal("pool first on a decoder: no error, want one (it sees only <bos>)")
				}
				continue
			}
			alone, err := Features(m, tok, datasets.Classification, []datasets.Example{short}, o)
			if err != nil {
				t.Fatal(err)
			}
			both, err := Features(m, tok, datasets.Classification, []datasets.Example{short, long}, o)
			if err != nil {
				t.Fatal(err)
			}
			for j := range alone[0] {
				if math.Abs(alone[0][j]-both[0][j]) > 1e-5 {
					t.Fatalf("%s %s: feature %d alone %v, padded %v", arch, pool, j, alone[0][j], both[0][j])
				}
			}
			if same(both[0], both[1]) {
				t.Fatalf("%s %s: two different examples have the same features", arch, pool)
			}
		}
	}
}

func same(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// wordTask labels a sentence by whether it holds "alpha" or "beta"; with shuffled labels
// the same texts carry no signal.
func wordTask(shuffle bool) *datasets.Task {
	rng := rand.New(rand.NewPCG(3, 4))
	t := &datasets.Task{Name: "word", Kind: datasets.Classification, Labels: []string{"alpha", "beta"},
		Metrics: []string{datasets.MetricAccuracy}}
	split := func(n int) []datasets.Example {
		out := make([]datasets.Example, n)
		for i := range out {
			l := rng.IntN(2)
			out[i] = datasets.Example{Text: sentence(rng, t.Labels[l], 8), Label: l}
			if shuffle {
				out[i].Label = rng.IntN(2)
			}
		}
		return out
	}
	t.Train, t.Validation, t.Test = split(300), split(100), split(200)
	return t
}

// TestProbeReadsWhatFeaturesCarry: the mean of a random encoder's states carries which of
// two words a sentence holds, so the probe separates them; with random labels it stays
// near chance (0.5; 0.65 is 4 standard errors above it on 200 test examples).
func TestProbeReadsWhatFeaturesCarry(t *testing.T) {
	m, tok := testSetup(t, model.Encoder)
	res, err := Run(m, tok, wordTask(false), Options{Pool: PoolMean})
	if err != nil {
		t.Fatal(err)
	}
	if acc := res.Test[datasets.MetricAccuracy]; acc < 0.95 {
		t.Fatalf("probe test accuracy %.3f on a separable task, want >= 0.95 (%+v)", acc, res)
	}
	noise, err := Run(m, tok, wordTask(true), Options{Pool: PoolMean})
	if err != nil {
		t.Fatal(err)
	}
	if acc := noise.Test[datasets.MetricAccuracy]; acc > 0.65 {
		t.Fatalf("probe test accuracy %.3f on random labels, want near 0.5", acc)
	}
	if res.Features != 32 || res.Pool != PoolMean {
		t.Fatalf("result describes %d features pooled by %q, want 32, mean", res.Features, res.Pool)
	}
}

// TestProbeRegression: the target is the count of "alpha" in a sentence; the ridge probe on
// mean-pooled states correlates with it.
func TestProbeRegression(t *testing.T) {
	m, tok := testSetup(t, model.Encoder)
	rng := rand.New(rand.NewPCG(5, 6))
	task := &datasets.Task{Name: "count", Kind: datasets.Regression, Metrics: []string{datasets.MetricPearson}}
	split := func(n int) []datasets.Example {
		out := make([]datasets.Example, n)
		for i := range out {
			k := rng.IntN(4)
			ws := strings.Fields(sentence(rng, "", 8))
			for j := range k {
				ws[j*2] = "alpha"
			}
			out[i] = datasets.Example{Text: strings.Join(ws, " "), Target: float64(k)}
		}
		return out
	}
	task.Train, task.Validation, task.Test = split(300), split(100), split(200)
	res, err := Run(m, tok, task, Options{Pool: PoolMean})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Test[datasets.MetricPearson]; r < 0.8 {
		t.Fatalf("probe Pearson r %.3f, want >= 0.8", r)
	}
}

func TestStandardize(t *testing.T) {
	train := [][]float64{{1, 5}, {3, 5}}
	rows := standardize(train, [][]float64{{2, 6}})
	// Feature 0: mean 2, sd 1; feature 1: constant 5, only shifted.
	want := [][]float64{{1, -1, 0}, {1, 1, 0}, {1, 0, 1}}
	got := [][]float64{rows[0][0].Vals, rows[0][1].Vals, rows[1][0].Vals}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("standardized rows %v, want %v", got, want)
	}
}

func TestBadInput(t *testing.T) {
	m, tok := testSetup(t, model.Encoder)
	gen := &datasets.Task{Name: "g", Kind: datasets.Generation}
	if _, err := Run(m, tok, gen, Options{}); err == nil || !strings.Contains(err.Error(), "generation") {
		t.Fatalf("a generation task: error %v, want one naming the kind", err)
	}
	if _, err := Features(m, tok, datasets.Classification, []datasets.Example{{Text: "a"}}, Options{Pool: "max"}); err == nil || !strings.Contains(err.Error(), `"max"`) {
		t.Fatalf("pool max: error %v, want one naming it", err)
	}
}
