package nn

import "math/rand/v2"

// testBlock is a pre-LN transformer block built from the tape's ops, as model/ builds it:
//
//	h = x + Wo·Attention(Wq·LN₁(x), Wk·LN₁(x), Wv·LN₁(x)),  y = h + W₂·GELU(W₁·LN₂(h)).
type testBlock struct {
	ln1g, ln1b, wq, bq, wk, bk, wv, bv, wo, bo, ln2g, ln2b, w1, b1, w2, b2 *Tensor
}

func newTestBlock(rng *rand.Rand, d, hidden int) *testBlock {
	w := func(name string, rows, cols int) *Tensor { return randLeaf(rng, name, 0.5/float64(cols)*4, rows, cols) }
	v := func(name string, n int, mean float32) *Tensor {
		p := randLeaf(rng, name, 0.1, n)
		for i := range p.Data {
			p.Data[i] += mean
		}
		return p
	}
	return &testBlock{
		ln1g: v("ln1.g", d, 1), ln1b: v("ln1.b", d, 0),
		wq: w("wq", d, d), bq: v("bq", d, 0), wk: w("wk", d, d), bk: v("bk", d, 0),
		wv: w("wv", d, d), bv: v("bv", d, 0), wo: w("wo", d, d), bo: v("bo", d, 0),
		ln2g: v("ln2.g", d, 1), ln2b: v("ln2.b", d, 0),
		w1: w("w1", hidden, d), b1: v("b1", hidden, 0), w2: w("w2", d, hidden), b2: v("b2", d, 0),
	}
}

func (b *testBlock) params() []*Tensor {
	return []*Tensor{b.ln1g, b.ln1b, b.wq, b.bq, b.wk, b.bk, b.wv, b.bv, b.wo, b.bo, b.ln2g, b.ln2b, b.w1, b.b1, b.w2, b.b2}
}

func (b *testBlock) forward(tp *Tape, x *Tensor, spec AttnSpec, seed uint64) *Tensor {
	h := tp.LayerNorm(x, b.ln1g, b.ln1b, 1e-5)
	q, k, v := tp.Linear(h, b.wq, b.bq), tp.Linear(h, b.wk, b.bk), tp.Linear(h, b.wv, b.bv)
	a := tp.Linear(tp.Attention(q, k, v, spec), b.wo, b.bo)
	x = tp.Add(x, tp.Dropout(a, 0.1, seed))
	m := tp.Linear(tp.GELU(tp.Linear(tp.LayerNorm(x, b.ln2g, b.ln2b, 1e-5), b.w1, b.b1)), b.w2, b.b2)
	return tp.Add(x, tp.Dropout(m, 0.1, seed+1))
}

// testModel is a small GPT-like decoder: token and position embeddings, blocks, a final
// LayerNorm and an untied output head, trained by next-token cross-entropy.
type testModel struct {
	emb, pos, lnfG, lnfB, head *Tensor
	blocks                     []*testBlock
	heads                      int
}

func newTestModel(seed uint64, vocab, maxT, d, heads, layers int) *testModel {
	rng := newRand(seed)
	m := &testModel{
		emb: randLeaf(rng, "emb", 0.5, vocab, d), pos: randLeaf(rng, "pos", 0.1, maxT, d),
		lnfG: randLeaf(rng, "lnf.g", 0.1, d), lnfB: randLeaf(rng, "lnf.b", 0.1, d),
		head: randLeaf(rng, "head", 0.5/float64(d)*4, vocab, d), heads: heads,
	}
	for i := range m.lnfG.Data {
		m.lnfG.Data[i]++
	}
	for range layers {
		m.blocks = append(m.blocks, newTestBlock(rng, d, 4*d))
	}
	return m
}

func (m *testModel) params() []*Tensor {
	ps := []*Tensor{m.emb, m.pos, m.lnfG, m.lnfB, m.head}
	for _, b := range m.blocks {
		ps = append(ps, b.params()...)
	}
	return ps
}

// loss records the mean next-token cross-entropy of ids [batch*T] with targets [batch*T].
func (m *testModel) loss(tp *Tape, ids, targets []int32, batch int, keyMask []bool, seed uint64) *Tensor {
	t := len(ids) / batch
	x := tp.Add(tp.Embedding(m.emb, ids), tp.TileBatch(tp.SliceSeq(m.pos, 1, 0, t), batch))
	spec := AttnSpec{Batch: batch, Heads: m.heads, TQ: t, TK: t, Causal: true, KeyMask: keyMask}
	for i, b := range m.blocks {
		x = b.forward(tp, x, spec, seed+uint64(10*i))
	}
	logits := tp.Linear(tp.LayerNorm(x, m.lnfG, m.lnfB, 1e-5), m.head, nil)
	return tp.CrossEntropy(logits, targets, -1, 0.1)
}

// randomTokens returns ids and next-token targets for batch sequences of length t, with
// the last target of each sequence ignored (-1).
func randomTokens(seed uint64, vocab, batch, t int) (ids, targets []int32) {
	rng := newRand(seed)
	ids, targets = make([]int32, batch*t), make([]int32, batch*t)
	for i := range ids {
		ids[i] = int32(rng.IntN(vocab))
	}
	for i := range targets {
		targets[i] = -1
		if (i+1)%t != 0 {
			targets[i] = ids[i+1]
		}
	}
	return ids, targets
}
