package nn

import (
	"strings"
	"testing"
)

// TestGradients checks every op's backward against float64 central differences.
func TestGradients(t *testing.T) {
	rng := newRand(1)
	leaf := func(name string, shape ...int) *Tensor { return randLeaf(rng, name, 1, shape...) }

	x34, w54, b5 := leaf("x", 3, 4), leaf("w", 5, 4), leaf("b", 5)
	frozenW := leaf("w", 5, 4).Clone()
	a23, b23 := leaf("a", 2, 3), leaf("b", 2, 3)
	u32, bw52 := leaf("u", 3, 2), leaf("B", 5, 2)
	frozenX := x34.Clone()
	table := leaf("table", 6, 3)
	lnX, lnG, lnB := leaf("x", 4, 5), leaf("g", 5), leaf("b", 5)
	act := leaf("x", 3, 5)
	reluX := awayFromZero(leaf("x", 3, 5), 0.05)
	seqA, seqB := leaf("a", 2*2, 3), leaf("b", 2*3, 3)
	prefix := leaf("p", 2, 3)
	slots := leaf("src", 2, 3)
	logits := leaf("logits", 5, 4)
	pred := leaf("pred", 4, 1)

	cases := []gradCase{
		{name: "Linear", leaves: []*Tensor{x34, w54, b5}, build: func(tp *Tape) *Tensor { return tp.Linear(x34, w54, b5) }},
		{name: "Linear/no bias", leaves: []*Tensor{x34, w54}, build: func(tp *Tape) *Tensor { return tp.Linear(x34, w54, nil) }},
		{name: "Linear/frozen weight", leaves: []*Tensor{x34, b5}, build: func(tp *Tape) *Tensor { return tp.Linear(x34, frozenW, b5) }},
		{name: "LinearLowRank", leaves: []*Tensor{x34, w54, b5, u32, bw52}, build: func(tp *Tape) *Tensor {
			return tp.LinearLowRank(x34, w54, b5, u32, bw52, -1.5)
		}},
		{name: "LinearLowRank/frozen base", leaves: []*Tensor{u32, bw52}, build: func(tp *Tape) *Tensor {
			return tp.LinearLowRank(frozenX, frozenW, nil, u32, bw52, 2)
		}},
		{name: "LinearLowRank/frozen B", leaves: []*Tensor{x34, u32}, build: func(tp *Tape) *Tensor {
			return tp.LinearLowRank(x34, frozenW, nil, u32, bw52.Clone(), 0.5)
		}},
		{name: "Add", leaves: []*Tensor{a23, b23}, build: func(tp *Tape) *Tensor { return tp.Add(a23, b23) }},
		{name: "Add/same operand", leaves: []*Tensor{a23}, build: func(tp *Tape) *Tensor { return tp.Add(a23, a23) }},
		{name: "ScaleRows", leaves: []*Tensor{a23}, build: func(tp *Tape) *Tensor { return tp.ScaleRows(a23, []float32{0, -2}) }},
		{name: "Scale", leaves: []*Tensor{a23}, build: func(tp *Tape) *Tensor { return tp.Scale(a23, -1.5) }},
		{name: "Embedding/repeated ids", leaves: []*Tensor{table}, build: func(tp *Tape) *Tensor {
			return tp.Embedding(table, []int32{2, 0, 2, 5, 2})
		}},
		{name: "GatherRows", leaves: []*Tensor{table}, build: func(tp *Tape) *Tensor {
			return tp.GatherRows(tp.Scale(table, 2), []int32{4, 1, 4})
		}},
		{name: "LayerNorm", leaves: []*Tensor{lnX, lnG, lnB}, build: func(tp *Tape) *Tensor { return tp.LayerNorm(lnX, lnG, lnB, 1e-5) }},
		{name: "GELU", leaves: []*Tensor{act}, build: func(tp *Tape) *Tensor { return tp.GELU(act) }},
		{name: "Tanh", leaves: []*Tensor{act}, build: func(tp *Tape) *Tensor { return tp.Tanh(act) }},
		{name: "ReLU", leaves: []*Tensor{reluX}, build: func(tp *Tape) *Tensor { return tp.ReLU(reluX) }},
		{name: "Dropout", leaves: []*Tensor{act}, build: func(tp *Tape) *Tensor { return tp.Dropout(act, 0.4, 99) }},
		{name: "ConcatSeq", leaves: []*Tensor{seqA, seqB}, build: func(tp *Tape) *Tensor { return tp.ConcatSeq(seqA, seqB, 2) }},
		{name: "ConcatSeq/same operand", leaves: []*Tensor{seqA}, build: func(tp *Tape) *Tensor { return tp.ConcatSeq(seqA, seqA, 2) }},
		{name: "SliceSeq", leaves: []*Tensor{seqB}, build: func(tp *Tape) *Tensor { return tp.SliceSeq(seqB, 2, 1, 3) }},
		{name: "TileBatch", leaves: []*Tensor{prefix}, build: func(tp *Tape) *Tensor { return tp.TileBatch(prefix, 3) }},
		{name: "SetRows", leaves: []*Tensor{seqB, slots}, build: func(tp *Tape) *Tensor { return tp.SetRows(seqB, []int32{4, 1}, slots) }},
		{name: "CrossEntropy", leaves: []*Tensor{logits}, build: func(tp *Tape) *Tensor {
			return tp.CrossEntropy(logits, []int32{0, 3, 1, 1, 2}, -100, 0)
		}},
		{name: "CrossEntropy/smoothing+ignore", leaves: []*Tensor{logits}, build: func(tp *Tape) *Tensor {
			return tp.CrossEntropy(logits, []int32{0, -100, 1, -100, 2}, -100, 0.2)
		}},
		{name: "LinearCrossEntropy", leaves: []*Tensor{x34, w54}, build: func(tp *Tape) *Tensor {
			return tp.LinearCrossEntropy(x34, w54, []int32{4, 0, 2}, -100, 0)
		}},
		{name: "LinearCrossEntropy/smoothing+ignore+frozen w", leaves: []*Tensor{x34}, build: func(tp *Tape) *Tensor {
			return tp.LinearCrossEntropy(x34, frozenW, []int32{1, -100, 3}, -100, 0.2)
		}},
		{name: "MSE", leaves: []*Tensor{pred}, build: func(tp *Tape) *Tensor { return tp.MSE(pred, []float32{0.5, -1, 2, 0}) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
	if frozenW.Grad != nil || frozenX.Grad != nil {
		t.Errorf("frozen Linear weight or input got a gradient buffer")
	}
}

// TestAttentionGradients covers the masks: causal, causal with TQ < TK (queries at the end),
// key padding, a query row that sees no key, and cross-attention.
func TestAttentionGradients(t *testing.T) {
	rng := newRand(2)
	const batch, heads, d = 2, 2, 4
	pad := []bool{false, false, true, false, false, false, false, true}
	cases := []struct {
		name string
		spec AttnSpec
	}{
		{"full", AttnSpec{Batch: batch, Heads: heads, TQ: 3, TK: 3}},
		{"causal", AttnSpec{Batch: batch, Heads: heads, TQ: 4, TK: 4, Causal: true}},
		{"causal offset TQ<TK", AttnSpec{Batch: batch, Heads: heads, TQ: 2, TK: 4, Causal: true}},
		{"key padding", AttnSpec{Batch: batch, Heads: heads, TQ: 3, TK: 4, KeyMask: pad}},
		{"causal+padding, row sees nothing", AttnSpec{Batch: batch, Heads: heads, TQ: 4, TK: 4, Causal: true,
			KeyMask: []bool{true, false, false, false, false, true, false, false}}},
		{"cross TQ>TK", AttnSpec{Batch: batch, Heads: heads, TQ: 5, TK: 2}},
		{"causal, several query blocks", AttnSpec{Batch: batch, Heads: heads, TQ: 2*attnQueryBlock + 3, TK: 2*attnQueryBlock + 3, Causal: true}},
		{"causal TQ<TK, several query blocks", AttnSpec{Batch: batch, Heads: heads, TQ: attnQueryBlock + 5, TK: 2 * attnQueryBlock, Causal: true}},
	}
	for _, c := range cases {
		q := randLeaf(rng, "q", 1, batch*c.spec.TQ, d)
		k := randLeaf(rng, "k", 1, batch*c.spec.TK, d)
		v := randLeaf(rng, "v", 1, batch*c.spec.TK, d)
		t.Run(c.name, func(t *testing.T) {
			checkGradients(t, gradCase{name: c.name, leaves: []*Tensor{q, k, v}, build: func(tp *Tape) *Tensor {
				return tp.Attention(q, k, v, c.spec)
			}})
		})
	}
}

// TestBlockGradients checks a whole pre-LN transformer block (with dropout, causal
// attention and padding) and a loss on top.
func TestBlockGradients(t *testing.T) {
	rng := newRand(3)
	const batch, seq, d = 2, 4, 8
	blk := newTestBlock(rng, d, 2*d)
	x := randLeaf(rng, "x", 1, batch*seq, d)
	spec := AttnSpec{Batch: batch, Heads: 2, TQ: seq, TK: seq, Causal: true, KeyMask: []bool{false, false, false, true, false, false, false, false}}
	checkGradients(t, gradCase{
		name:       "block",
		leaves:     append([]*Tensor{x}, blk.params()...),
		build:      func(tp *Tape) *Tensor { return blk.forward(tp, x, spec, 5) },
		maxPerLeaf: 12,
	})
}

// TestModelLossGradients checks a two-layer decoder through embeddings, blocks, the head
// and the smoothed cross-entropy with ignored targets.
func TestModelLossGradients(t *testing.T) {
	m := newTestModel(4, 11, 6, 8, 2, 2)
	ids, targets := randomTokens(5, 11, 2, 5)
	checkGradients(t, gradCase{
		name:       "model",
		leaves:     m.params(),
		build:      func(tp *Tape) *Tensor { return m.loss(tp, ids, targets, 2, nil, 9) },
		maxPerLeaf: 6,
	})
}

// TestGradientCheckDetectsErrors makes sure the checker itself can fail: a graph whose
// backward is scaled wrongly (an op inserted only in the forward used for finite
// differences) must be reported.
func TestGradientCheckDetectsErrors(t *testing.T) {
	rng := newRand(6)
	x := randLeaf(rng, "x", 1, 3, 4)
	err := gradientMismatch(gradCase{name: "mismatch", leaves: []*Tensor{x}, build: func(tp *Tape) *Tensor {
		if tp.GradEnabled() {
			return tp.Tanh(x)
		}
		return tp.Tanh(tp.Scale(x, 1.1))
	}})
	if err == nil || !strings.Contains(err.Error(), "disagree") {
		t.Fatalf("checker missed a wrong gradient: %v", err)
	}
}
