//go:build amd64 && !purego

package nn

import (
	"fmt"
	"math"
	"testing"
)

// expImplementations lists the portable code and, on CPUs that have AVX2 and FMA, the
// assembly routine.
func expImplementations() []expImpl {
	impls := []expImpl{{"portable", expSubGo}}
	if haveAVX2FMA {
		impls = append(impls, expImpl{"avx2", expSubAVX2})
	}
	return impls
}

// geluImplementations lists the portable GELU kernels and, on CPUs that have AVX2 and
// FMA, or AVX-512, the assembly ones.
func geluImplementations() []geluImpl {
	impls := []geluImpl{{"portable", geluForwardGo, geluBackwardGo}}
	if haveAVX2FMA {
		impls = append(impls, geluImpl{"avx2", geluForwardAVX2, geluBackwardAVX2})
	}
	if haveAVX512 {
		impls = append(impls, geluImpl{"avx512", geluForwardAVX512, geluBackwardAVX512})
	}
	return impls
}

// TestSoftmaxVisibleAVX512 checks the AVX-512 softmax row kernel against softmaxVisibleGo
// (expSubAVX2 and scaleTo on this CPU) bit for bit: every length up to 70 and some
// longer, unaligned, with no padding, random padding and all keys hidden, among values
// that include ±0, ±Inf, NaN, large and tiny scores; and that nothing past the row is
// written.
func TestSoftmaxVisibleAVX512(t *testing.T) {
	if !haveAVX512 || !haveAVX2FMA {
		t.Skip("variant skipped: avx512 softmax (the CPU or operating system lacks AVX-512F/DQ or AVX2 and FMA)")
	}
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, 80, -80, 200, -200, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	lengths := []int{100, 128, 129, 1000}
	for n := range 71 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		for _, off := range kernelOffsets {
			rng := newRand(uint64(131*n + off))
			for _, kind := range []string{"none", "random", "all", "specials"} {
				gen := func(int) float32 { return float32(rng.NormFloat64() * 4) }
				if kind == "specials" {
					gen = func(int) float32 {
						if rng.IntN(6) == 0 {
							return special[rng.IntN(len(special))]
						}
						return float32(rng.NormFloat64() * 4)
					}
				}
				buf, _ := kernelBuf(off, n, gen)
				var padding []bool
				if kind != "none" {
					padding = make([]bool, n+5)
					for j := range padding {
						padding[j] = kind == "all" || rng.IntN(3) == 0
					}
				}
				want, got := append([]float32(nil), buf...), append([]float32(nil), buf...)
				softmaxVisibleGo(want[off:off+n], padding)
				softmaxVisibleAVX512(got[off:off+n], padding[:min(len(padding), n)])
				compareBufs(t, fmt.Sprintf("n=%d off=%d padding %s", n, off, kind), got, want, off)
			}
		}
	}
}

// BenchmarkSoftmaxRow times one attention row of 32 keys, 4 of them padding, in the
// portable-with-AVX2 code and the AVX-512 kernel.
func BenchmarkSoftmaxRow(b *testing.B) {
	rng := newRand(3)
	src := make([]float32, 32)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	padding := make([]bool, 32)
	for i := 28; i < 32; i++ {
		padding[i] = true
	}
	row := make([]float32, 32)
	b.Run("go+avx2", func(b *testing.B) {
		for range b.N {
			copy(row, src)
			softmaxVisibleGo(row, padding)
		}
	})
	if haveAVX512 {
		b.Run("avx512", func(b *testing.B) {
			for range b.N {
				copy(row, src)
				softmaxVisibleAVX512(row, padding)
			}
		})
	}
}
