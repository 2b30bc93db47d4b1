package nn

import "fmt"

// Linear is the affine map y = x Wᵀ + b of x [N,in] with w [out,in] (the PyTorch and PEFT
// layout) and an optional bias b [out].
//
// Backward: dx += dy W, dW += dyᵀ x, db += Σ_rows dy. A frozen w or b costs nothing.
func (t *Tape) Linear(x, w, b *Tensor) *Tensor {
	const name = "nn.Linear"
	need2D(name, "x", x)
	need2D(name, "w", w)
	n, in, out := x.Shape[0], x.Shape[1], w.Shape[0]
	if w.Shape[1] != in {
		panic(fmt.Sprintf("%s: x has shape %v but w has shape %v; want w [out,%d]", name, x.Shape, w.Shape, in))
	}
	if b != nil {
		needVector(name, "b", b, out, "w", w.Shape)
	}
	o := t.record("Linear", linearBackward, [5]*Tensor{x, w, b}, n, out)
	o.overwrites = 1 // dx: beta 0 when stale
	t.matmul().Sgemm(false, true, n, out, in, 1, x.Data, in, w.Data, in, 0, o.out.Data, out)
	if b != nil {
		t.parallel(o, n, rowGrain(out), addBiasRows)
	}
	return o.out
}

// addBiasRows adds the bias o.in[2] to rows [lo,hi) of the output.
func addBiasRows(o *op, _, lo, hi int) {
	b := o.in[2].Data
	out := len(b)
	addRows(b, o.out.Data[lo*out:hi*out], out, hi-lo)
}

// LinearLowRank is Linear plus a scaled low-rank term, fused into one op so that the sum
// is one activation instead of four (the product, its scaling, the sum and their
// gradients):
//
//	y = x Wᵀ + b + s·u Bᵀ,  u [N,r], B [out,r]
//
// It is LoRA's h = W0 x + s·B A x with u = x Aᵀ. Backward: Linear's, plus
// du += s·dy B and dB += s·dyᵀ u; a frozen W, b or B costs nothing.
func (t *Tape) LinearLowRank(x, w, b, u, bw *Tensor, s float32) *Tensor {
	const name = "nn.LinearLowRank"
	need2D(name, "u", u)
	need2D(name, "B", bw)
	n, out, r := x.Rows(), w.Rows(), u.Cols()
	if u.Rows() != n || bw.Rows() != out || bw.Cols() != r {
		panic(fmt.Sprintf("%s: x %v, w %v, u %v, B %v; want u [%d,r] and B [%d,r]", name, x.Shape, w.Shape, u.Shape, bw.Shape, n, out))
	}
	y := t.Linear(x, w, b)
	o := &t.ops[len(t.ops)-1]
	o.name, o.in[3], o.in[4], o.scalar = "LinearLowRank", u, bw, s
	u.uses++
	bw.uses++
	if y.Grad == nil && t.grad && (needsGrad(u) || needsGrad(bw)) {
		t.acts.addGrad(y)
		o.backward = linearBackward
	}
	for _, p := range [2]*Tensor{u, bw} {
		if t.grad && needsGrad(p) {
			p.ensureGrad()
		}
	}
	t.matmul().Sgemm(false, true, n, out, r, s, u.Data, r, bw.Data, r, 1, y.Data, out)
	return y
}

// linearBackward is the backward of Linear and of LinearLowRank (in[3], in[4] = u, B).
func linearBackward(t *Tape, o *op) {
	x, w, b, dy := o.in[0], o.in[1], o.in[2], o.out.Grad
	n, in, out := x.Shape[0], x.Shape[1], w.Shape[0]
	if u, bw := o.in[3], o.in[4]; u != nil {
		r := u.Cols()
		if needsGrad(u) {
			t.matmul().Sgemm(false, false, n, r, out, o.scalar, dy, out, bw.Data, r, 1, u.Grad, r)
		}
		if needsGrad(bw) {
			t.matmul().Sgemm(true, false, out, r, n, o.scalar, dy, out, u.Data, r, 1, bw.Grad, r)
		}
	}
	if needsGrad(x) {
		o.takeStale(0) // the first contribution to a stale dx is written (beta 0), not added
		t.matmul().Sgemm(false, false, n, in, out, 1, dy, out, w.Data, in, o.beta(0), x.Grad, in)
	}
	if needsGrad(w) {
		t.matmul().Sgemm(true, false, out, in, n, 1, dy, out, x.Data, in, 1, w.Grad, in)
	}
	if needsGrad(b) {
		t.parallel(o, out, rowGrain(n), biasGradCols)
	}
}

// biasGradCols adds the column sums [lo,hi) of the output gradient to the bias gradient,
// visiting rows in order so that the sum does not depend on the partition.
func biasGradCols(o *op, _, lo, hi int) {
	db, dy := o.in[2].Grad, o.out.Grad
	out := len(db)
	addColSums(db[lo:hi], dy[lo:], out, len(dy)/out)
}
