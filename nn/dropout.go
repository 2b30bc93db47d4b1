package nn

import (
	"fmt"
	"math"
)

// Dropout is inverted dropout: in training mode each element is kept with probability 1-p
// and scaled by 1/(1-p), so that the expected output is x; otherwise (evaluation, or p = 0)
// it returns x itself. Whether element i is kept is a pure function of (seed, i), so the
// mask does not depend on the number of goroutines, and backward recomputes it instead of
// storing it. Callers pass a different seed for every call site and step.
// Backward: dx += dy·mask/(1-p).
func (t *Tape) Dropout(x *Tensor, p float32, seed uint64) *Tensor {
	needTensor("nn.Dropout", "x", x)
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("nn.Dropout: rate %v outside [0,1)", p))
	}
	if !t.train || p == 0 {
		return x
	}
	o := t.record("Dropout", dropoutBackward, [5]*Tensor{x}, x.Shape...)
	o.overwrites = 1 // a stale dx is written, not cleared and added into
	o.scalar = p
	o.seed = seed
	t.parallel(o, x.Len(), minWork, dropoutForward)
	return o.out
}

// dropThreshold is the 24-bit integer below which an element is dropped at rate p.
func dropThreshold(p float32) uint64 { return uint64(math.Round(float64(p) * (1 << 24))) }

// kept reports whether element i survives: the top 24 bits of a SplitMix64 hash of
// (seed, i), read as a uniform integer, are at least the threshold.
func kept(seed uint64, i int, threshold uint64) bool {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return z>>40 >= threshold
}

func dropoutForward(o *op, _, lo, hi int) {
	kern.dropout(o.out.Data[lo:hi], o.in[0].Data[lo:hi], o.seed, lo, dropThreshold(o.scalar), 1/(1-o.scalar))
}

func dropoutBackward(t *Tape, o *op) {
	o.takeStale(0)
	o.inPlace(0) // dx = 0 + dy·scale or 0 may overwrite dy
	t.parallel(o, o.out.Len(), minWork, dropoutBackwardRange)
}

func dropoutBackwardRange(o *op, _, lo, hi int) {
	kern.dropoutGrad(o.in[0].Grad[lo:hi], o.out.Grad[lo:hi], o.seed, lo, dropThreshold(o.scalar), 1/(1-o.scalar), o.setting(0))
}
