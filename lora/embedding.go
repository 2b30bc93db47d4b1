package lora

import (
	"fmt"

	"loralab/model"
	"loralab/nn"
)

// Embedding is the LoRA update of the token embedding E [vocab, d]: the embedded input row of
// token id gains s·B·A[:, id], as in PEFT's LoRA for nn.Embedding. It is a model.RowsHook on
// the embedded input, so it runs where Model.EmbedHooks run: after the position embedding is
// added (and, in the encoder, after the embedding LayerNorm) and after the embedding dropout.
// Unlike the Linear updates it has no dropout of its own (PEFT has none there either).
type Embedding struct {
	// A holds the factor A [r, vocab] transposed, as [vocab, r], so that the column of token
	// id is a row that an embedding lookup gathers; it is named tok_emb.lora_embedding_A and
	// exported to PEFT as lora_embedding_A [r, vocab]. B [d, r] is tok_emb.lora_embedding_B.
	A, B *nn.Tensor
	// Scale is s.
	Scale float32
}

// Names of the embedding's LoRA tensors.
const (
	embAName = "tok_emb.lora_embedding_A"
	embBName = "tok_emb.lora_embedding_B"
)

// newEmbedding returns the update of m's token embedding at rank r: A drawn by init with
// fan_in = vocab (the fan-in of A [r, vocab]), B zero. PEFT does the reverse for embeddings
// (A zero, B from N(0, 1)); here every target follows A random, B zero, so that the
// subspace analysis reads every A alike.
func newEmbedding(m *model.Model, r int, scale float32, aInit string, seed uint64) *Embedding {
	e := &Embedding{
		A:     nn.NewParam(embAName, m.Cfg.Vocab, r),
		B:     nn.NewParam(embBName, m.Cfg.DModel, r),
		Scale: scale,
	}
	initA(e.A.Data, r, m.Cfg.Vocab, aInit, seed, embAName)
	return e
}

// Forward returns x + delta for the embedded input x [N, d] of ctx.Batch.
func (e *Embedding) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	return t.Add(x, e.delta(t, x, ctx))
}

// delta is s·B·A[:, id] for every row's token id: u = A[:, ids]ᵀ [N, r] (a lookup in the
// stored transpose), delta = s · u Bᵀ [N, d].
func (e *Embedding) delta(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	if ctx == nil || ctx.Batch == nil {
		panic(fmt.Sprintf("lora: embedding update of %d rows needs the batch's token ids, but the context has no batch", x.Rows()))
	}
	if len(ctx.Batch.IDs) != x.Rows() {
		panic(fmt.Sprintf("lora: embedding update of %d rows, but the context's batch has %d token ids", x.Rows(), len(ctx.Batch.IDs)))
	}
	u := t.Embedding(e.A, ctx.Batch.IDs)
	return t.Scale(t.Linear(u, e.B, nil), e.Scale)
}
