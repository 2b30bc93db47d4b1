package model

import (
	"fmt"

	"loralab/nn"
)

// Dropout sites within a block, mixed into the dropout seed so that every site draws an
// independent mask.
const (
	siteEmbed = iota
	siteAttn
	siteMLP
)

// Forward runs the model on batch b and returns the final hidden states [B*T, D]: after the
// last block's LayerNorm for the encoder (post-LN), after LNF for the decoder (pre-LN).
// Attention is causal for the decoder and bidirectional for the encoder; padding keys are
// masked in both. With ctx.Train, dropout is applied (seeded from ctx.Seed) to the embedded
// input and to each sublayer output; the tape must then be in training mode too. A nil ctx
// means evaluation; a ctx without a Batch gets b.
func (m *Model) Forward(t *nn.Tape, b *Batch, ctx *Context) *nn.Tensor {
	return m.forward(t, b, ctx, nil)
}

// forward is Forward with an optional KV cache (decoder generation): with a cache, b holds
// only the new tokens of each cached sequence, and attention also sees the cached keys and
// values, which the new ones are appended to.
func (m *Model) forward(t *nn.Tape, b *Batch, ctx *Context, cache *Cache) *nn.Tensor {
	if ctx == nil {
		ctx = &Context{}
	}
	if ctx.Batch == nil {
		ctx.Batch = b
	}
	// Without gradients nothing is kept for backward: each block's activations are
	// released once it has run, so that a pass holds one block's at a time.
	mark := t.Mark()
	x := m.embed(t, b, ctx)
	for _, blk := range m.Blocks {
		if m.Cfg.Arch == Encoder {
			x = blk.forwardPostLN(t, x, b, ctx, &m.Cfg)
		} else {
			x = blk.forwardPreLN(t, x, b, ctx, &m.Cfg, cache)
		}
		for _, h := range blk.OutHooks {
			x = h.Forward(t, x, ctx)
		}
		t.Release(mark, x)
	}
	if m.LNF != nil {
		x = m.LNF.Forward(t, x, m.Cfg.LNEps)
	}
	return x
}

// embed returns token + position embeddings [B*T, D], then (encoder) LNEmb, dropout and the
// EmbedHooks.
func (m *Model) embed(t *nn.Tape, b *Batch, ctx *Context) *nn.Tensor {
	checkBatch(b, m.Cfg)
	pos := b.Pos
	if pos == nil {
		pos = make([]int32, b.B*b.T)
		for i := range pos {
			pos[i] = int32(i % b.T)
		}
	}
	x := t.Add(t.Embedding(m.TokEmb, b.IDs), t.Embedding(m.PosEmb, pos))
	if m.LNEmb != nil {
		x = m.LNEmb.Forward(t, x, m.Cfg.LNEps)
	}
	x = dropoutAt(t, x, ctx, m.Cfg.Dropout, -1, siteEmbed)
	for _, h := range m.EmbedHooks {
		x = h.Forward(t, x, ctx)
	}
	return x
}

// checkBatch panics, naming the problem, if b does not fit a model of shape cfg: ids out of
// the vocabulary or positions beyond MaxLen would otherwise index out of range deep inside an
// op.
func checkBatch(b *Batch, cfg Config) {
	n := b.B * b.T
	if b.B < 1 || b.T < 1 || len(b.IDs) != n {
		panic(fmt.Sprintf("model: batch has %d ids for B=%d T=%d", len(b.IDs), b.B, b.T))
	}
	if (b.Pad != nil && len(b.Pad) != n) || (b.Pos != nil && len(b.Pos) != n) {
		panic(fmt.Sprintf("model: batch B=%d T=%d has %d pad flags and %d positions, want %d or none", b.B, b.T, len(b.Pad), len(b.Pos), n))
	}
	if b.Pos == nil && b.T > cfg.MaxLen {
		panic(fmt.Sprintf("model: sequence length %d exceeds max_len %d", b.T, cfg.MaxLen))
	}
	for i, id := range b.IDs {
		if id < 0 || int(id) >= cfg.Vocab {
			panic(fmt.Sprintf("model: token id %d at row %d outside vocabulary [0, %d)", id, i, cfg.Vocab))
		}
	}
	for i, p := range b.Pos {
		if p < 0 || int(p) >= cfg.MaxLen {
			panic(fmt.Sprintf("model: position %d at row %d outside [0, max_len=%d)", p, i, cfg.MaxLen))
		}
	}
}

// forwardPreLN is a GPT-2 block: x + Attn(LN1(x)), then + MLP(LN2(x)).
func (blk *Block) forwardPreLN(t *nn.Tape, x *nn.Tensor, b *Batch, ctx *Context, cfg *Config, cache *Cache) *nn.Tensor {
	a := blk.attention(t, blk.LN1.Forward(t, x, cfg.LNEps), b, ctx, cfg, cache)
	x = t.Add(x, a)
	return t.Add(x, blk.mlp(t, blk.LN2.Forward(t, x, cfg.LNEps), ctx, cfg))
}

// forwardPostLN is a RoBERTa block: LN1(x + Attn(x)), then LN2(x + MLP(x)).
func (blk *Block) forwardPostLN(t *nn.Tape, x *nn.Tensor, b *Batch, ctx *Context, cfg *Config) *nn.Tensor {
	x = blk.LN1.Forward(t, t.Add(x, blk.attention(t, x, b, ctx, cfg, nil)), cfg.LNEps)
	return blk.LN2.Forward(t, t.Add(x, blk.mlp(t, x, ctx, cfg)), cfg.LNEps)
}

// attention is multi-head self-attention, O(softmax(Q K^T / sqrt(d_head)) V), followed by
// dropout and the AfterAttn hooks. With a cache, the keys and values of the new rows are
// appended to it and the queries attend to all cached positions.
func (blk *Block) attention(t *nn.Tape, x *nn.Tensor, b *Batch, ctx *Context, cfg *Config, cache *Cache) *nn.Tensor {
	q := blk.Q.Forward(t, x, ctx)
	k := blk.K.Forward(t, x, ctx)
	v := blk.V.Forward(t, x, ctx)
	spec := nn.AttnSpec{Batch: b.B, Heads: cfg.Heads, TQ: b.T, TK: b.T, Causal: cfg.Arch == Decoder, KeyMask: b.Pad}
	if cache != nil {
		k, v = cache.appendKV(&cache.layers[blk.Index], k, v)
		spec.TK = cache.len + b.T
		spec.KeyMask = cache.stepPad
	}
	h := blk.O.Forward(t, t.Attention(q, k, v, spec), ctx)
	h = dropoutAt(t, h, ctx, cfg.Dropout, blk.Index, siteAttn)
	for _, hook := range blk.AfterAttn {
		h = hook.Forward(t, h, ctx)
	}
	return h
}

// mlp is FC2(act(FC1(x))), followed by dropout and the AfterMLP hooks.
func (blk *Block) mlp(t *nn.Tape, x *nn.Tensor, ctx *Context, cfg *Config) *nn.Tensor {
	h := blk.FC1.Forward(t, x, ctx)
	if cfg.Activation == "relu" {
		h = t.ReLU(h)
	} else {
		h = t.GELU(h)
	}
	h = blk.FC2.Forward(t, h, ctx)
	h = dropoutAt(t, h, ctx, cfg.Dropout, blk.Index, siteMLP)
	for _, hook := range blk.AfterMLP {
		h = hook.Forward(t, h, ctx)
	}
	return h
}

// dropoutAt applies inverted dropout with rate p when ctx.Train, with a seed that mixes
// ctx.Seed, the layer and the site, so that every site of every step draws its own mask.
func dropoutAt(t *nn.Tape, x *nn.Tensor, ctx *Context, p float32, layer, site int) *nn.Tensor {
	if !ctx.Train || p == 0 {
		return x
	}
	return t.Dropout(x, p, SubSeed(ctx.Seed, uint64(layer+1)<<8|uint64(site)))
}

// SubSeed derives an independent seed from seed and a label with the splitmix64 finaliser.
// Methods use it for their own dropout sites.
func SubSeed(seed, label uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15*(label+1)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// LMLogits projects hidden states h [N, D] onto the vocabulary with the token embedding
// (tied weights): logits = h TokEmb^T, [N, Vocab].
func (m *Model) LMLogits(t *nn.Tape, h *nn.Tensor) *nn.Tensor {
	return t.Linear(h, m.TokEmb, nil)
}

// LMLoss is the mean cross-entropy of the next-token predictions of h [N, D] against
// targets [N] (rows whose target is ignore are not counted), label-smoothed by smoothing:
// CrossEntropy(LMLogits(h)) as one op, which keeps the N × Vocab logits without a gradient
// buffer of their size (nn.Tape.LinearCrossEntropy).
func (m *Model) LMLoss(t *nn.Tape, h *nn.Tensor, targets []int32, ignore int32, smoothing float32) *nn.Tensor {
	return t.LinearCrossEntropy(h, m.TokEmb, targets, ignore, smoothing)
}

// HeadLogits applies the encoder's classification head to the first token of each of the
// B sequences of h [B*T, D] and returns [B, NumLabels]. It panics if the model has no head.
// Deltas on the head's Linears see an empty Context (no batch, no dropout).
func (m *Model) HeadLogits(t *nn.Tape, h *nn.Tensor, B, T int) *nn.Tensor {
	if m.Head == nil {
		panic("model: HeadLogits on a model without a classification head (num_labels = 0)")
	}
	first := h
	if T > 1 {
		first = t.SliceSeq(h, B, 0, 1)
	}
	ctx := &Context{}
	x := t.Tanh(m.Head.Dense.Forward(t, first, ctx))
	return m.Head.Out.Forward(t, x, ctx)
}
