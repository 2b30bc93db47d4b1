package nn

import "math"

// A float32 exponential for the softmaxes (attention, cross-entropy) and GELU.
//
// exp(x) = 2^k · e^r with k = round(x·log₂e) and r = x - k·ln2 in [-ln2/2, ln2/2] (ln 2 is
// split in two, Cody and Waite, so that k·ln2Hi is exact). e^r is its Taylor series to r⁷,
// whose truncation error, r⁸/8! ≤ 5.1e-9, is a tenth of float32's half-ulp; evaluated by
// Horner's rule it is p = ((((((r/7! + 1/6!)r + 1/5!)r + 1/4!)r + 1/3!)r + 1/2)r + 1)r + 1.
// 2^k is applied as 2^(k>>1)·2^(k-k>>1), so that k = 128 (x just below ln MaxFloat32) does
// not overflow the exponent field.
//
// Range: x > expMax gives +Inf; x < expMin, where e^x is below the smallest normal float32
// (1.18e-38), gives 0 (no denormals); NaN gives NaN. In between, the error against
// math.Exp is below expMaxUlp ulp and expMaxRelErr relative: checked once over every
// float32 of the range (the AVX2 routine is within 0.94 ulp, 7.9e-8 relative, the
// portable code within 1.22 ulp, 1.03e-7), and on every test run over four million of
// them spread over all binades (TestExpAccuracy).
const (
	expMax = 88.72283  // largest float32 whose exponential is finite
	expMin = -87.33654 // smallest float32 whose exponential is a normal float32

	log2e      = 1.44269504088896341
	roundMagic = 0x1.8p23
	ln2Hi      = 0.693145751953125 // ln 2 to 15 significant bits: k·ln2Hi is exact for |k| ≤ 511
	ln2Lo      = 1.4286068e-06     // ln 2 - ln2Hi

	// expMaxRelErr and expMaxUlp bound the error of expf and expSub for
	// expMin ≤ x ≤ expMax.
	expMaxRelErr = 1.1e-7
	expMaxUlp    = 1.25
)

// expf is the portable float32 exponential described above.
func expf(x float32) float32 {
	switch {
	case x > expMax:
		return float32(math.Inf(1))
	case x < expMin:
		return 0
	case x != x:
		return x
	}
	// Adding and removing 1.5·2²³ rounds x·log2e (|x·log2e| < 2²²) to the nearest integer,
	// ties to even, as the vector code's VROUNDPS does.
	k := x*log2e + roundMagic
	k -= roundMagic
	r := x - k*ln2Hi
	r -= k * ln2Lo
	p := float32(1.0 / 5040)
	p = p*r + 1.0/720
	p = p*r + 1.0/120
	p = p*r + 1.0/24
	p = p*r + 1.0/6
	p = p*r + 1.0/2
	p = p*r + 1
	p = p*r + 1
	ki := int32(k)
	return p * pow2(ki>>1) * pow2(ki-ki>>1)
}

// pow2 returns 2^k for -126 ≤ k ≤ 127 by writing the exponent field.
func pow2(k int32) float32 { return math.Float32frombits(uint32(k+127) << 23) }

// expSubGo is the portable expSub: it computes every element with expf and adds them in
// eight lanes by index mod 8, reduced in the same order as the AVX2 routine.
func expSubGo(dst, src []float32, shift float32) float32 {
	src = src[:len(dst)]
	var lanes [8]float32
	for i, x := range src {
		e := expf(x - shift)
		dst[i] = e
		lanes[i%8] += e
	}
	return sumLanes(&lanes)
}

// sumLanes adds eight partial sums as the AVX2 code does: lane i with lane i+4, then the
// first two of those with the last two, then the remaining pair.
func sumLanes(l *[8]float32) float32 {
	a0, a1, a2, a3 := l[0]+l[4], l[1]+l[5], l[2]+l[6], l[3]+l[7]
	b0, b1 := a0+a2, a1+a3
	return b0 + b1
}
