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

// softmaxVisible replaces the scores of one query row, up to its causal limit, by their
// softmax over the keys that padding (if not nil) does not hide; hidden keys get exactly 0,
// and a row with no visible key is all zeros. With AVX-512 the whole row is one kernel,
// softmaxVisibleAVX512, with the results of softmaxVisibleGo on AVX2 bit for bit.
func softmaxVisible(row []float32, padding []bool) {
	if haveAVX512 && haveAVX2FMA {
		if padding != nil {
			padding = padding[:len(row)]
		}
		softmaxVisibleAVX512(row, padding)
		return
	}
	softmaxVisibleGo(row, padding)
}

// softmaxVisibleAVX512 is softmaxVisible in AVX-512 assembly (exp_amd64.s); padding is
// nil or as long as row.
//
//go:noescape
func softmaxVisibleAVX512(row []float32, padding []bool)
