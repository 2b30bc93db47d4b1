package model

import (
	"math/rand/v2"
	"slices"
	"testing"

	"loralab/nn"
)

// matDelta is a Delta x M^T with a dense M [out, in]: a full-rank stand-in for LoRA's B A.
type matDelta struct{ M *nn.Tensor }

func (d matDelta) Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor {
	return t.Linear(x, d.M, nil)
}

// TestLinearDelta: a Linear with a Delta x M^T computes what a Linear with weight W+M does,
// and the delta's parameter gets the same gradient as W.
func TestLinearDelta(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	randParam := func(name string, shape ...int) *nn.Tensor {
		p := nn.NewParam(name, shape...)
		for i := range p.Data {
			p.Data[i] = float32(rng.NormFloat64())
		}
		return p
	}
	x := randParam("x", 5, 4)
	l := &Linear{Name: "l", W: randParam("w", 3, 4), B: randParam("b", 3)}
	m := randParam("m", 3, 4)
	l.Deltas = []Delta{matDelta{m}}
	merged := &Linear{Name: "merged", W: nn.NewParam("wm", 3, 4), B: l.B}
	for i := range merged.W.Data {
		merged.W.Data[i] = l.W.Data[i] + m.Data[i]
	}
	tp := nn.NewTape(1)
	y := l.Forward(tp, x, &Context{})
	want := merged.Forward(tp, x, &Context{})
	if d := maxAbsDiff(y.Data, want.Data); d > 1e-5 {
		t.Errorf("x W^T + b + x M^T differs from x (W+M)^T + b by %g", d)
	}
	tp.Backward(tp.CrossEntropy(y, []int32{0, 1, 2, 1, 0}, -1, 0))
	if d := maxAbsDiff(m.Grad, l.W.Grad); d != 0 {
		t.Errorf("delta gradient differs from the weight gradient by %g", d)
	}
}

// recorder is a hook that logs its calls and transforms its input with f.
type recorder struct {
	name string
	log  *[]string
	f    func(t *nn.Tape, x *nn.Tensor) *nn.Tensor
	ctx  *[]*Context
}

func (r recorder) Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor {
	*r.log = append(*r.log, r.name)
	*r.ctx = append(*r.ctx, ctx)
	if r.f == nil {
		return x
	}
	return r.f(t, x)
}

// TestHookOrderAndContext checks where and in which order the hooks run, and that they all
// get the pass's Context.
func TestHookOrderAndContext(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		m := newTestModel(t, testConfig(arch), 1)
		var log []string
		var ctxs []*Context
		hook := func(name string) recorder { return recorder{name: name, log: &log, ctx: &ctxs} }
		m.EmbedHooks = []RowsHook{hook("embed1"), hook("embed2")}
		for _, b := range m.Blocks {
			p := []string{"b0.", "b1."}[b.Index]
			b.AfterAttn = []SublayerHook{hook(p + "attn1"), hook(p + "attn2")}
			b.AfterMLP = []SublayerHook{hook(p + "mlp")}
			b.OutHooks = []RowsHook{hook(p + "out")}
		}
		b := &Batch{B: 1, T: 3, IDs: []int32{1, 2, 3}}
		ctx := &Context{Batch: b, Seed: 9}
		tp := nn.NewTape(1)
		m.Forward(tp, b, ctx)
		want := []string{"embed1", "embed2", "b0.attn1", "b0.attn2", "b0.mlp", "b0.out", "b1.attn1", "b1.attn2", "b1.mlp", "b1.out"}
		if !slices.Equal(log, want) {
			t.Errorf("%s: hooks ran as %v, want %v", arch, log, want)
		}
		for i, c := range ctxs {
			if c != ctx {
				t.Errorf("%s: hook %s got another context", arch, log[i])
			}
		}
	}
}

// TestSublayerHooksReplaceOutput: hooks that zero both sublayer outputs leave a pre-LN
// decoder computing LNF(embedding): the hooks' outputs, not the sublayers', join the
// residual stream.
func TestSublayerHooksReplaceOutput(t *testing.T) {
	zero := func(t *nn.Tape, h *nn.Tensor) *nn.Tensor { return t.Scale(h, 0) }
	cfg := testConfig(Decoder)
	m := newTestModel(t, cfg, 2)
	var log []string
	var ctxs []*Context
	for _, blk := range m.Blocks {
		blk.AfterAttn = []SublayerHook{recorder{log: &log, ctx: &ctxs, f: zero}}
		blk.AfterMLP = []SublayerHook{recorder{log: &log, ctx: &ctxs, f: zero}}
	}
	b := &Batch{B: 1, T: 4, IDs: []int32{3, 1, 4, 1}}
	got := hidden(m, b)
	tp := nn.NewTape(1)
	emb := tp.Add(tp.Embedding(m.TokEmb, b.IDs), tp.Embedding(m.PosEmb, []int32{0, 1, 2, 3}))
	want := m.LNF.Forward(tp, emb, cfg.LNEps)
	if d := maxAbsDiff(got, want.Data); d > 1e-6 {
		t.Errorf("decoder with zeroed sublayers differs from LNF(embedding) by %g", d)
	}
}

// slotHook is a PreEmbed-like RowsHook: it replaces the slot rows with rows of P.
type slotHook struct{ P *nn.Tensor }

func (h slotHook) Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor {
	src := nn.New(len(ctx.Batch.Slots), x.Cols())
	for i, s := range ctx.Batch.SlotIDs {
		copy(src.Row(i), h.P.Row(int(s)))
	}
	return t.SetRows(x, ctx.Batch.Slots, src)
}

// TestSlotRows: with the slot rows replaced after embedding, the token ids at those rows no
// longer matter.
func TestSlotRows(t *testing.T) {
	cfg := testConfig(Decoder)
	m := newTestModel(t, cfg, 3)
	p := nn.New(2, cfg.DModel)
	for i := range p.Data {
		p.Data[i] = float32(i) / 10
	}
	m.EmbedHooks = []RowsHook{slotHook{p}}
	b := &Batch{B: 2, T: 4, IDs: []int32{0, 0, 5, 6, 0, 0, 7, 8}, Slots: []int32{0, 1, 4, 5}, SlotIDs: []int32{0, 1, 0, 1}}
	base := hidden(m, b)
	b.IDs[0], b.IDs[1], b.IDs[4], b.IDs[5] = 9, 9, 3, 3
	if d := maxAbsDiff(hidden(m, b), base); d != 0 {
		t.Errorf("slot token ids changed the output by %g", d)
	}
}
