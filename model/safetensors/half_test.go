package safetensors

import (
	"math"
	"testing"
)

func TestFloat32ToHalf(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},                 // largest finite binary16
		{65519, 0x7bff},                 // just below the rounding midpoint to infinity
		{65520, 0x7c00},                 // the midpoint rounds to even: infinity
		{1e10, 0x7c00},                  // overflow
		{1.0 / (1 << 14), 0x0400},       // smallest normal
		{1.0 / (1 << 24), 0x0001},       // smallest subnormal
		{1.0 / (1 << 25), 0x0000},       // half the smallest subnormal: tie to even 0
		{1.5 / (1 << 25), 0x0001},       // above the tie: rounds up
		{3.0 / (1 << 25), 0x0002},       // 1.5 subnormal units: tie to even 2
		{1e-10, 0x0000},                 // underflow
		{1 + 1.0/2048, 0x3c00},          // tie between 0x3c00 and 0x3c01: to even
		{1 + 3.0/2048, 0x3c02},          // tie between 0x3c01 and 0x3c02: to even
		{0.1, 0x2e66},                   // 0.0999755859375
		{float32(math.Inf(-1)), 0xfc00}, // -Inf
		{float32(math.NaN()), 0x7e00},   // NaN stays NaN
		{1023.0 / (1 << 24), 0x03ff},    // largest subnormal
	}
	for _, tc := range tests {
		if got := float32ToHalf(tc.in); got != tc.want {
			t.Errorf("float32ToHalf(%g) = %#04x, want %#04x", tc.in, got, tc.want)
		}
	}
}

// TestHalfRoundTrip widens every binary16 value and narrows it back: each must return
// unchanged (NaNs only need to stay NaN).
func TestHalfRoundTrip(t *testing.T) {
	for h := range 1 << 16 {
		f := halfToFloat32(uint16(h))
		back := float32ToHalf(f)
		isNaN := h&0x7c00 == 0x7c00 && h&0x3ff != 0
		if isNaN {
			if !math.IsNaN(float64(f)) || back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Errorf("NaN %#04x -> %g -> %#04x", h, f, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Errorf("%#04x -> %g -> %#04x", h, f, back)
		}
	}
}

func TestHalfToFloat32(t *testing.T) {
	tests := []struct {
		in   uint16
		want float32
	}{
		{0x3c00, 1},
		{0xc000, -2},
		{0x7bff, 65504},
		{0x0001, 1.0 / (1 << 24)},
		{0x03ff, 1023.0 / (1 << 24)},
		{0x8001, -1.0 / (1 << 24)},
		{0x7c00, float32(math.Inf(1))},
		{0x3555, 0.333251953125},
	}
	for _, tc := range tests {
		if got := halfToFloat32(tc.in); got != tc.want {
			t.Errorf("halfToFloat32(%#04x) = %g, want %g", tc.in, got, tc.want)
		}
	}
}

func TestBFloat16(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{1, 0x3f80},
		{-1.5, 0xbfc0},
		{math.Pi, 0x4049}, // 0x40490fdb rounds down
		{math.Float32frombits(0x3f808000), 0x3f80},          // tie: to even
		{math.Float32frombits(0x3f818000), 0x3f82},          // tie: to even (up)
		{math.Float32frombits(0x3f808001), 0x3f81},          // above the tie
		{math.Float32frombits(0x7f7fffff), 0x7f80},          // max float32 rounds to +Inf
		{float32(math.Inf(-1)), 0xff80},                     // -Inf
		{math.Float32frombits(0x7f800001), 0x7fc0},          // signalling NaN becomes quiet
		{math.Float32frombits(0xffc00000), 0xffc0 | 0x0040}, // negative NaN keeps its sign
	}
	for _, tc := range tests {
		if got := float32ToBFloat16(tc.in); got != tc.want {
			t.Errorf("float32ToBFloat16(%#08x) = %#04x, want %#04x", math.Float32bits(tc.in), got, tc.want)
		}
	}
	for h := range 1 << 16 {
		if h&0x7f80 == 0x7f80 && h&0x7f != 0 {
			continue // NaN payloads are not preserved bit for bit
		}
		if back := float32ToBFloat16(bfloat16ToFloat32(uint16(h))); back != uint16(h) {
			t.Errorf("bfloat16 %#04x -> %#04x", h, back)
		}
	}
}
