package nn

import (
	"math"
	"testing"
)

// expImpl is one implementation of expSub under test.
type expImpl struct {
	name string
	f    func(dst, src []float32, shift float32) float32
}

// geluImpl is one implementation of the GELU kernels under test.
type geluImpl struct {
	name     string
	forward  func(y, gates, x []float32)
	backward func(dx, dy, deriv []float32, set bool) // deriv from forward's gates
}

// relErr is |got-want|/want, with exact agreement (including both infinite or both zero)
// giving 0.
func relErr(got float32, want float64) float64 {
	if float64(got) == want {
		return 0
	}
	return math.Abs(float64(got)-want) / want
}

// expSamples returns about n float32 values spread evenly by bit pattern over
// [expMin, expMax], so that every binade is visited, down to the denormal inputs around 0.
func expSamples(n int) []float32 {
	var xs []float32
	for _, r := range []struct{ lo, hi uint32 }{
		{0, math.Float32bits(expMax)},       // 0 up to expMax
		{1 << 31, math.Float32bits(expMin)}, // -0 down to expMin
	} {
		stride := max(1, (r.hi-r.lo)/uint32(n/2))
		for b := r.lo; b < r.hi; b += stride {
			xs = append(xs, math.Float32frombits(b))
		}
		xs = append(xs, math.Float32frombits(r.hi))
	}
	return xs
}

// ulpErr is |got-want| in units of the float32 spacing at want.
func ulpErr(got float32, want float64) float64 {
	w := float32(want)
	ulp := float64(math.Nextafter32(w, float32(math.Inf(1))) - w)
	return math.Abs(float64(got)-want) / ulp
}

// TestExpAccuracy compares every implementation with math.Exp over the whole range where
// the result is a normal float32, and at the edges of that range.
func TestExpAccuracy(t *testing.T) {
	n := 4 << 20
	if testing.Short() {
		n = 1 << 18
	}
	xs := expSamples(n)
	got := make([]float32, len(xs))
	for _, impl := range expImplementations() {
		t.Run(impl.name, func(t *testing.T) {
			impl.f(got, xs, 0)
			worst, worstX, worstUlp := 0.0, float32(0), 0.0
			for i, x := range xs {
				want := math.Exp(float64(x))
				if e := relErr(got[i], want); e > worst {
					worst, worstX = e, x
				}
				worstUlp = max(worstUlp, ulpErr(got[i], want))
			}
			t.Logf("%d inputs in [%v, %v]: largest relative error %.3g at x = %v; largest error %.2f ulp",
				len(xs), float32(expMin), float32(expMax), worst, worstX, worstUlp)
			if worst > expMaxRelErr || worstUlp > expMaxUlp {
				t.Errorf("error exceeds the stated bounds %.3g relative, %.2f ulp", expMaxRelErr, expMaxUlp)
			}
		})
	}
}

// TestExpSpecialValues checks overflow, underflow to zero, NaN and the exact points.
func TestExpSpecialValues(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	cases := []struct {
		name string
		x    float32
		want func(got float32) bool
	}{
		{"zero", 0, func(g float32) bool { return g == 1 }},
		{"negative zero", float32(math.Copysign(0, -1)), func(g float32) bool { return g == 1 }},
		{"one", 1, func(g float32) bool { return relErr(g, math.E) <= expMaxRelErr }},
		{"largest finite", expMax, func(g float32) bool {
			return !math.IsInf(float64(g), 0) && relErr(g, math.Exp(float64(float32(expMax)))) <= expMaxRelErr
		}},
		{"overflow", math.Nextafter32(expMax, 100), func(g float32) bool { return g == inf }},
		{"huge", 1e30, func(g float32) bool { return g == inf }},
		{"+Inf", inf, func(g float32) bool { return g == inf }},
		{"smallest normal result", expMin, func(g float32) bool {
			return g >= 0x1p-126 && relErr(g, math.Exp(float64(float32(expMin)))) <= expMaxRelErr
		}},
		{"below normal range", math.Nextafter32(expMin, -100), func(g float32) bool { return g == 0 }},
		{"very negative", -1e4, func(g float32) bool { return g == 0 && !math.Signbit(float64(g)) }},
		{"-Inf", -inf, func(g float32) bool { return g == 0 }},
		{"NaN", nan, func(g float32) bool { return g != g }},
	}
	for _, impl := range expImplementations() {
		for _, c := range cases {
			// Each value sits among ordinary ones, in a full block of eight and in the tail.
			for _, pos := range []int{3, 9} {
				src := []float32{0.5, -2, 1, 0, 3, -1, 2, 0.25, 7, 0}
				src[pos] = c.x
				dst := make([]float32, len(src))
				impl.f(dst, src, 0)
				if !c.want(dst[pos]) {
					t.Errorf("%s: exp(%v) at index %d = %v", impl.name, c.x, pos, dst[pos])
				}
			}
		}
	}
}

// TestExpSubShiftAndSum checks the shift, the returned sum (eight lanes by index mod 8,
// reduced in a fixed order), in-place use, and that the portable and vector code agree
// to within the error bound.
func TestExpSubShiftAndSum(t *testing.T) {
	rng := newRand(11)
	for _, impl := range expImplementations() {
		for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 100} {
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64() * 10)
			}
			const shift = 4.5
			dst := make([]float32, n)
			sum := impl.f(dst, src, shift)
			var lanes [8]float32
			for i, x := range src {
				want := math.Exp(float64(x - shift))
				if e := relErr(dst[i], want); e > expMaxRelErr {
					t.Errorf("%s n=%d: dst[%d] = %v, want exp(%v) = %v", impl.name, n, i, dst[i], x-shift, want)
				}
				lanes[i%8] += dst[i]
			}
			if want := sumLanes(&lanes); sum != want {
				t.Errorf("%s n=%d: sum %v, want the lane sum %v", impl.name, n, sum, want)
			}
			inPlace := append([]float32(nil), src...)
			if s := impl.f(inPlace, inPlace, shift); s != sum || !equalBits(inPlace, dst) {
				t.Errorf("%s n=%d: in place gives sum %v and %v, want %v and %v", impl.name, n, s, inPlace, sum, dst)
			}
		}
	}
}

// TestExpSubPositionIndependent checks that an element's exponential does not depend on
// where the slice it is in starts or ends, so that kernels get bit-identical results
// however the work is split between goroutines.
func TestExpSubPositionIndependent(t *testing.T) {
	rng := newRand(12)
	src := make([]float32, 45)
	for i := range src {
		src[i] = float32(rng.NormFloat64() * 30)
	}
	for _, impl := range expImplementations() {
		whole := make([]float32, len(src))
		impl.f(whole, src, 0)
		for lo := range 10 {
			for hi := lo; hi <= len(src); hi += 3 {
				part := make([]float32, hi-lo)
				impl.f(part, src[lo:hi], 0)
				if !equalBits(part, whole[lo:hi]) {
					t.Fatalf("%s: exp of src[%d:%d] differs from the same elements of the whole slice", impl.name, lo, hi)
				}
			}
		}
	}
}

// TestExpSubShortSource checks that a source shorter than the destination is refused.
func TestExpSubShortSource(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("expSub with len(src) < len(dst) did not panic")
		}
	}()
	expSub(make([]float32, 4), make([]float32, 3), 0)
}

// equalBits reports whether a and b hold the same bit patterns.
func equalBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func BenchmarkExpSub(b *testing.B) {
	src := make([]float32, benchVocab)
	rng := newRand(3)
	for i := range src {
		src[i] = float32(rng.NormFloat64() * 3)
	}
	dst := make([]float32, len(src))
	for _, impl := range expImplementations() {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(src)))
			for b.Loop() {
				impl.f(dst, src, 1)
			}
		})
	}
	b.Run("math.Exp", func(b *testing.B) {
		b.SetBytes(int64(4 * len(src)))
		for b.Loop() {
			for i, x := range src {
				dst[i] = float32(math.Exp(float64(x - 1)))
			}
		}
	})
}
