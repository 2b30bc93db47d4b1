package nn

import "math"

// sqrt2OverPi and geluCubic are the constants of the tanh approximation of GELU used by
// GPT-2 and BERT: gelu(x) = x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³))).
const (
	sqrt2OverPi = 0.7978845608028654
	geluCubic   = 0.044715
)

// GELU applies the tanh approximation of the Gaussian error linear unit element-wise:
//
//	gelu(x) = x/2 · (1 + tanh u),  u = √(2/π)(x + 0.044715x³).
//
// Since (1 + tanh u)/2 = σ(2u) = 1/(1 + e^{-2u}), forward computes y = x·σ(2u) with the
// vector exp, which stays accurate where tanh u is close to -1 and overflows to the
// right limits (e^{-2u} = +Inf gives y = -0, e^{-2u} = 0 gives y = x). With s = σ(2u),
// 1 + tanh u = 2s and 1 - tanh² u = 4s(1-s), so
//
//	dx += dy · (s + 2x·s(1-s)·√(2/π)(1 + 3·0.044715x²)).
//
// Forward, which has s at hand, computes the derivative d (the factor of dy) and keeps it
// in the buffer it used to keep s in: backward reads dy and d, not x and s, and only
// multiplies (the same operations on the same values as computing d there).
func (t *Tape) GELU(x *Tensor) *Tensor {
	needTensor("nn.GELU", "x", x)
	o := t.record("GELU", geluBackward, [5]*Tensor{x}, x.Shape...)
	o.overwrites = 1 // a stale dx is written, not cleared and added into
	if o.backward != nil {
		o.saved = t.floats.take(x.Len())
	}
	t.parallel(o, x.Len(), minWork/4, geluForward) // an element costs a few operations' time
	return o.out
}

// The GELU kernels' constants: forward computes -2u = x(geluK1 + geluK2·x²) and
// d = s + x·s(1-s)(geluB1 + geluB2·x²), with x² capped at geluSquareCap so that it cannot
// overflow: where the cap applies (|x| > 1000), s(1-s) is exactly 0 and so is the term
// it multiplies.
const (
	geluK1        = -2 * sqrt2OverPi
	geluK2        = -2 * sqrt2OverPi * geluCubic
	geluB1        = 2 * sqrt2OverPi
	geluB2        = 6 * sqrt2OverPi * geluCubic
	geluSquareCap = 1e6
)

func geluForward(o *op, _, lo, hi int) {
	var gates []float32
	if o.saved != nil {
		gates = o.saved[lo:hi]
	}
	geluForwardSlice(o.out.Data[lo:hi], gates, o.in[0].Data[lo:hi])
}

// geluForwardGo is the portable geluForwardSlice.
func geluForwardGo(y, gates, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		s := 1 / (1 + expf(v*(geluK1+geluK2*v*v))) // σ(2u)
		y[i] = v * s
		if gates != nil {
			gates[i] = s + v*s*(1-s)*(geluB1+geluB2*min(v*v, geluSquareCap)) // gelu'(x)
		}
	}
}

func geluBackward(t *Tape, o *op) {
	o.takeStale(0)
	o.inPlace(0) // dx = 0 + dy·d may overwrite dy
	t.parallel(o, o.out.Len(), minWork, geluBackwardRange)
}

func geluBackwardRange(o *op, _, lo, hi int) {
	geluBackwardSlice(o.in[0].Grad[lo:hi], o.out.Grad[lo:hi], o.saved[lo:hi], o.setting(0))
}

// geluBackwardGo is the portable geluBackwardSlice.
func geluBackwardGo(dx, dy, deriv []float32, set bool) {
	dy, deriv = dy[:len(dx)], deriv[:len(dx)]
	if set { // dx may be dy itself: no clearing first
		var zero float32
		for i, d := range deriv {
			dx[i] = zero + dy[i]*d
		}
		return
	}
	for i, d := range deriv {
		dx[i] += dy[i] * d
	}
}

// Tanh applies tanh element-wise. Backward: dx += dy·(1-y²).
func (t *Tape) Tanh(x *Tensor) *Tensor {
	needTensor("nn.Tanh", "x", x)
	o := t.record("Tanh", tanhBackward, [5]*Tensor{x}, x.Shape...)
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
	o := t.record("ReLU", reluBackward, [5]*Tensor{x}, x.Shape...)
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
