package model

import "loralab/nn"

// Batch is one batch of token sequences, laid out as B sequences of T rows each: row b*T+i
// is token i of sequence b.
type Batch struct {
	IDs  []int32 // B*T token ids
	B, T int
	// Pad marks padding tokens (B*T entries, true = padding); no query attends to them.
	// nil means no padding.
	Pad []bool
	// Pos gives each row's position (B*T entries); nil means 0..T-1 in every sequence.
	// Left-padded generation uses it so that every prompt starts at position 0.
	Pos []int32
	// Slots are the row indices (in [0, B*T)) of prefix/infix slots, whose activations a
	// prefix method replaces with trainable vectors; SlotIDs[i] says which vector (0..n-1)
	// row Slots[i] takes. The token id at a slot row is only a placeholder, by convention the
	// pad token; the model treats slot rows as ordinary tokens.
	Slots   []int32
	SlotIDs []int32
	// AdapterIDs optionally gives, per sequence (B entries), the index of the adapter that
	// serves it, for batches that mix adapters.
	AdapterIDs []int
}

// Context is what every Delta and hook sees besides its input: the batch being processed,
// whether this is a training pass (dropout on), and the seed from which this pass's dropout
// masks derive.
type Context struct {
	Batch *Batch
	Train bool
	Seed  uint64
}

// Delta adds a learned update to a Linear layer: the layer computes x W^T + b plus the sum of
// its Deltas' outputs (see Linear for how they combine with Scales). LoRA is a Delta: Forward returns (alpha/r) x A^T B^T, so that
// h = W0 x + B A x (Hu et al., 2021, eq. 3).
type Delta interface {
	// Forward maps the layer input x [N, in] to an update [N, out].
	Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor
}

// LowRankDelta is a Delta whose update is s·u Bᵀ for an input-dependent u [N, r] and a
// matrix B [out, r] (LoRA: u = x Aᵀ). A Linear whose only Delta is one adds the update
// inside its own product (nn.Tape.LinearLowRank), keeping no [N, out] activations for it.
type LowRankDelta interface {
	Delta
	// LowRank returns u, B and s for the layer input x [N, in].
	LowRank(t *nn.Tape, x *nn.Tensor, ctx *Context) (u, b *nn.Tensor, s float32)
}

// ScaleSite is where a Scale multiplies a Linear.
type ScaleSite int

// The sites of a Scale.
const (
	// ScaleInput multiplies the input, x ⊙ v, before W and the Deltas see it: it scales the
	// columns of W ((IA)³ on the MLP's second layer, whose input is the first one's
	// activation).
	ScaleInput ScaleSite = iota
	// ScaleRows multiplies x W^T + the Deltas' updates before the bias is added: it scales the
	// rows of W and of the update, not the bias (DoRA's m / ‖W + ΔW‖).
	ScaleRows
	// ScaleOutput multiplies the whole output, bias included ((IA)³ on the keys and values).
	ScaleOutput
)

// Scale is a non-additive update of a Linear: an elementwise rescaling of its input, of its
// weight's rows, or of its output, by a vector the method computes and trains. With Delta it
// covers the methods that reparametrise a weight rather than add to it. Each site folds into
// the base weights (Merge): a column scale into W's columns, a row scale into W's rows, an
// output scale into W's rows and the bias.
type Scale interface {
	// Site is where the factors apply; it does not change while the Scale is installed.
	Site() ScaleSite
	// Factors returns the vector (In elements for ScaleInput, Out otherwise) on t, so that the
	// gradient reaches the Scale's parameters. It may read the layer's weight and Deltas
	// (DoRA's norms of W + ΔW).
	Factors(t *nn.Tape, l *Linear, ctx *Context) *nn.Tensor
}

// SublayerHook transforms the output h [N, D] of a sublayer (attention after its output
// projection O, or the MLP after FC2) before it joins the residual stream. Adapters are
// SublayerHooks that return h + up(act(down(h))).
type SublayerHook interface {
	Forward(t *nn.Tape, h *nn.Tensor, ctx *Context) *nn.Tensor
}

// RowsHook transforms a whole hidden-state matrix x [B*T, D]: the embedded input
// (Model.EmbedHooks) or a block's output (Block.OutHooks). Prefix methods are RowsHooks
// that replace the slot rows listed in ctx.Batch with trainable vectors.
type RowsHook interface {
	Forward(t *nn.Tape, x *nn.Tensor, ctx *Context) *nn.Tensor
}
