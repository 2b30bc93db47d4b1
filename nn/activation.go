package nn

import "math"

// sqrt2OverPi and geluCubic are the constants of the tanh approximation of GELU used by
// GPT-2 and BERT: gelu(x) = x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³))).
const (
	sqrt2OverPi = 0.7978845608028654
	geluCubic   = 0.044715
)

// GELU applies the tanh approximation of the Gaussian error linear unit element-wise.
// Backward: with u = √(2/π)(x + 0.044715x³) and τ = tanh u, which forward keeps,
// dx += dy · (½(1+τ) + ½x(1-τ²)·√(2/π)(1 + 3·0.044715x²)).
func (t *Tape) GELU(x *Tensor) *Tensor {
	needTensor("nn.GELU", "x", x)
	o := t.record("GELU", geluBackward, [3]*Tensor{x}, x.Shape...)
	if o.backward != nil {
		o.saved = t.floats.take(x.Len())
	}
	t.parallel(o, x.Len(), minWork/16, geluForward)
	return o.out
}

func geluForward(o *op, _, lo, hi int) {
	x, y := o.in[0].Data[lo:hi], o.out.Data[lo:hi]
	var tanhs []float32
	if o.saved != nil {
		tanhs = o.saved[lo:hi]
	}
	for i, v := range x {
		xv := float64(v)
		tau := math.Tanh(sqrt2OverPi * (xv + geluCubic*xv*xv*xv))
		y[i] = float32(0.5 * xv * (1 + tau))
		if tanhs != nil {
			tanhs[i] = float32(tau)
		}
	}
}

func geluBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, geluBackwardRange) }

func geluBackwardRange(o *op, _, lo, hi int) {
	x, tanhs, dx, dy := o.in[0].Data[lo:hi], o.saved[lo:hi], o.in[0].Grad[lo:hi], o.out.Grad[lo:hi]
	for i, v := range x {
		xv, tau := float64(v), float64(tanhs[i])
		d := 0.5*(1+tau) + 0.5*xv*(1-tau*tau)*sqrt2OverPi*(1+3*geluCubic*xv*xv)
		dx[i] += dy[i] * float32(d)
	}
}

// Tanh applies tanh element-wise. Backward: dx += dy·(1-y²).
func (t *Tape) Tanh(x *Tensor) *Tensor {
	needTensor("nn.Tanh", "x", x)
	o := t.record("Tanh", tanhBackward, [3]*Tensor{x}, x.Shape...)
	t.parallel(o, x.Len(), minWork/16, tanhForward)
	return o.out
}

func tanhForward(o *op, _, lo, hi int) {
	x, y := o.in[0].Data[lo:hi], o.out.Data[lo:hi]
	for i, v := range x {
		y[i] = float32(math.Tanh(float64(v)))
	}
}

func tanhBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, tanhBackwardRange) }

func tanhBackwardRange(o *op, _, lo, hi int) {
	y, dx, dy := o.out.Data[lo:hi], o.in[0].Grad[lo:hi], o.out.Grad[lo:hi]
	for i, v := range y {
		dx[i] += dy[i] * (1 - v*v)
	}
}

// ReLU applies max(0, x) element-wise. Backward: dx += dy where y > 0.
func (t *Tape) ReLU(x *Tensor) *Tensor {
	needTensor("nn.ReLU", "x", x)
	o := t.record("ReLU", reluBackward, [3]*Tensor{x}, x.Shape...)
	t.parallel(o, x.Len(), minWork, reluForward)
	return o.out
}

func reluForward(o *op, _, lo, hi int) {
	x, y := o.in[0].Data[lo:hi], o.out.Data[lo:hi]
	for i, v := range x {
		y[i] = max(v, 0)
	}
}

func reluBackward(t *Tape, o *op) { t.parallel(o, o.out.Len(), minWork, reluBackwardRange) }

func reluBackwardRange(o *op, _, lo, hi int) {
	y, dx, dy := o.out.Data[lo:hi], o.in[0].Grad[lo:hi], o.out.Grad[lo:hi]
	for i, v := range y {
		if v > 0 {
			dx[i] += dy[i]
		}
	}
}
