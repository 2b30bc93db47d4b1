package nn

import "fmt"

// Sequence ops. A batch of sequences is stored as [Batch*T, D] with the T rows of each
// sequence adjacent; these ops rearrange rows and their backward routes each output row's
// gradient back to the one input row it came from.

// seqLen returns x's rows per sequence, panicking unless x is 2-D with a multiple of batch rows.
func seqLen(op, arg string, x *Tensor, batch int) int {
	need2D(op, arg, x)
	if batch < 1 || x.Shape[0]%batch != 0 {
		panic(fmt.Sprintf("%s: %s has shape %v, not a whole number of rows for batch %d", op, arg, x.Shape, batch))
	}
	return x.Shape[0] / batch
}

// ConcatSeq joins a [B*Ta,D] and b [B*Tb,D] along the sequence: each output sequence is
// a's Ta rows followed by b's Tb rows (e.g. a prefix before the tokens).
func (t *Tape) ConcatSeq(a, b *Tensor, batch int) *Tensor {
	const name = "nn.ConcatSeq"
	ta, tb := seqLen(name, "a", a, batch), seqLen(name, "b", b, batch)
	if a.Shape[1] != b.Shape[1] {
		panic(fmt.Sprintf("%s: a has shape %v but b has shape %v; want equal widths", name, a.Shape, b.Shape))
	}
	d := a.Shape[1]
	o := t.record("ConcatSeq", concatSeqBackward, [5]*Tensor{a, b}, batch*(ta+tb), d)
	o.n = [3]int{batch, ta, tb}
	t.parallel(o, batch*(ta+tb), rowGrain(d), concatSeqForward)
	return o.out
}

// concatSource returns the input (0 for a, 1 for b) and the row of it that output row r
// comes from.
func (o *op) concatSource(r int) (input, row int) {
	ta, tb := o.n[1], o.n[2]
	seq, pos := r/(ta+tb), r%(ta+tb)
	if pos < ta {
		return 0, seq*ta + pos
	}
	return 1, seq*tb + pos - ta
}

func concatSeqForward(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		in, row := o.concatSource(r)
		copy(o.out.Data[r*d:(r+1)*d], o.in[in].Data[row*d:(row+1)*d])
	}
}

func concatSeqBackward(t *Tape, o *op) {
	grain := rowGrain(o.out.Shape[1])
	if o.in[0] == o.in[1] { // both halves feed the same rows: keep the sums in one goroutine
		grain = o.out.Shape[0]
	}
	t.parallel(o, o.out.Shape[0], grain, concatSeqBackwardRows)
}

func concatSeqBackwardRows(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		in, row := o.concatSource(r)
		if x := o.in[in]; needsGrad(x) {
			addTo(x.Grad[row*d:(row+1)*d], o.out.Grad[r*d:(r+1)*d])
		}
	}
}

// SliceSeq keeps rows start..end-1 of every sequence of x [B*T,D], giving [B*(end-start),D].
func (t *Tape) SliceSeq(x *Tensor, batch, start, end int) *Tensor {
	const name = "nn.SliceSeq"
	tx := seqLen(name, "x", x, batch)
	if start < 0 || end < start || end > tx {
		panic(fmt.Sprintf("%s: x has shape %v (batch %d, %d rows each); slice [%d,%d) out of range", name, x.Shape, batch, tx, start, end))
	}
	d := x.Shape[1]
	o := t.record("SliceSeq", sliceSeqBackward, [5]*Tensor{x}, batch*(end-start), d)
	o.n = [3]int{tx, start, end}
	t.parallel(o, batch*(end-start), rowGrain(d), sliceSeqForward)
	return o.out
}

// sliceSource is the row of x that output row r comes from.
func (o *op) sliceSource(r int) int {
	tx, start, end := o.n[0], o.n[1], o.n[2]
	return r/(end-start)*tx + start + r%(end-start)
}

func sliceSeqForward(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		row := o.sliceSource(r)
		copy(o.out.Data[r*d:(r+1)*d], o.in[0].Data[row*d:(row+1)*d])
	}
}

func sliceSeqBackward(t *Tape, o *op) {
	t.parallel(o, o.out.Shape[0], rowGrain(o.out.Shape[1]), sliceSeqBackwardRows)
}

func sliceSeqBackwardRows(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		row := o.sliceSource(r)
		addTo(o.in[0].Grad[row*d:(row+1)*d], o.out.Grad[r*d:(r+1)*d])
	}
}

// TileBatch repeats p [L,D] for every sequence of a batch, giving [B*L,D]; backward sums
// the B gradients of each row in sequence order.
func (t *Tape) TileBatch(p *Tensor, batch int) *Tensor {
	const name = "nn.TileBatch"
	need2D(name, "p", p)
	if batch < 1 {
		panic(fmt.Sprintf("%s: p has shape %v, batch %d must be positive", name, p.Shape, batch))
	}
	o := t.record("TileBatch", tileBatchBackward, [5]*Tensor{p}, batch*p.Shape[0], p.Shape[1])
	o.n[0] = batch
	for b := range batch {
		copy(o.out.Data[b*p.Len():(b+1)*p.Len()], p.Data)
	}
	return o.out
}

func tileBatchBackward(t *Tape, o *op) {
	t.parallel(o, o.in[0].Len(), rowGrain(o.n[0]), tileBatchBackwardRange)
}

// tileBatchBackwardRange sums elements [lo,hi) of the batch's gradients into p's.
func tileBatchBackwardRange(o *op, _, lo, hi int) {
	dp, dy, n := o.in[0].Grad, o.out.Grad, o.in[0].Len()
	for b := range o.n[0] {
		addTo(dp[lo:hi], dy[b*n+lo:b*n+hi])
	}
}

// SetRows returns a copy of x [N,D] whose row rows[i] is replaced by row i of src
// [len(rows),D] (prefix and infix slots). Rows must be distinct. Backward: the replaced
// rows of x get no gradient, src row i gets the gradient of output row rows[i].
func (t *Tape) SetRows(x *Tensor, rows []int32, src *Tensor) *Tensor {
	const name = "nn.SetRows"
	need2D(name, "x", x)
	need2D(name, "src", src)
	n, d := x.Shape[0], x.Shape[1]
	if src.Shape[0] != len(rows) || src.Shape[1] != d {
		panic(fmt.Sprintf("%s: x has shape %v but src has shape %v; want src [%d,%d] for %d rows", name, x.Shape, src.Shape, len(rows), d, len(rows)))
	}
	o := t.record("SetRows", setRowsBackward, [5]*Tensor{x, src}, n, d)
	source := t.ints.take(n) // source[r] is the src row that replaces row r, or -1
	for r := range source {
		source[r] = -1
	}
	for i, r := range rows {
		needRowIndex(name, "row", r, i, n, x.Shape)
		if source[r] >= 0 {
			panic(fmt.Sprintf("%s: row %d appears at positions %d and %d", name, r, source[r], i))
		}
		source[r] = int32(i)
	}
	o.ids = source
	t.parallel(o, n, rowGrain(d), setRowsForward)
	return o.out
}

func setRowsForward(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		from, row := o.in[0].Data, r
		if i := o.ids[r]; i >= 0 {
			from, row = o.in[1].Data, int(i)
		}
		copy(o.out.Data[r*d:(r+1)*d], from[row*d:(row+1)*d])
	}
}

func setRowsBackward(t *Tape, o *op) {
	grain := rowGrain(o.out.Shape[1])
	if o.in[0] == o.in[1] {
		grain = o.out.Shape[0]
	}
	t.parallel(o, o.out.Shape[0], grain, setRowsBackwardRows)
}

func setRowsBackwardRows(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		to, row := o.in[0], r
		if i := o.ids[r]; i >= 0 {
			to, row = o.in[1], int(i)
		}
		if needsGrad(to) {
			addTo(to.Grad[row*d:(row+1)*d], o.out.Grad[r*d:(r+1)*d])
		}
	}
}
