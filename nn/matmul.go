package nn

import (
	"fmt"

	"loralab/nn/gemm"
)

// MatMulAdd computes c += alpha·op(a)·op(b) for 2-D tensors, where op transposes when asked,
// without recording anything on a tape (e.g. merging LoRA: W += (α/r)·B·A, or unmerging
// with -α/r).
func MatMulAdd(c *Tensor, alpha float32, a, b *Tensor, transA, transB bool) {
	const name = "nn.MatMulAdd"
	need2D(name, "a", a)
	need2D(name, "b", b)
	need2D(name, "c", c)
	m, k := a.Shape[0], a.Shape[1]
	if transA {
		m, k = k, m
	}
	kb, n := b.Shape[0], b.Shape[1]
	if transB {
		kb, n = n, kb
	}
	if k != kb || c.Shape[0] != m || c.Shape[1] != n {
		panic(fmt.Sprintf("%s: a has shape %v (transposed %v) but b has shape %v (transposed %v) and c has shape %v",
			name, a.Shape, transA, b.Shape, transB, c.Shape))
	}
	gemm.Sgemm(transA, transB, m, n, k, alpha, a.Data, a.Shape[1], b.Data, b.Shape[1], 1, c.Data, n, 1)
}

// MatMul returns op(a)·op(b) as a new tensor, without recording anything on a tape.
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	need2D("nn.MatMul", "a", a)
	need2D("nn.MatMul", "b", b)
	m, n := a.Shape[0], b.Shape[1]
	if transA {
		m = a.Shape[1]
	}
	if transB {
		n = b.Shape[0]
	}
	c := New(m, n)
	MatMulAdd(c, 1, a, b, transA, transB)
	return c
}

// MatMul returns a·b for a [m,k] and b [k,n], recorded on the tape (DoRA forms its dense
// update B·A this way, to take the norms of W + s·B·A). Backward: da += dy bᵀ, db += aᵀ dy.
func (t *Tape) MatMul(a, b *Tensor) *Tensor {
	const name = "nn.Tape.MatMul"
	need2D(name, "a", a)
	need2D(name, "b", b)
	m, k, n := a.Shape[0], a.Shape[1], b.Shape[1]
	if b.Shape[0] != k {
		panic(fmt.Sprintf("%s: a has shape %v but b has shape %v; want b [%d,n]", name, a.Shape, b.Shape, k))
	}
	o := t.record("MatMul", matMulBackward, [5]*Tensor{a, b}, m, n)
	t.matmul().Sgemm(false, false, m, n, k, 1, a.Data, k, b.Data, n, 0, o.out.Data, n)
	return o.out
}

func matMulBackward(t *Tape, o *op) {
	a, b, dy := o.in[0], o.in[1], o.out.Grad
	m, k, n := a.Shape[0], a.Shape[1], b.Shape[1]
	if needsGrad(a) {
		t.matmul().Sgemm(false, true, m, k, n, 1, dy, n, b.Data, n, 1, a.Grad, k)
	}
	if needsGrad(b) {
		t.matmul().Sgemm(true, false, k, n, m, 1, a.Data, k, dy, n, 1, b.Grad, n)
	}
}
