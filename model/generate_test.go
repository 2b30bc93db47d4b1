package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"loralab/nn"
)

// fullLogits runs a plain forward pass over ids (one sequence, no cache) and returns the
// logits of every position, [len(ids)][V].
func fullLogits(m *Model, ids []int32) [][]float32 {
	tp := nn.NewTape(1)
	tp.SetGrad(false)
	tp.SetTrain(false)
	b := &Batch{B: 1, T: len(ids), IDs: ids}
	l := m.LMLogits(tp, m.Forward(tp, b, &Context{Batch: b}))
	out := make([][]float32, len(ids))
	for i := range out {
		out[i] = slices.Clone(l.Row(i))
	}
	return out
}

func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// TestCachedDecodingMatchesFullForward feeds left-padded prompts of different lengths
// through the cache, then tokens one at a time (and once two at a time), and compares every
// step's last-position logits with a full forward pass over each unpadded sequence.
func TestCachedDecodingMatchesFullForward(t *testing.T) {
	for _, threads := range []int{1, 2} {
		cfg := testConfig(Decoder)
		m := newTestModel(t, cfg, 8)
		rng := rand.New(rand.NewPCG(2, 3))
		seqs := [][]int32{{1, 2, 3}, {4}, {5, 6, 7, 8, 9}}
		cache, err := m.NewCache(len(seqs), cfg.MaxLen)
		if err != nil {
			t.Fatal(err)
		}
		tp := nn.NewTape(threads)
		// The prompts, left-padded to 5.
		b := &Batch{B: 3, T: 5, IDs: make([]int32, 15), Pad: make([]bool, 15)}
		for s, p := range seqs {
			for i := range 5 - len(p) {
				b.Pad[s*5+i] = true
			}
			copy(b.IDs[s*5+5-len(p):], p)
		}
		steps := []int{5, 1, 1, 2, 1}
		for k, n := range steps {
			if k > 0 {
				b = &Batch{B: 3, T: n, IDs: make([]int32, 3*n)}
				for s := range seqs {
					for i := range n {
						id := int32(rng.IntN(cfg.Vocab))
						b.IDs[s*n+i] = id
						seqs[s] = append(seqs[s], id)
					}
				}
			}
			tp.Reset()
			logits, err := m.ForwardCached(tp, cache, b, &Context{Batch: b})
			if err != nil {
				t.Fatal(err)
			}
			for s, seq := range seqs {
				want := fullLogits(m, seq)[len(seq)-1]
				if d := maxAbsDiff(logits.Row(s), want); d > 1e-4 {
					t.Errorf("threads %d step %d sequence %d: cached logits differ from full forward by %g", threads, k, s, d)
				}
			}
		}
		if got, want := cache.Len(), 10; got != want {
			t.Errorf("cache length %d, want %d", got, want)
		}
	}
}

// TestCacheReorder checks that after Reorder each sequence continues as its source did.
func TestCacheReorder(t *testing.T) {
	cfg := testConfig(Decoder)
	m := newTestModel(t, cfg, 8)
	seqs := [][]int32{{1, 2}, {3, 4}, {5, 6}}
	cache, err := m.NewCache(3, 6)
	if err != nil {
		t.Fatal(err)
	}
	tp := nn.NewTape(1)
	b := &Batch{B: 3, T: 2, IDs: []int32{1, 2, 3, 4, 5, 6}}
	if _, err := m.ForwardCached(tp, cache, b, nil); err != nil {
		t.Fatal(err)
	}
	// Two reorders before the next step compose: [2 0 0] then [1 2 0] is [0 0 2].
	if err := cache.Reorder([]int{2, 0, 0}); err != nil {
		t.Fatal(err)
	}
	if err := cache.Reorder([]int{1, 2, 0}); err != nil {
		t.Fatal(err)
	}
	src := []int{0, 0, 2}
	next := []int32{7, 8, 9}
	tp.Reset()
	logits, err := m.ForwardCached(tp, cache, &Batch{B: 3, T: 1, IDs: next}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range src {
		want := fullLogits(m, append(slices.Clone(seqs[s]), next[i]))[2]
		if d := maxAbsDiff(logits.Row(i), want); d > 1e-4 {
			t.Errorf("sequence %d (from %d): logits differ by %g", i, s, d)
		}
	}
	for _, bad := range [][]int{{0, 1}, {0, 1, 3}, {-1, 0, 0}} {
		if err := cache.Reorder(bad); err == nil {
			t.Errorf("Reorder(%v) accepted", bad)
		}
	}
}

func TestCacheErrors(t *testing.T) {
	m := newTestModel(t, testConfig(Decoder), 1)
	if _, err := m.NewCache(1, m.Cfg.MaxLen+1); err == nil {
		t.Error("cache beyond max_len accepted")
	}
	enc := newTestModel(t, testConfig(Encoder), 1)
	if _, err := enc.NewCache(1, 4); err == nil {
		t.Error("cache for an encoder accepted")
	}
	c, err := m.NewCache(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	tp := nn.NewTape(1)
	if _, err := m.ForwardCached(tp, c, &Batch{B: 1, T: 4, IDs: []int32{1, 2, 3, 4}}, nil); err == nil {
		t.Error("overflowing the cache accepted")
	}
	if _, err := m.ForwardCached(tp, c, &Batch{B: 2, T: 1, IDs: []int32{1, 2}}, nil); err == nil {
		t.Error("batch of the wrong size accepted")
	}
}

// greedyReference decodes one prompt greedily with full forward passes.
func greedyReference(m *Model, prompt []int32, cfg GenerateConfig) []int32 {
	seq := slices.Clone(prompt)
	var out []int32
	for range cfg.MaxNew {
		logits := fullLogits(m, seq)[len(seq)-1]
		banned := bannedTokens(out, cfg.NoRepeatNgram)
		best := int32(-1)
		for v, l := range logits {
			if !banned[int32(v)] && (best < 0 || l > logits[best]) {
				best = int32(v)
			}
		}
		if best == cfg.EOS {
			break
		}
		out = append(out, best)
		seq = append(seq, best)
	}
	return out
}

func TestGreedyAndBeamOne(t *testing.T) {
	cfg := testConfig(Decoder)
	m := newTestModel(t, cfg, 21)
	prompts := [][]int32{{1}, {2, 3, 4}, {5, 6}, {7, 8, 9, 10}}
	for _, gc := range []GenerateConfig{
		{MaxNew: 7, EOS: -1},
		{MaxNew: 7, EOS: 0, NoRepeatNgram: 2},
		{MaxNew: 6, EOS: 3, NoRepeatNgram: 1, Threads: 2},
		{MaxNew: 7, EOS: -1, LengthPenalty: 1},
	} {
		greedy, err := m.Generate(prompts, gc)
		if err != nil {
			t.Fatal(err)
		}
		gc1 := gc
		gc1.Beam = 1
		beam1, err := m.beamSearch(prompts, gc1, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range prompts {
			want := greedyReference(m, p, gc)
			if !slices.Equal(greedy[i], want) {
				t.Errorf("%+v prompt %d: batched greedy %v, one-by-one full-forward greedy %v", gc, i, greedy[i], want)
			}
			if !slices.Equal(beam1[i], want) {
				t.Errorf("%+v prompt %d: beam 1 %v, greedy %v", gc, i, beam1[i], want)
			}
			if len(want) > gc.MaxNew || slices.Contains(want, gc.EOS) {
				t.Errorf("prompt %d: output %v too long or contains eos", i, want)
			}
		}
	}
}

// TestBeamSearchExhaustive uses a beam wide enough to keep every hypothesis (vocab^2), so
// that beam search must return the most likely continuation of 3 tokens, found here by
// scoring all vocab^3 of them with full forward passes.
func TestBeamSearchExhaustive(t *testing.T) {
	cfg := testConfig(Decoder)
	cfg.Vocab = 6
	m := newTestModel(t, cfg, 6) // a model where greedy misses the best continuation
	prompts := [][]int32{{1, 2}, {3}}
	gc := GenerateConfig{MaxNew: 3, Beam: 36, EOS: -1}
	got, err := m.Generate(prompts, gc)
	if err != nil {
		t.Fatal(err)
	}
	gc.Beam = 1
	greedy, err := m.Generate(prompts, gc)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range prompts {
		var best []int32
		bestLogP := math.Inf(-1)
		logP := make([]float64, cfg.Vocab)
		for code := range 6 * 6 * 6 {
			cont := []int32{int32(code / 36), int32(code / 6 % 6), int32(code % 6)}
			seq := append(slices.Clone(p), cont...)
			all := fullLogits(m, seq)
			sum := 0.0
			for k := range 3 {
				logSoftmax(logP, all[len(p)-1+k])
				sum += logP[cont[k]]
			}
			if sum > bestLogP {
				best, bestLogP = cont, sum
			}
		}
		if !slices.Equal(got[i], best) {
			t.Errorf("prompt %d: beam search %v, exhaustive best %v", i, got[i], best)
		}
		if slices.Equal(greedy[i], best) {
			t.Errorf("prompt %d: greedy also finds %v; the case does not test the search", i, best)
		}
	}
}

func TestBannedTokens(t *testing.T) {
	cases := []struct {
		gen  []int32
		n    int
		want []int32
	}{
		{[]int32{1, 2, 3, 1, 2}, 3, []int32{3}},
		{[]int32{1, 2, 1, 3, 1}, 2, []int32{2, 3}},
		{[]int32{1, 2, 3}, 1, []int32{1, 2, 3}},
		{[]int32{1, 2, 3}, 0, nil},
		{[]int32{1}, 3, nil},
		{[]int32{4, 4, 4}, 2, []int32{4}},
	}
	for _, c := range cases {
		var got []int32
		for tok := range bannedTokens(c.gen, c.n) {
			got = append(got, tok)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("bannedTokens(%v, %d) = %v, want %v", c.gen, c.n, got, c.want)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	m := newTestModel(t, testConfig(Decoder), 1)
	ok := GenerateConfig{MaxNew: 2, EOS: -1}
	cases := []struct {
		name    string
		prompts [][]int32
		cfg     GenerateConfig
	}{
		{"no prompts", nil, ok},
		{"empty prompt", [][]int32{{}}, ok},
		{"token outside vocab", [][]int32{{1, 99}}, ok},
		{"too long", [][]int32{make([]int32, 11)}, ok},
		{"max_new 0", [][]int32{{1}}, GenerateConfig{EOS: -1}},
		{"pad outside vocab", [][]int32{{1}}, GenerateConfig{MaxNew: 1, Pad: 13, EOS: -1}},
	}
	for _, c := range cases {
		if _, err := m.Generate(c.prompts, c.cfg); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	enc := newTestModel(t, testConfig(Encoder), 1)
	if _, err := enc.Generate([][]int32{{1}}, ok); err == nil {
		t.Error("generation with an encoder accepted")
	}
}

// adapterProbe is a Delta that adds nothing but checks that every pass sees one adapter id
// per sequence, and records them.
type adapterProbe struct {
	t    *testing.T
	seen *[][]int
}

func (a adapterProbe) Forward(tp *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor {
	if len(ctx.Batch.AdapterIDs) != ctx.Batch.B {
		a.t.Errorf("pass with %d sequences sees adapter ids %v", ctx.Batch.B, ctx.Batch.AdapterIDs)
	}
	*a.seen = append(*a.seen, slices.Clone(ctx.Batch.AdapterIDs))
	return tp.Scale(tp.Linear(x, nn.New(x.Cols(), x.Cols()), nil), 0)
}

// TestGenerateSlotsAndAdapters: prompt slots reach the hooks at the right rows of the padded
// batch (so the placeholder ids do not matter), and adapter ids follow every sequence.
func TestGenerateSlotsAndAdapters(t *testing.T) {
	cfg := testConfig(Decoder)
	m := newTestModel(t, cfg, 12)
	p := nn.New(2, cfg.DModel)
	for i := range p.Data {
		p.Data[i] = float32(i%7) / 5
	}
	m.EmbedHooks = []RowsHook{slotHook{p}}
	var seen [][]int
	m.Blocks[0].V.Deltas = []Delta{adapterProbe{t, &seen}}
	gc := GenerateConfig{MaxNew: 4, Beam: 2, EOS: -1, AdapterIDs: []int{7, 3},
		Slots: [][]int32{{0, 1}, {0}}, SlotIDs: [][]int32{{0, 1}, {1}}}
	a, err := m.Generate([][]int32{{0, 0, 5, 6}, {0, 9}}, gc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Generate([][]int32{{11, 12, 5, 6}, {4, 9}}, gc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a[0], b[0]) || !slices.Equal(a[1], b[1]) {
		t.Errorf("slot placeholder ids changed the output: %v vs %v", a, b)
	}
	if len(seen) == 0 || !slices.Equal(seen[0], []int{7, 7, 3, 3}) {
		t.Errorf("adapter ids per sequence %v, want [7 7 3 3]", seen[:min(len(seen), 1)])
	}
	gc.Slots = [][]int32{{0, 4}, {0}}
	if _, err := m.Generate([][]int32{{0, 0, 5, 6}, {0, 9}}, gc); err == nil {
		t.Error("slot beyond the prompt accepted")
	}
}
