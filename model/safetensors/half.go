package safetensors

import "math"

// The conversions between float32 and the two 16-bit float formats. Narrowing rounds to the
// nearest representable value, ties to even, as hardware and PyTorch do; NaN stays NaN and
// values beyond the format's range become infinities.

// halfToFloat32 widens an IEEE 754 binary16 value (1 sign, 5 exponent, 10 mantissa bits).
func halfToFloat32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0x1f: // infinity or NaN: keep the payload
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0: // zero or subnormal: mant * 2^-24, exact in float32
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	// Normal: rebias the exponent from 15 to 127.
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// float32ToHalf narrows f to binary16, rounding to nearest even.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 // quiet NaN
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // the binary16 biased exponent
	if e >= 0x1f {
		return sign | 0x7c00 // too large: infinity
	}
	if e <= 0 {
		// Subnormal result: value = m * 2^-24 with m = (1.mant) * 2^(e-14+23) / 2^23.
		if e < -10 {
			return sign // below half the smallest subnormal: signed zero
		}
		full := mant | 0x800000
		shift := uint32(14 - e)
		return sign | uint16(roundShift(full, shift))
	}
	// Normal result. A carry out of the mantissa correctly bumps the exponent, and a carry
	// out of the largest exponent correctly gives infinity.
	return sign | uint16(uint32(e)<<10+roundShift(mant, 13))
}

// roundShift returns v >> shift rounded to nearest, ties to even.
func roundShift(v, shift uint32) uint32 {
	q := v >> shift
	rem := v & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}

// bfloat16ToFloat32 widens a bfloat16 value, which is the top half of a float32.
func bfloat16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// float32ToBFloat16 narrows f to bfloat16, rounding to nearest even.
func float32ToBFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x0040 // NaN: keep sign, force quiet
	}
	return uint16(roundShift(b, 16))
}
