package nn

import (
	"fmt"
	"math"
)

// WeightNorm returns the rows of v [R,C] rescaled to the lengths g [R]: y_r = g_r·v_r/‖v_r‖,
// the weight normalisation of Salimans and Kingma (2016), row by row. DoRA (Liu et al., 2024)
// writes an adapted weight this way, as a magnitude g times the direction of W + ΔW. A zero
// row stays zero and passes no gradient.
//
// Backward, with v̂_r = v_r/‖v_r‖ and s_r = dy_r·v̂_r: dg_r += s_r and
// dv_r += (g_r/‖v_r‖)(dy_r − s_r v̂_r). Every row is computed on its own, in order, so the
// result does not depend on the thread count.
func (t *Tape) WeightNorm(v, g *Tensor) *Tensor {
	const name = "nn.Tape.WeightNorm"
	need2D(name, "v", v)
	needTensor(name, "g", g)
	if g.Len() != v.Shape[0] || len(g.Shape) != 1 {
		panic(fmt.Sprintf("%s: v has shape %v but g has shape %v; want [%d]", name, v.Shape, g.Shape, v.Shape[0]))
	}
	o := t.record("WeightNorm", weightNormBackward, [5]*Tensor{v, g}, v.Shape...)
	o.saved = t.floats.take(v.Shape[0])
	t.parallel(o, v.Shape[0], rowGrain(v.Shape[1]), weightNormForward)
	return o.out
}

// weightNormForward normalises rows [lo,hi), keeping each row's norm in o.saved.
func weightNormForward(o *op, _, lo, hi int) {
	c, g := o.out.Shape[1], o.in[1].Data
	for r := lo; r < hi; r++ {
		v, y := o.in[0].Data[r*c:(r+1)*c], o.out.Data[r*c:(r+1)*c]
		var ss float64
		for _, x := range v {
			ss += float64(x) * float64(x)
		}
		n := float32(math.Sqrt(ss))
		o.saved[r] = n
		f := float32(0)
		if n > 0 {
			f = g[r] / n
		}
		for j, x := range v {
			y[j] = f * x
		}
	}
}

func weightNormBackward(t *Tape, o *op) {
	t.parallel(o, o.out.Shape[0], rowGrain(o.out.Shape[1]), weightNormBackwardRows)
}

func weightNormBackwardRows(o *op, _, lo, hi int) {
	c, v, g := o.out.Shape[1], o.in[0], o.in[1]
	for r := lo; r < hi; r++ {
		n := o.saved[r]
		if n == 0 {
			continue
		}
		vr, dy := v.Data[r*c:(r+1)*c], o.out.Grad[r*c:(r+1)*c]
		var s float32
		for j, x := range vr {
			s += dy[j] * x / n
		}
		if needsGrad(g) {
			g.Grad[r] += s
		}
		if needsGrad(v) {
			f, dv := g.Data[r]/n, v.Grad[r*c:(r+1)*c]
			for j, x := range vr {
				dv[j] += f * (dy[j] - s*x/n)
			}
		}
	}
}
