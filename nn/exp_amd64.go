//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// haveAVX2FMA reports whether expSub can use expSubAVX2; it is set once, at start-up.
var haveAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// expSub sets dst[i] = exp(src[i] - shift) for every i < len(dst) and returns the sum of
// dst; src must be at least as long as dst and may be dst itself. Eight elements at a time
// with AVX2 and FMA when the CPU has them; the last len(dst) mod 8 go through the same
// instructions under a mask, so an element's value never depends on where a slice starts
// or ends.
func expSub(dst, src []float32, shift float32) float32 {
	src = src[:len(dst)]
	if haveAVX2FMA {
		return expSubAVX2(dst, src, shift)
	}
	return expSubGo(dst, src, shift)
}

// expSubAVX2 is expSub in AVX2/FMA assembly (exp_amd64.s); len(src) >= len(dst).
//
//go:noescape
func expSubAVX2(dst, src []float32, shift float32) float32
