package nn

// Embedding returns the rows table[ids[i]] of table [V,D] as a [len(ids),D] tensor.
// Backward scatters: dtable[ids[i]] += dy[i]. Goroutines split the D columns and each walks
// the ids in order, so a token that occurs many times sums its gradients in a fixed order.
func (t *Tape) Embedding(table *Tensor, ids []int32) *Tensor {
	const name = "nn.Embedding"
	need2D(name, "table", table)
	for i, id := range ids {
		needRowIndex(name, "id", id, i, table.Shape[0], table.Shape)
	}
	d := table.Shape[1]
	o := t.record("Embedding", embeddingBackward, [5]*Tensor{table}, len(ids), d)
	o.ids = t.copyInts(ids)
	t.parallel(o, len(ids), rowGrain(d), gatherRowsForward)
	return o.out
}

// GatherRows returns the rows x[rows[i]] of x [N,D] as a [len(rows),D] tensor, e.g. the
// first token of every sequence for a classification head. Backward: dx[rows[i]] += dy[i].
func (t *Tape) GatherRows(x *Tensor, rows []int32) *Tensor {
	const name = "nn.GatherRows"
	need2D(name, "x", x)
	for i, r := range rows {
		needRowIndex(name, "row", r, i, x.Shape[0], x.Shape)
	}
	d := x.Shape[1]
	o := t.record("GatherRows", embeddingBackward, [5]*Tensor{x}, len(rows), d)
	o.ids = t.copyInts(rows)
	t.parallel(o, len(rows), rowGrain(d), gatherRowsForward)
	return o.out
}

// gatherRowsForward copies source rows o.ids[lo:hi] into output rows [lo,hi).
func gatherRowsForward(o *op, _, lo, hi int) {
	src, d := o.in[0].Data, o.in[0].Shape[1]
	for i := lo; i < hi; i++ {
		r := int(o.ids[i])
		copy(o.out.Data[i*d:(i+1)*d], src[r*d:(r+1)*d])
	}
}

func embeddingBackward(t *Tape, o *op) {
	t.parallel(o, o.in[0].Shape[1], rowGrain(len(o.ids)), scatterRowsCols)
}

// scatterRowsCols adds columns [lo,hi) of output-gradient row i to source-gradient row
// o.ids[i], for every i in order.
func scatterRowsCols(o *op, _, lo, hi int) {
	dsrc, dy, d := o.in[0].Grad, o.out.Grad, o.in[0].Shape[1]
	for i, r := range o.ids {
		addTo(dsrc[int(r)*d+lo:int(r)*d+hi], dy[i*d+lo:i*d+hi])
	}
}
