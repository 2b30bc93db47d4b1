package nn

import "fmt"

// Add returns a + b for tensors of the same shape (a residual connection).
// Backward: da += dy, db += dy.
func (t *Tape) Add(a, b *Tensor) *Tensor {
	needSameShape("nn.Add", a, b)
	o := t.record("Add", addBackward, [5]*Tensor{a, b}, a.Shape...)
	o.overwrites = 0b11 // a stale da or db is written (copied from dy), not cleared and added
	t.parallel(o, a.Len(), minWork, addForward)
	return o.out
}

func addForward(o *op, _, lo, hi int) {
	add(o.out.Data[lo:hi], o.in[0].Data[lo:hi], o.in[1].Data[lo:hi])
}

func addBackward(t *Tape, o *op) {
	o.n[0] = 0 // bit k: in[k]'s gradient is dy's buffer itself (inPlace), nothing to write
	for k := range 2 {
		// dx = 0 + dy: a stale gradient is dy's copy, or dy's buffer itself when this Add
		// is in[k]'s only consumer.
		if o.takeStale(k) && o.inPlace(k) {
			o.n[0] |= 1 << k
		}
	}
	if o.n[0] == 0b11 {
		return
	}
	t.parallel(o, o.out.Len(), minWork, addBackwardRange)
}

func addBackwardRange(o *op, _, lo, hi int) {
	dy := o.out.Grad[lo:hi]
	for k, x := range o.in[:2] {
		switch {
		case !needsGrad(x) || o.n[0]&(1<<k) != 0:
		case o.setting(k):
			copy(x.Grad[lo:hi], dy)
		default:
			addTo(x.Grad[lo:hi], dy)
		}
	}
}

// Scale returns s*x. Backward: dx += s*dy.
func (t *Tape) Scale(x *Tensor, s float32) *Tensor {
	needTensor("nn.Scale", "x", x)
	o := t.record("Scale", scaleBackward, [5]*Tensor{x}, x.Shape...)
	o.scalar = s
	t.parallel(o, x.Len(), minWork, scaleForward)
	return o.out
}

func scaleForward(o *op, _, lo, hi int) {
	scaleTo(o.out.Data[lo:hi], o.scalar, o.in[0].Data[lo:hi])
}

func scaleBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, scaleBackwardRange) }

func scaleBackwardRange(o *op, _, lo, hi int) {
	axpy(o.in[0].Grad[lo:hi], o.scalar, o.out.Grad[lo:hi])
}

// ScaleRows returns x [N,D] with row r multiplied by scales[r], e.g. to apply an adapter
// to some sequences of a mixed batch only (scale 1 or 0 per row). The scales are
// constants: backward computes dx_r += scales[r]·dy_r and no gradient for them.
func (t *Tape) ScaleRows(x *Tensor, scales []float32) *Tensor {
	const name = "nn.ScaleRows"
	need2D(name, "x", x)
	if len(scales) != x.Shape[0] {
		panic(fmt.Sprintf("%s: x has shape %v but scales has shape [%d]; want [%d]", name, x.Shape, len(scales), x.Shape[0]))
	}
	o := t.record("ScaleRows", scaleRowsBackward, [5]*Tensor{x}, x.Shape...)
	o.saved = t.floats.take(len(scales))
	copy(o.saved, scales)
	t.parallel(o, x.Shape[0], rowGrain(x.Shape[1]), scaleRowsForward)
	return o.out
}

func scaleRowsForward(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		scaleTo(o.out.Data[r*d:(r+1)*d], o.saved[r], o.in[0].Data[r*d:(r+1)*d])
	}
}

func scaleRowsBackward(t *Tape, o *op) {
	t.parallel(o, o.out.Shape[0], rowGrain(o.out.Shape[1]), scaleRowsBackwardRows)
}

func scaleRowsBackwardRows(o *op, _, lo, hi int) {
	d := o.out.Shape[1]
	for r := lo; r < hi; r++ {
		axpy(o.in[0].Grad[r*d:(r+1)*d], o.saved[r], o.out.Grad[r*d:(r+1)*d])
	}
}
