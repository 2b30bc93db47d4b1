package model

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"loralab/model/tokenizer"
	"loralab/nn"
)

// toyCorpus is a small corpus of short documents.
func toyCorpus() []string {
	subjects := []string{"the cat", "a dog", "the old man", "my sister", "the sailor", "a whale"}
	verbs := []string{"sat on", "looked at", "walked to", "spoke of", "dreamt of"}
	objects := []string{"the mat", "the sea", "a ship", "the harbour", "the moon", "an island"}
	var docs []string
	rng := rand.New(rand.NewPCG(1, 1))
	for range 40 {
		var s []string
		for range 6 {
			s = append(s, subjects[rng.IntN(len(subjects))]+" "+verbs[rng.IntN(len(verbs))]+" "+objects[rng.IntN(len(objects))]+".")
		}
		docs = append(docs, strings.Join(s, " "))
	}
	return docs
}

func toySetup(t *testing.T, arch string) (PretrainConfig, []string, *tokenizer.Tokenizer) {
	t.Helper()
	corpus := toyCorpus()
	tok, err := tokenizer.Train(corpus, tokenizer.TrainConfig{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	mc := Config{Arch: arch, Vocab: tok.VocabSize(), DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32, Dropout: 0.1, Activation: "gelu", LNEps: 1e-5}
	cfg := PretrainConfig{Model: mc, Corpus: "toy", Steps: 6, Batch: 4, SeqLen: 16, LR: 3e-3, Warmup: 2, WeightDecay: 0.01, ClipNorm: 1, Seed: 7, EvalTokens: 256}
	return cfg, corpus, tok
}

// TestPretrainDeterministicAcrossThreads checks bit-identical loss curves, held-out results
// and weights with 1 and 2 threads.
func TestPretrainDeterministicAcrossThreads(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg, corpus, tok := toySetup(t, arch)
		var runs []*Pretrained
		for _, threads := range []int{1, 2} {
			cfg.Threads = threads
			p, err := Pretrain(context.Background(), cfg, corpus, tok, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, p)
		}
		a, b := runs[0], runs[1]
		if !slices.Equal(a.Stats.Losses, b.Stats.Losses) {
			t.Errorf("%s: losses differ with 1 and 2 threads:\n%v\n%v", arch, a.Stats.Losses, b.Stats.Losses)
		}
		if a.Stats.Eval != b.Stats.Eval {
			t.Errorf("%s: held-out evaluation differs: %+v vs %+v", arch, a.Stats.Eval, b.Stats.Eval)
		}
		pb := b.Model.Params()
		for i, p := range a.Model.Params() {
			if !slices.Equal(p.Data, pb[i].Data) {
				t.Errorf("%s: %s differs with 1 and 2 threads", arch, p.Name)
			}
		}
		if len(a.Stats.Losses) != cfg.Steps {
			t.Errorf("%s: %d losses for %d steps", arch, len(a.Stats.Losses), cfg.Steps)
		}
	}
}

func TestPretrainCache(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	dir := t.TempDir()
	calls := 0
	progress := func(step int, loss float64) { calls++ }
	first, err := Pretrain(context.Background(), cfg, corpus, tok, dir, progress)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached || calls != cfg.Steps {
		t.Fatalf("first run: cached %v, %d progress calls, want fresh and %d", first.Cached, calls, cfg.Steps)
	}
	cfg.Threads = 2 // threads do not change the result, so they do not change the key
	second, err := Pretrain(context.Background(), cfg, corpus, tok, dir, progress)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Cached || calls != cfg.Steps || second.Dir != first.Dir {
		t.Fatalf("second run: cached %v, dir %s vs %s, %d progress calls", second.Cached, second.Dir, first.Dir, calls)
	}
	if !slices.Equal(second.Stats.Losses, first.Stats.Losses) || second.Stats.Eval != first.Stats.Eval {
		t.Error("cached stats differ from the run's")
	}
	sp := second.Model.Params()
	for i, p := range first.Model.Params() {
		if !slices.Equal(p.Data, sp[i].Data) {
			t.Errorf("cached %s differs", p.Name)
		}
	}
	// Another seed, another corpus content: new keys.
	cfg.Seed++
	third, err := Pretrain(context.Background(), cfg, corpus, tok, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	corpus[0] += " and the moon."
	fourth, err := Pretrain(context.Background(), cfg, corpus, tok, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if third.Cached || fourth.Cached || third.Dir == first.Dir || fourth.Dir == third.Dir {
		t.Errorf("changed inputs reused a cache entry: %s %s %s", first.Dir, third.Dir, fourth.Dir)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("cache holds %d entries, want 3 (no temporary leftovers)", len(entries))
	}
}

func TestPretrainCancelled(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	_, err := Pretrain(ctx, cfg, corpus, tok, dir, func(step int, _ float64) {
		if step == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a cancelled run left %d entries in the cache", len(entries))
	}
}

func TestPretrainLearns(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg, corpus, tok := toySetup(t, arch)
		cfg.Steps, cfg.Warmup, cfg.LR, cfg.Model.Dropout = 300, 20, 1e-2, 0
		p, err := Pretrain(context.Background(), cfg, corpus, tok, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		l := p.Stats.Losses
		head, tail := mean(l[:5]), mean(l[len(l)-5:])
		if !(tail < head-0.5) {
			t.Errorf("%s: loss went from %.3f to %.3f", arch, head, tail)
		}
		t.Logf("%s: held-out %+v", arch, p.Stats.Eval)
		if e := p.Stats.Eval; !(e.Perplexity < e.UnigramPPL) {
			t.Errorf("%s: held-out perplexity %.2f not below the unigram %.2f", arch, e.Perplexity, e.UnigramPPL)
		}
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// TestHeldOutEvalUniform: a decoder whose token embedding is zero predicts the uniform
// distribution, so its held-out NLL is log(vocab) exactly; the unigram NLL is checked
// against the add-one formula computed here.
func TestHeldOutEvalUniform(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	cfg = cfg.withDefaults()
	data, err := newPretrainData(cfg, corpus, tok)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewModel(cfg.Model, 1)
	clear(m.TokEmb.Data)
	e := evaluateHeldOut(m, cfg, data)
	if want := math.Log(float64(cfg.Model.Vocab)); math.Abs(e.NLL-want) > 1e-5 {
		t.Errorf("NLL of the uniform model %.6f, want log(V) = %.6f", e.NLL, want)
	}
	W := cfg.SeqLen
	n := min((len(data.heldOut)-1)/W, (cfg.EvalTokens+W-1)/W) * W
	counts := map[int32]float64{}
	for _, id := range data.train {
		counts[id]++
	}
	uni := 0.0
	for _, id := range data.heldOut[1 : n+1] {
		uni -= math.Log((counts[id] + 1) / float64(len(data.train)+tok.VocabSize()))
	}
	if e.Tokens != n || math.Abs(e.UnigramNLL-uni/float64(n)) > 1e-9 {
		t.Errorf("unigram NLL %.9f over %d tokens, want %.9f over %d", e.UnigramNLL, e.Tokens, uni/float64(n), n)
	}
}

// TestMaskedLMCorruption checks the 15% / 80-10-10 corruption statistically, and that
// special tokens are never chosen.
func TestMaskedLMCorruption(t *testing.T) {
	d := &pretrainData{arch: Encoder, tokVocab: 50, mask: 3, special: make([]bool, 50)}
	for id := range 4 {
		d.special[id] = true // ids 0-3 are <s>, <pad>, </s>, <mask>
	}
	rng := rand.New(rand.NewPCG(4, 4))
	const T, seqs = 64, 2000
	var chosen, masked, random, kept, real float64
	for range seqs {
		ids := make([]int32, T)
		for i := range ids {
			ids[i] = int32(10 + rng.IntN(40))
			if i%8 == 0 {
				ids[i] = int32(i / 8 % 3) // specials sprinkled in
			}
		}
		orig := slices.Clone(ids)
		targets := make([]int32, T)
		d.corrupt(rng, ids, targets)
		for i := range ids {
			if !d.special[orig[i]] {
				real++
			}
			switch {
			case targets[i] < 0:
				if ids[i] != orig[i] {
					t.Fatalf("unchosen position %d changed", i)
				}
				continue
			case d.special[orig[i]]:
				t.Fatalf("special token %d at position %d was chosen", orig[i], i)
			case targets[i] != orig[i]:
				t.Fatalf("target %d is not the original token %d", targets[i], orig[i])
			case ids[i] == d.mask:
				masked++
			case ids[i] == orig[i]:
				kept++
			default:
				random++
			}
			chosen++
		}
	}
	// Random replacements equal to the original count as kept: 1/50 of them.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"chosen", chosen / real, mlmProb},
		{"masked", masked / chosen, mlmMask},
		{"random", random / chosen, mlmRandom * 49 / 50},
		{"kept", kept / chosen, 1 - mlmMask - mlmRandom + mlmRandom/50},
	} {
		if math.Abs(c.got-c.want) > 0.01 {
			t.Errorf("%s fraction %.4f, want %.4f", c.name, c.got, c.want)
		}
	}
}

func TestPretrainConfigErrors(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	cases := []struct {
		name   string
		edit   func(c *PretrainConfig)
		corpus []string
		want   string
	}{
		{"seq_len beyond max_len", func(c *PretrainConfig) { c.SeqLen = 33 }, corpus, "max_len"},
		{"no steps", func(c *PretrainConfig) { c.Steps = 0 }, corpus, "steps 0"},
		{"zero lr", func(c *PretrainConfig) { c.LR = 0 }, corpus, "lr 0"},
		{"warmup beyond steps", func(c *PretrainConfig) { c.Warmup = 7 }, corpus, "warmup 7"},
		{"held_out 1", func(c *PretrainConfig) { c.HeldOut = 1 }, corpus, "held_out"},
		{"bad model", func(c *PretrainConfig) { c.Model.Heads = 3 }, corpus, "heads"},
		{"vocab below tokenizer", func(c *PretrainConfig) { c.Model.Vocab = 100 }, corpus, "vocabulary"},
		{"one document", func(c *PretrainConfig) {}, corpus[:1], "at least 2"},
		{"corpus too small", func(c *PretrainConfig) {}, []string{"a b", "c d"}, "training tokens"},
	}
	for _, c := range cases {
		cc := cfg
		c.edit(&cc)
		_, err := Pretrain(context.Background(), cc, c.corpus, tok, "", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// TestLMLossGathersSparseTargets: projecting only the predicted rows gives the loss and
// gradients of projecting all of them and ignoring the rest.
func TestLMLossGathersSparseTargets(t *testing.T) {
	m := newTestModel(t, testConfig(Encoder), 3)
	b := randomBatch(rand.New(rand.NewPCG(1, 1)), m.Cfg.Vocab, 2, 6, 0)
	targets := []int32{-1, 4, -1, -1, -1, -1, 2, -1, -1, -1, 7, -1}
	run := func(loss func(tp *nn.Tape, h *nn.Tensor) *nn.Tensor) (float32, []float32) {
		nn.ZeroGrads(m.Params())
		tp := nn.NewTape(1)
		l := loss(tp, m.Forward(tp, b, nil))
		tp.Backward(l)
		return l.Data[0], slices.Clone(m.TokEmb.Grad)
	}
	gathered, gGrad := run(func(tp *nn.Tape, h *nn.Tensor) *nn.Tensor {
		l, n := lmLoss(tp, m, h, targets)
		if n != 3 {
			t.Errorf("lmLoss counted %d rows, want 3", n)
		}
		return l
	})
	full, fGrad := run(func(tp *nn.Tape, h *nn.Tensor) *nn.Tensor {
		return tp.CrossEntropy(m.LMLogits(tp, h), targets, -1, 0)
	})
	if math.Abs(float64(gathered-full)) > 1e-6 || maxAbsDiff(gGrad, fGrad) > 1e-6 {
		t.Errorf("gathered loss %v, full %v; gradients differ by %g", gathered, full, maxAbsDiff(gGrad, fGrad))
	}
}
