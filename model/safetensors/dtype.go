package safetensors

import "math"

// DType is the element type of a stored tensor, spelled as in the safetensors header.
type DType string

// The element types the format defines. The writer stores F32, F16, BF16 and the integers
// I32 and I16; the reader indexes all of them, converts F32, F16 and BF16 (and F64) to
// float32 and I32 and I16 to int32.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U64  DType = "U64"
	U32  DType = "U32"
	U16  DType = "U16"
	U8   DType = "U8"
	Bool DType = "BOOL"
	// F8E4M3 and F8E5M2 are the two 8-bit float formats.
	F8E4M3 DType = "F8_E4M3"
	F8E5M2 DType = "F8_E5M2"
)

// Size is the number of bytes of one element, or 0 for a dtype the format does not define.
func (d DType) Size() int {
	switch d {
	case F64, I64, U64:
		return 8
	case F32, I32, U32:
		return 4
	case F16, BF16, I16, U16:
		return 2
	case I8, U8, Bool, F8E4M3, F8E5M2:
		return 1
	}
	return 0
}

// writable reports whether Write can store a tensor with this dtype.
func (d DType) writable() bool { return d == F32 || d == F16 || d == BF16 || d == I32 || d == I16 }

// intRange is the range of an integer dtype Write stores (ok false for the others). I32 is
// limited to the integers a float32 holds exactly, as Named.Data carries them.
func (d DType) intRange() (lo, hi float32, ok bool) {
	switch d {
	case I32:
		return -1 << 24, 1 << 24, true
	case I16:
		return math.MinInt16, math.MaxInt16, true
	}
	return 0, 0, false
}
