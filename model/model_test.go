package model

import (
	"math"
	"slices"
	"strings"
	"testing"

	"loralab/nn"
)

func TestConfigValidate(t *testing.T) {
	good := testConfig(Decoder)
	cases := []struct {
		name string
		edit func(c *Config)
		want string // "" = valid
	}{
		{"valid decoder", func(c *Config) {}, ""},
		{"valid encoder", func(c *Config) { *c = testConfig(Encoder) }, ""},
		{"unknown arch", func(c *Config) { c.Arch = "seq2seq" }, `arch "seq2seq"`},
		{"heads do not divide", func(c *Config) { c.Heads = 3 }, "not a multiple of heads"},
		{"zero layers", func(c *Config) { c.Layers = 0 }, "layers = 0"},
		{"dropout 1", func(c *Config) { c.Dropout = 1 }, "dropout = 1"},
		{"activation", func(c *Config) { c.Activation = "swish" }, `activation "swish"`},
		{"ln eps", func(c *Config) { c.LNEps = 0 }, "ln_eps"},
		{"decoder head", func(c *Config) { c.NumLabels = 2 }, "no classification head"},
		{"negative labels", func(c *Config) { *c = testConfig(Encoder); c.NumLabels = -1 }, "num_labels = -1"},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		err := cfg.Validate()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Validate() = %v, want %q", c.name, err, c.want)
		}
	}
	// Every problem is reported at once.
	err := Config{}.Validate()
	for _, w := range []string{"arch", "vocab", "d_model", "activation", "ln_eps"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("zero config: error %v does not mention %s", err, w)
		}
	}
}

// nonEmbedding counts the parameters outside the token and position embeddings.
func nonEmbedding(m *Model) int { return m.NumParams() - m.TokEmb.Len() - m.PosEmb.Len() }

func TestPresets(t *testing.T) {
	cases := []struct {
		name     string
		vocab    int
		min, max int // non-embedding parameters
		total    int // 0 = unchecked
	}{
		{"tiny", 4096, 700_000, 1_200_000, 0},
		{"small", 8192, 4_000_000, 6_000_000, 0},
		{"gpt2-small", 0, 84_000_000, 86_000_000, 124_439_808}, // GPT-2 small's published count
	}
	for _, c := range cases {
		cfg, err := Preset(c.name, Decoder, c.vocab)
		if err != nil {
			t.Fatal(err)
		}
		m := newZeroModel(cfg)
		if n := nonEmbedding(m); n < c.min || n > c.max {
			t.Errorf("%s: %d non-embedding parameters, want %d..%d", c.name, n, c.min, c.max)
		}
		if c.total != 0 && m.NumParams() != c.total {
			t.Errorf("%s: %d parameters, want %d", c.name, m.NumParams(), c.total)
		}
	}
	if _, err := Preset("huge", Decoder, 10); err == nil {
		t.Error("unknown preset accepted")
	}
	if _, err := Preset("tiny", "rnn", 10); err == nil {
		t.Error("unknown arch accepted")
	}
}

func TestParamsNamesAndCounts(t *testing.T) {
	cfg := testConfig(Encoder)
	m := newTestModel(t, cfg, 1)
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	for _, want := range []string{"tok_emb.weight", "pos_emb.weight", "ln_emb.weight", "ln_emb.bias", "blocks.1.attn.q.weight",
		"blocks.1.attn.q.bias", "blocks.0.attn.o.weight", "blocks.1.ln1.weight", "blocks.0.ln2.bias", "blocks.1.mlp.fc1.weight",
		"blocks.1.mlp.fc2.bias", "head.dense.weight", "head.out.weight", "head.out.bias"} {
		if !slices.Contains(names, want) {
			t.Errorf("no parameter %q in %v", want, names)
		}
		if p := m.Param(want); p == nil || p.Name != want {
			t.Errorf("Param(%q) = %v", want, p)
		}
	}
	if m.Param("ln_f.weight") != nil || m.Param("nope") != nil {
		t.Error("Param found a tensor the encoder does not have")
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate parameter name %q", n)
		}
		seen[n] = true
	}
	// By hand: embeddings, LNEmb, per block 4 (d*d+d) + 2 LN (2d) + fc1 (d*ff+ff) + fc2 (ff*d+d),
	// head (d*d+d) + (labels*d+labels).
	d, ff, L, V, P, C := cfg.DModel, cfg.DFF, cfg.Layers, cfg.Vocab, cfg.MaxLen, cfg.NumLabels
	want := V*d + P*d + 2*d + L*(4*(d*d+d)+4*d+d*ff+ff+ff*d+d) + d*d + d + C*d + C
	if m.NumParams() != want {
		t.Errorf("NumParams = %d, want %d", m.NumParams(), want)
	}
	var lin []string
	for _, l := range m.Linears() {
		lin = append(lin, l.Name)
	}
	if want := []string{"blocks.0.attn.q", "blocks.0.attn.k", "blocks.0.attn.v", "blocks.0.attn.o", "blocks.0.mlp.fc1", "blocks.0.mlp.fc2"}; !slices.Equal(lin[:6], want) {
		t.Errorf("Linears start %v, want %v", lin[:6], want)
	}
	if len(lin) != 6*L+2 {
		t.Errorf("%d linears, want %d", len(lin), 6*L+2)
	}
	m.Freeze()
	if m.NumTrainable() != 0 {
		t.Errorf("%d trainable parameters after Freeze", m.NumTrainable())
	}
	for _, p := range m.Params() {
		if p.Grad != nil {
			t.Errorf("%s keeps a gradient buffer after Freeze", p.Name)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	m := newTestModel(t, testConfig(Decoder), 1)
	m.Blocks[0].Q.Deltas = []Delta{nil}
	m.Blocks[1].O.W.SetTrainable(false)
	c := m.Clone()
	if len(c.Blocks[0].Q.Deltas) != 0 {
		t.Error("Clone copied the deltas")
	}
	if c.Blocks[1].O.W.Trainable || !c.Blocks[0].O.W.Trainable {
		t.Error("Clone lost the trainability")
	}
	c.TokEmb.Data[0]++
	if c.TokEmb.Data[0] == m.TokEmb.Data[0] {
		t.Error("Clone shares data")
	}
}

// TestShare: a share has m's tensors by name, over the same values, frozen, without m's
// deltas and hooks; a value written through one shows in the other.
func TestShare(t *testing.T) {
	for _, arch := range []string{Encoder, Decoder} {
		m := newTestModel(t, testConfig(arch), 1)
		m.Blocks[0].Q.Deltas = []Delta{nil}
		m.Blocks[0].OutHooks = []RowsHook{nil}
		m.EmbedHooks = []RowsHook{nil}
		s := m.Share()
		if len(s.Blocks[0].Q.Deltas)+len(s.Blocks[0].OutHooks)+len(s.EmbedHooks) != 0 {
			t.Errorf("%s: Share kept deltas or hooks", arch)
		}
		mp, sp := m.Params(), s.Params()
		if len(mp) != len(sp) {
			t.Fatalf("%s: share has %d tensors, model %d", arch, len(sp), len(mp))
		}
		for i, p := range sp {
			if p == mp[i] || p.Name != mp[i].Name || &p.Data[0] != &mp[i].Data[0] || p.Trainable || p.Grad != nil {
				t.Errorf("%s: shared %s: same header %v, name %q, same values %v, trainable %v, gradient %d",
					arch, mp[i].Name, p == mp[i], p.Name, &p.Data[0] == &mp[i].Data[0], p.Trainable, len(p.Grad))
			}
		}
		s.Blocks[1].FC2.W.Data[3] = 42
		if m.Blocks[1].FC2.W.Data[3] != 42 {
			t.Errorf("%s: a write through the share does not show in the model", arch)
		}
	}
}

// TestInit checks the GPT-2 initialisation: N(0, 0.02), residual projections scaled by
// 1/sqrt(2L), zero biases, unit gains, and the same values for the same seed.
func TestInit(t *testing.T) {
	cfg, _ := Preset("tiny", Decoder, 1000)
	m, err := NewModel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	std := func(x []float32) float64 {
		s := 0.0
		for _, v := range x {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s / float64(len(x)))
	}
	resid := 0.02 / math.Sqrt(2*float64(cfg.Layers))
	for _, c := range []struct {
		t    *nn.Tensor
		want float64
	}{{m.TokEmb, 0.02}, {m.Blocks[2].Q.W, 0.02}, {m.Blocks[2].FC1.W, 0.02}, {m.Blocks[2].O.W, resid}, {m.Blocks[3].FC2.W, resid}} {
		if got := std(c.t.Data); math.Abs(got-c.want) > 0.05*c.want {
			t.Errorf("%s: std %.5f, want %.5f", c.t.Name, got, c.want)
		}
	}
	if std(m.Blocks[1].FC1.B.Data) != 0 || m.LNF.G.Data[5] != 1 || m.LNF.B.Data[5] != 0 {
		t.Error("biases not zero or gains not one")
	}
	again, _ := NewModel(cfg, 3)
	other, _ := NewModel(cfg, 4)
	if !slices.Equal(again.Blocks[3].V.W.Data, m.Blocks[3].V.W.Data) || slices.Equal(other.Blocks[3].V.W.Data, m.Blocks[3].V.W.Data) {
		t.Error("initialisation is not a function of the seed")
	}
}

// hidden runs m on b (no dropout) and returns a copy of the final hidden states.
func hidden(m *Model, b *Batch) []float32 {
	tp := nn.NewTape(1)
	tp.SetGrad(false)
	return slices.Clone(m.Forward(tp, b, &Context{Batch: b}).Data)
}

// TestMasking: the decoder's row i ignores later tokens, and no row of either model depends
// on the ids of padding tokens; the encoder's rows do depend on later tokens.
func TestMasking(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg := testConfig(arch)
		m := newTestModel(t, cfg, 5)
		D := cfg.DModel
		b := &Batch{B: 1, T: 6, IDs: []int32{1, 2, 3, 4, 5, 6}, Pad: []bool{false, false, false, false, true, true}}
		base := hidden(m, b)
		b.IDs[4], b.IDs[5] = 9, 10 // change the padding
		if d := maxAbsDiff(hidden(m, b)[:4*D], base[:4*D]); d != 0 {
			t.Errorf("%s: changing padding ids moved the real rows by %g", arch, d)
		}
		b.IDs[3] = 11 // change the last real token
		changed := hidden(m, b)
		early := maxAbsDiff(changed[:3*D], base[:3*D])
		if arch == Decoder && early != 0 {
			t.Errorf("decoder: changing token 3 moved rows 0..2 by %g", early)
		}
		if arch == Encoder && early == 0 {
			t.Error("encoder: rows 0..2 do not see token 3")
		}
	}
}

// TestPositions: a left-padded sequence with explicit positions gives the same hidden
// states as the unpadded one.
func TestPositions(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg := testConfig(arch)
		m := newTestModel(t, cfg, 6)
		D := cfg.DModel
		plain := hidden(m, &Batch{B: 1, T: 3, IDs: []int32{4, 5, 6}})
		padded := hidden(m, &Batch{B: 1, T: 5, IDs: []int32{0, 0, 4, 5, 6}, Pad: []bool{true, true, false, false, false}, Pos: []int32{0, 0, 0, 1, 2}})
		if d := maxAbsDiff(padded[2*D:], plain); d > 1e-5 {
			t.Errorf("%s: left padding with positions changes the rows by %g", arch, d)
		}
	}
}

func TestForwardPanicsOnBadBatch(t *testing.T) {
	m := newTestModel(t, testConfig(Decoder), 1)
	cases := []struct {
		name string
		b    *Batch
		want string
	}{
		{"ids count", &Batch{B: 2, T: 2, IDs: []int32{1, 2, 3}}, "3 ids"},
		{"id outside vocab", &Batch{B: 1, T: 2, IDs: []int32{1, 13}}, "token id 13"},
		{"too long", &Batch{B: 1, T: 13, IDs: make([]int32, 13)}, "max_len"},
		{"position outside", &Batch{B: 1, T: 1, IDs: []int32{1}, Pos: []int32{12}}, "position 12"},
		{"pad count", &Batch{B: 1, T: 2, IDs: []int32{1, 2}, Pad: []bool{true}}, "pad flags"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("%s: panic %v, want one mentioning %q", c.name, r, c.want)
				}
			}()
			hidden(m, c.b)
		}()
	}
}
