package nn

import "fmt"

// MulVec returns x [N,D] with every row multiplied elementwise by v [D]: y_rj = x_rj·v_j. It
// is how a learned vector rescales a layer's input or output ((IA)³, DoRA's magnitude).
// Backward: dx_rj += dy_rj·v_j and dv_j += Σ_r dy_rj·x_rj, summed over rows in order for
// every column, so the result does not depend on the thread count.
func (t *Tape) MulVec(x, v *Tensor) *Tensor {
	needRowVector("nn.MulVec", x, v)
	o := t.record("MulVec", mulVecBackward, [5]*Tensor{x, v}, x.Shape...)
	t.parallel(o, x.Shape[0], rowGrain(x.Shape[1]), mulVecForward)
	return o.out
}

func mulVecForward(o *op, _, lo, hi int) {
	d, v := o.out.Shape[1], o.in[1].Data
	for r := lo; r < hi; r++ {
		x, y := o.in[0].Data[r*d:(r+1)*d], o.out.Data[r*d:(r+1)*d]
		for j, xj := range x {
			y[j] = xj * v[j]
		}
	}
}

func mulVecBackward(t *Tape, o *op) {
	n, d := o.out.Shape[0], o.out.Shape[1]
	if needsGrad(o.in[0]) {
		t.parallel(o, n, rowGrain(d), mulVecBackwardX)
	}
	if needsGrad(o.in[1]) {
		t.parallel(o, d, max(1, minWork/max(n, 1)), mulVecBackwardV)
	}
}

func mulVecBackwardX(o *op, _, lo, hi int) {
	d, v := o.out.Shape[1], o.in[1].Data
	for r := lo; r < hi; r++ {
		dx, dy := o.in[0].Grad[r*d:(r+1)*d], o.out.Grad[r*d:(r+1)*d]
		for j := range dx {
			dx[j] += dy[j] * v[j]
		}
	}
}

func mulVecBackwardV(o *op, _, lo, hi int) {
	n, d := o.out.Shape[0], o.out.Shape[1]
	x, dy, dv := o.in[0].Data, o.out.Grad, o.in[1].Grad
	for j := lo; j < hi; j++ {
		var s float32
		for r := range n {
			s += dy[r*d+j] * x[r*d+j]
		}
		dv[j] += s
	}
}

// AddVec returns x [N,D] with v [D] added to every row (a bias added after a rescaling).
// Backward: dx += dy and dv_j += Σ_r dy_rj, summed over rows in order.
func (t *Tape) AddVec(x, v *Tensor) *Tensor {
	needRowVector("nn.AddVec", x, v)
	o := t.record("AddVec", addVecBackward, [5]*Tensor{x, v}, x.Shape...)
	t.parallel(o, x.Shape[0], rowGrain(x.Shape[1]), addVecForward)
	return o.out
}

func addVecForward(o *op, _, lo, hi int) {
	d, v := o.out.Shape[1], o.in[1].Data
	for r := lo; r < hi; r++ {
		x, y := o.in[0].Data[r*d:(r+1)*d], o.out.Data[r*d:(r+1)*d]
		for j, xj := range x {
			y[j] = xj + v[j]
		}
	}
}

func addVecBackward(t *Tape, o *op) {
	n, d := o.out.Shape[0], o.out.Shape[1]
	if needsGrad(o.in[0]) {
		t.parallel(o, n*d, minWork, addVecBackwardX)
	}
	if needsGrad(o.in[1]) {
		t.parallel(o, d, max(1, minWork/max(n, 1)), addVecBackwardV)
	}
}

func addVecBackwardX(o *op, _, lo, hi int) { addTo(o.in[0].Grad[lo:hi], o.out.Grad[lo:hi]) }

func addVecBackwardV(o *op, _, lo, hi int) {
	n, d := o.out.Shape[0], o.out.Shape[1]
	dy, dv := o.out.Grad, o.in[1].Grad
	for j := lo; j < hi; j++ {
		var s float32
		for r := range n {
			s += dy[r*d+j]
		}
		dv[j] += s
	}
}

// needRowVector panics unless x is [N,D] and v holds D elements (shape [D] or [1,D]).
func needRowVector(name string, x, v *Tensor) {
	need2D(name, "x", x)
	needTensor(name, "v", v)
	if v.Len() != x.Shape[1] || len(v.Shape) > 2 || len(v.Shape) == 2 && v.Shape[0] != 1 {
		panic(fmt.Sprintf("%s: x has shape %v but v has shape %v; want [%d]", name, x.Shape, v.Shape, x.Shape[1]))
	}
}
