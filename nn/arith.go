package nn

// Add returns a + b for tensors of the same shape (a residual connection).
// Backward: da += dy, db += dy.
func (t *Tape) Add(a, b *Tensor) *Tensor {
	needSameShape("nn.Add", a, b)
	o := t.record("Add", addBackward, [3]*Tensor{a, b}, a.Shape...)
	t.parallel(o, a.Len(), minWork, addForward)
	return o.out
}

func addForward(o *op, _, lo, hi int) {
	a, b, y := o.in[0].Data[lo:hi], o.in[1].Data[lo:hi], o.out.Data[lo:hi]
	for i := range y {
		y[i] = a[i] + b[i]
	}
}

func addBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, addBackwardRange) }

func addBackwardRange(o *op, _, lo, hi int) {
	dy := o.out.Grad[lo:hi]
	for _, x := range o.in[:2] {
		if needsGrad(x) {
			addTo(x.Grad[lo:hi], dy)
		}
	}
}

// Scale returns s*x. Backward: dx += s*dy.
func (t *Tape) Scale(x *Tensor, s float32) *Tensor {
	needTensor("nn.Scale", "x", x)
	o := t.record("Scale", scaleBackward, [3]*Tensor{x}, x.Shape...)
	o.scalar = s
	t.parallel(o, x.Len(), minWork, scaleForward)
	return o.out
}

func scaleForward(o *op, _, lo, hi int) {
	x, y := o.in[0].Data[lo:hi], o.out.Data[lo:hi]
	for i := range y {
		y[i] = o.scalar * x[i]
	}
}

func scaleBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, scaleBackwardRange) }

func scaleBackwardRange(o *op, _, lo, hi int) {
	axpy(o.in[0].Grad[lo:hi], o.scalar, o.out.Grad[lo:hi])
}
