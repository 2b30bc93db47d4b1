package lora

import (
	"fmt"
	"slices"

	"loralab/model"
	"loralab/nn"
)

// update is what a dispatcher routes rows to: the delta of one adapter's Linear or Embedding
// update for the rows x of ctx's batch.
type update interface {
	delta(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor
}

func (d *Linear) delta(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	return d.Forward(t, x, ctx)
}

// router holds, by adapter ID, the updates of one adapted matrix (nil where an adapter does
// not adapt it), and routes each batch to them.
type router struct {
	bank    *Bank
	updates []update
	mask    []float32 // scratch for the row scales of a mixed batch
}

// set registers the update of adapter id.
func (r *router) set(id int, u update) {
	for len(r.updates) <= id {
		r.updates = append(r.updates, nil)
	}
	r.updates[id] = u
}

// at is the update of adapter id, nil for NoAdapter or an adapter that does not adapt this
// matrix.
func (r *router) at(id int) update {
	if id == NoAdapter || id >= len(r.updates) {
		return nil
	}
	return r.updates[id]
}

// route returns the sum of the adapters' deltas for x [N, D] as ctx's batch assigns them, or
// nil if no adapter touches these rows.
func (r *router) route(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	ids := r.adapterIDs(x, ctx)
	id, single := soleAdapter(ids, r.bank.active)
	if !single {
		return r.mixed(t, x, ctx, ids)
	}
	if u := r.at(id); u != nil {
		return u.delta(t, x, ctx)
	}
	return nil
}

// soleAdapter returns the adapter that serves every sequence, if one does: the active one
// when the batch names none, or the one every sequence names.
func soleAdapter(ids []int, active int) (id int, ok bool) {
	if ids == nil {
		return active, true
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			return 0, false
		}
	}
	return ids[0], true
}

// mixed serves a batch whose sequences use different adapters. Each adapter computes its
// delta for all rows, and nn.ScaleRows keeps (scale 1) the rows of its own sequences and
// zeroes the others; the rows of a sequence then hold exactly what its adapter alone gives
// (adding the other adapters' zeros changes no bit).
func (r *router) mixed(t *nn.Tape, x *nn.Tensor, ctx *model.Context, ids []int) *nn.Tensor {
	var sum *nn.Tensor
	for id, u := range r.updates {
		if u == nil || !slices.Contains(ids, id) {
			continue
		}
		d := t.ScaleRows(u.delta(t, x, ctx), r.rowMask(ids, id, x.Rows()))
		if sum == nil {
			sum = d
		} else {
			sum = t.Add(sum, d)
		}
	}
	return sum
}

// rowMask returns, for the rows of a batch whose sequences use adapters ids, 1 for the rows
// of adapter id's sequences and 0 for the others. The slice is reused by the next call.
func (r *router) rowMask(ids []int, id, rows int) []float32 {
	rowsPerSeq := rows / len(ids)
	r.mask = slices.Grow(r.mask[:0], rows)[:rows]
	for row := range r.mask {
		r.mask[row] = 0
		if ids[row/rowsPerSeq] == id {
			r.mask[row] = 1
		}
	}
	return r.mask
}

// adapterIDs returns the batch's AdapterIDs, or nil when the batch has none or the bank is
// merged. It panics, naming the problem, when they do not fit the batch or the bank.
func (r *router) adapterIDs(x *nn.Tensor, ctx *model.Context) []int {
	if ctx == nil || ctx.Batch == nil || ctx.Batch.AdapterIDs == nil || r.bank.merged != nil {
		return nil
	}
	ids := ctx.Batch.AdapterIDs
	if len(ids) != ctx.Batch.B || x.Rows() != ctx.Batch.B*ctx.Batch.T {
		panic(fmt.Sprintf("lora: bank: batch of B=%d sequences of T=%d rows (%d rows here) has %d adapter IDs, want B",
			ctx.Batch.B, ctx.Batch.T, x.Rows(), len(ids)))
	}
	for b, id := range ids {
		if id < NoAdapter || id >= len(r.bank.adapters) {
			panic(fmt.Sprintf("lora: bank: sequence %d has adapter ID %d, want %d (base model) to %d (bank of %v)",
				b, id, NoAdapter, len(r.bank.adapters)-1, r.bank.names))
		}
	}
	return ids
}

// bankLinear is the Delta a Bank installs on an adapted Linear.
type bankLinear struct {
	router
	target *model.Linear
	zero   *nn.Tensor // a frozen zero row [1, d_out], tiled when no adapter applies
}

func newBankLinear(b *Bank, target *model.Linear) *bankLinear {
	return &bankLinear{router: router{bank: b}, target: target, zero: nn.New(1, target.Out())}
}

// Forward returns the routed adapters' update, or zeros when none applies to the batch (a
// Delta must return a tensor).
func (d *bankLinear) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	if y := d.route(t, x, ctx); y != nil {
		return y
	}
	return t.TileBatch(d.zero, x.Rows())
}

// bankEmbedding is the embedding hook a Bank installs when an adapter targets the embedding.
type bankEmbedding struct{ router }

// Forward returns x plus the routed adapters' embedding update, or x itself when none applies.
func (e *bankEmbedding) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	if y := e.route(t, x, ctx); y != nil {
		return t.Add(x, y)
	}
	return x
}
