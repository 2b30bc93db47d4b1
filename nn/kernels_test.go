package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelLengths are the slice lengths every kernel variant is checked at: empty, shorter
// than a vector, around one and two vectors of 8 and 16 lanes, and long.
var kernelLengths = []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 63, 64, 65, 100, 128, 1000, 1031}

// kernelOffsets are where the slices start in their buffers (elements), so that vector
// loads and stores are unaligned.
var kernelOffsets = []int{0, 1, 3}

// guard is what the buffers hold past the slices: a kernel must not write there.
const guard = float32(-12345.5)

// kernelBuf returns a buffer with off guard elements, n values from gen, and 17 guard
// elements, and the slice of the n values.
func kernelBuf(off, n int, gen func(i int) float32) (buf, s []float32) {
	buf = make([]float32, off+n+17)
	for i := range buf {
		buf[i] = guard
	}
	s = buf[off : off+n]
	for i := range s {
		s[i] = gen(i)
	}
	return buf, s
}

// randValues returns a generator of normal values times scale with some exact zeros,
// negative zeros and tiny (subnormal) values among them.
func randValues(rng *rand.Rand, scale float64) func(int) float32 {
	return func(int) float32 {
		switch rng.IntN(16) {
		case 0:
			return 0
		case 1:
			return float32(math.Copysign(0, -1))
		case 2:
			return float32(rng.NormFloat64()) * 1e-40
		}
		return float32(rng.NormFloat64() * scale)
	}
}

// sameBits reports the first index where two buffers differ bit for bit, or -1.
func sameBits(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// forKernelCases runs check for every variant other than the Go loops, every length and
// every offset, and names the variants the CPU or build cannot run.
func forKernelCases(t *testing.T, check func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int)) {
	have, skipped := kernelVariants()
	for _, s := range skipped {
		t.Logf("variant skipped: %s", s)
	}
	for _, k := range have[1:] {
		t.Run(k.name, func(t *testing.T) {
			for _, n := range kernelLengths {
				for _, off := range kernelOffsets {
					rng := newRand(uint64(1000*n + off))
					t.Run(fmt.Sprintf("n=%d/off=%d", n, off), func(t *testing.T) { check(t, k, rng, off, n) })
				}
			}
		})
	}
}

// compareBufs fails t where got and want differ.
func compareBufs(t *testing.T, what string, got, want []float32, off int) {
	t.Helper()
	if i := sameBits(got, want); i >= 0 {
		t.Errorf("%s: element %d (buffer index %d): got %v (%#x), want %v (%#x)", what, i-off, i,
			got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
	}
}

func TestKernelVariants(t *testing.T) {
	have, skipped := kernelVariants()
	for _, k := range have {
		t.Logf("variant: %s", k.name)
	}
	for _, s := range skipped {
		t.Logf("variant skipped: %s", s)
	}
	if kern != have[len(have)-1] {
		t.Errorf("kern is %s, want the widest variant, %s", kern.name, have[len(have)-1].name)
	}
}

func TestKernelAddAxpyScale(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		gen := randValues(rng, 1)
		_, x := kernelBuf(off, n, gen)
		_, x2 := kernelBuf(off, n, gen)
		ybuf, y := kernelBuf(off, n, gen)
		a := float32(rng.NormFloat64())
		type op struct {
			name   string
			ref, v func(y []float32)
		}
		for _, c := range []op{
			{"addTo", func(y []float32) { addToGo(y, x) }, func(y []float32) { k.addTo(y, x) }},
			{"add", func(y []float32) { addGo(y, x, x2) }, func(y []float32) { k.add(y, x, x2) }},
			{"add in place", func(y []float32) { addGo(y, y, x) }, func(y []float32) { k.add(y, y, x) }},
			{"add is copy then addTo", func(y []float32) { copy(y, x); addToGo(y, x2) }, func(y []float32) { k.add(y, x, x2) }},
			{"axpy", func(y []float32) { axpyGo(y, a, x) }, func(y []float32) { k.axpy(y, a, x) }},
			{"scaleTo", func(y []float32) { scaleToGo(y, a, x) }, func(y []float32) { k.scaleTo(y, a, x) }},
			{"scaleTo in place", func(y []float32) { scaleToGo(y, a, y) }, func(y []float32) { k.scaleTo(y, a, y) }},
		} {
			want, got := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
			c.ref(want[off : off+n])
			c.v(got[off : off+n])
			compareBufs(t, c.name, got, want, off)
		}
		_ = y
	})
}

// TestKernelAdamW runs three steps of every variant against the Go loop, with and
// without a gradient scale, on random gradients and moments and on ones with runs of
// zeros (rows no batch has reached: g, m and v zero together, where the AVX-512 kernel
// takes its zero-block path), the zero-skip allowed or not.
func TestKernelAdamW(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		zeroRun := func(i int) bool { return (i/21)%3 != 0 }
		for _, runs := range []bool{false, true} {
			gen := func(scale float64, v func(int) float32) func(int) float32 {
				return func(i int) float32 {
					if runs && zeroRun(i) {
						if i%5 == 0 && scale == 0.1 {
							return float32(math.Copysign(0, -1)) // a -0 gradient still skips
						}
						return 0
					}
					return v(i)
				}
			}
			_, g := kernelBuf(off, n, gen(0.1, randValues(rng, 0.1)))
			pb, _ := kernelBuf(off, n, randValues(rng, 1))
			mb, _ := kernelBuf(off, n, gen(0.01, randValues(rng, 0.01)))
			vb, _ := kernelBuf(off, n, gen(1e-4, func(int) float32 { return float32(math.Abs(rng.NormFloat64()) * 1e-4) }))
			for _, gscale := range []float32{1, 0.37} {
				for _, skip := range []uint32{0, 1} {
					bufs := [2][3][]float32{}
					for i := range bufs {
						bufs[i] = [3][]float32{append([]float32(nil), pb...), append([]float32(nil), mb...), append([]float32(nil), vb...)}
					}
					for step := 1; step <= 3; step++ {
						c1, c2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
						c := adamWConsts{b1: 0.9, ob1: 1 - float32(0.9), b2: 0.999, ob2: 1 - float32(0.999), c1: float32(c1), c2: float32(c2),
							eta: 3e-4, shrink: 1 - 3e-4*0.01, eps: 1e-8, gscale: gscale}
						if !adamWZeroSkip(&c) {
							t.Fatal("adamWZeroSkip refuses the usual constants")
						}
						c.zeroSkip = skip
						s := func(b []float32) []float32 { return b[off : off+n] }
						adamWGo(s(bufs[0][0]), g, s(bufs[0][1]), s(bufs[0][2]), &c)
						k.adamW(s(bufs[1][0]), g, s(bufs[1][1]), s(bufs[1][2]), &c)
						for i, name := range []string{"p", "m", "v"} {
							compareBufs(t, fmt.Sprintf("runs %v gscale %v skip %d step %d: %s", runs, gscale, skip, step, name), bufs[1][i], bufs[0][i], off)
						}
					}
				}
			}
		}
	})
}

func TestAdamWZeroSkipConstants(t *testing.T) {
	base := adamWConsts{b1: 0.9, ob1: 0.1, b2: 0.999, ob2: 0.001, c1: 0.1, c2: 0.001, eta: 0, shrink: 1, eps: 1e-8, gscale: 1}
	if !adamWZeroSkip(&base) {
		t.Fatal("zero learning rate: want the skip allowed")
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for name, change := range map[string]func(c *adamWConsts){
		"negative β₁": func(c *adamWConsts) { c.b1 = -0.5 },
		"zero ε":      func(c *adamWConsts) { c.eps = 0 },
		"negative η":  func(c *adamWConsts) { c.eta = -1e-3 },
		"infinite η":  func(c *adamWConsts) { c.eta = inf },
		"NaN scale":   func(c *adamWConsts) { c.gscale = nan },
		"zero c2":     func(c *adamWConsts) { c.c2 = 0 },
	} {
		c := base
		change(&c)
		if adamWZeroSkip(&c) {
			t.Errorf("%s: the skip is allowed", name)
		}
	}
}

func TestKernelDropout(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		_, x := kernelBuf(off, n, randValues(rng, 1))
		dbuf, _ := kernelBuf(off, n, randValues(rng, 1))
		for _, p := range []float32{0.1, 0.5, 0.9, 0.9999999} {
			for _, lo := range []int{0, 5, 1 << 40} {
				seed := rng.Uint64()
				threshold, scale := dropThreshold(p), 1/(1-p)
				want, got := append([]float32(nil), dbuf...), append([]float32(nil), dbuf...)
				dropoutGo(want[off:off+n], x, seed, lo, threshold, scale)
				k.dropout(got[off:off+n], x, seed, lo, threshold, scale)
				compareBufs(t, fmt.Sprintf("dropout p=%v lo=%d", p, lo), got, want, off)
				for i := range n { // the Go loop is the hash of dropout.go
					if x[i] != 0 && kept(seed, lo+i, threshold) != (want[off+i] != 0) {
						t.Fatalf("dropoutGo disagrees with kept at %d", i)
					}
				}
				for _, set := range []bool{false, true} {
					want, got = append([]float32(nil), dbuf...), append([]float32(nil), dbuf...)
					dropoutGradGo(want[off:off+n], x, seed, lo, threshold, scale, set)
					k.dropoutGrad(got[off:off+n], x, seed, lo, threshold, scale, set)
					compareBufs(t, fmt.Sprintf("dropoutGrad p=%v lo=%d set=%v", p, lo, set), got, want, off)
				}
			}
		}
	})
}

func TestKernelSumSquares(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		vals := randValues(rng, 1)
		gens := map[string]func(int) float32{
			"random": vals,
			"zero runs": func(i int) float32 { // zero blocks, aligned or not, between values
				if (i/13)%3 != 0 {
					return 0
				}
				return vals(i)
			},
			"all zero": func(int) float32 { return 0 },
			"wide range": func(int) float32 {
				return float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(120)-60)))
			},
		}
		for name, gen := range gens {
			_, g := kernelBuf(off, n, gen)
			for _, sum := range []float64{0, 1.5, 1e10} {
				want, got := sumSquaresGo(sum, g), k.sumSquares(sum, g)
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Errorf("%s, sum %v: got %v, want %v", name, sum, got, want)
				}
			}
		}
	})
}

func TestKernelLayerNormRows(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		gen := randValues(rng, 1)
		_, x := kernelBuf(off, n, gen)
		_, g := kernelBuf(off, n, gen)
		_, b := kernelBuf(off, n, gen)
		_, dy := kernelBuf(off, n, gen)
		ybuf, _ := kernelBuf(off, n, gen)
		m, s := float32(rng.NormFloat64()), float32(1+rng.Float64())
		meanG, meanGX := float32(rng.NormFloat64()), float32(rng.NormFloat64())
		type op struct {
			name   string
			ref, v func(y []float32)
		}
		for _, c := range []op{
			{"layerNormRow", func(y []float32) { layerNormRowGo(y, x, g, b, m, s) }, func(y []float32) { k.layerNormRow(y, x, g, b, m, s) }},
			{"layerNormGradRow", func(y []float32) { layerNormGradRowGo(y, dy, x, g, m, s, meanG, meanGX, false) },
				func(y []float32) { k.layerNormGradRow(y, dy, x, g, m, s, meanG, meanGX, false) }},
			{"layerNormGradRow set", func(y []float32) { layerNormGradRowGo(y, dy, x, g, m, s, meanG, meanGX, true) },
				func(y []float32) { k.layerNormGradRow(y, dy, x, g, m, s, meanG, meanGX, true) }},
			{"layerNormGainGradRow", func(y []float32) { layerNormGainGradRowGo(y, dy, x, m, s) },
				func(y []float32) { k.layerNormGainGradRow(y, dy, x, m, s) }},
		} {
			want, got := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
			c.ref(want[off : off+n])
			c.v(got[off : off+n])
			compareBufs(t, c.name, got, want, off)
		}
	})
}

// TestGELUVectorVariantsAgree checks that the AVX-512 GELU kernels give the AVX2 kernels'
// results bit for bit (the AVX2 ones are what the other GELU tests check against math).
func TestGELUVectorVariantsAgree(t *testing.T) {
	impls := geluImplementations()
	var ref *geluImpl
	for i := range impls {
		if impls[i].name == "avx2" {
			ref = &impls[i]
		}
	}
	if ref == nil {
		t.Skip("variant skipped: avx2 GELU (the CPU lacks AVX2 and FMA, or a purego build); nothing to compare")
	}
	compared := false
	for _, impl := range impls {
		if impl.name == "portable" || impl.name == "avx2" {
			continue
		}
		compared = true
		for _, n := range kernelLengths {
			for _, off := range kernelOffsets {
				rng := newRand(uint64(7*n + off))
				special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, 9, -9, 40, -40, 1e3, -1e3, 1e20,
					-1e20, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
				gen := func(i int) float32 {
					if rng.IntN(8) == 0 {
						return special[rng.IntN(len(special))]
					}
					return float32(rng.NormFloat64() * 3)
				}
				_, x := kernelBuf(off, n, gen)
				_, dy := kernelBuf(off, n, gen)
				ybuf, _ := kernelBuf(off, n, gen)
				for _, withGates := range []bool{true, false} {
					yw, yg := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
					gw, gg := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
					var gatesW, gatesG []float32
					if withGates {
						gatesW, gatesG = gw[off:off+n], gg[off:off+n]
					}
					ref.forward(yw[off:off+n], gatesW, x)
					impl.forward(yg[off:off+n], gatesG, x)
					compareBufs(t, fmt.Sprintf("%s forward n=%d off=%d gates=%v", impl.name, n, off, withGates), yg, yw, off)
					compareBufs(t, fmt.Sprintf("%s gates n=%d off=%d", impl.name, n, off), gg, gw, off)
				}
				_, gates := kernelBuf(off, n, func(int) float32 { return float32(rng.Float64()) })
				for _, set := range []bool{false, true} {
					dw, dg := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
					ref.backward(dw[off:off+n], dy, gates, set)
					impl.backward(dg[off:off+n], dy, gates, set)
					compareBufs(t, fmt.Sprintf("%s backward n=%d off=%d set=%v", impl.name, n, off, set), dg, dw, off)
				}
			}
		}
	}
	if !compared {
		t.Skip("variant skipped: avx512 GELU (the CPU or operating system lacks AVX-512F or AVX-512DQ)")
	}
}

// BenchmarkKernels times every variant of the vector kernels on slices of 64 Ki values
// (256 KiB each, in L2).
func BenchmarkKernels(b *testing.B) {
	const n = 1 << 16
	rng := newRand(5)
	bufs := make([][]float32, 5)
	for i := range bufs {
		_, bufs[i] = kernelBuf(0, n, randValues(rng, 1))
	}
	for i := range bufs[4] {
		bufs[4][i] = float32(math.Abs(float64(bufs[4][i])))
	}
	x, y, m, v := bufs[0], bufs[1], bufs[2], bufs[4]
	c := adamWConsts{b1: 0.9, ob1: 1 - float32(0.9), b2: 0.999, ob2: 1 - float32(0.999), c1: 0.5, c2: 0.01, eta: 1e-9, shrink: 1, eps: 1e-8, gscale: 1, zeroSkip: 1}
	have, _ := kernelVariants()
	for _, k := range have {
		for _, c2 := range []struct {
			name string
			f    func()
		}{
			{"addTo", func() { k.addTo(y, x) }},
			{"adamW", func() { k.adamW(y, x, m, v, &c) }},
			{"dropout", func() { k.dropout(y, x, 7, 0, dropThreshold(0.1), 1/0.9) }},
			{"sumSquares", func() { k.sumSquares(0, x) }},
			{"layerNormRow", func() { k.layerNormRow(y, x, m, v, 0.1, 1.1) }},
		} {
			b.Run(c2.name+"/"+k.name, func(b *testing.B) {
				b.SetBytes(4 * n)
				for b.Loop() {
					c2.f()
				}
			})
		}
	}
	for _, impl := range geluImplementations() {
		b.Run("geluForward/"+impl.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				impl.forward(y, m, x)
			}
		})
		b.Run("geluBackward/"+impl.name, func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				impl.backward(y, x, v, false)
			}
		})
	}
}

func TestKernelAddColSums(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		for _, rows := range []int{1, 2, 5, 33} {
			stride := n + rng.IntN(5)
			_, x := kernelBuf(off, (rows-1)*stride+n, randValues(rng, 1))
			ybuf, _ := kernelBuf(off, n, randValues(rng, 1))
			want, got := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
			addColSumsGo(want[off:off+n], x, stride, rows)
			if n > 0 {
				k.addColSums(got[off:off+n], x, stride, rows)
			}
			compareBufs(t, fmt.Sprintf("addColSums rows=%d stride=%d", rows, stride), got, want, off)
		}
	})
}

// TestKernelSetIsClearAndAdd checks, for every variant, that the gradient kernels' set
// mode (a stale dx is written without being read) gives the bits of clearing dx and
// adding, the tape's old path, signs of zero included.
func TestKernelSetIsClearAndAdd(t *testing.T) {
	have, _ := kernelVariants()
	for _, k := range have {
		for _, n := range kernelLengths {
			rng := newRand(uint64(31*n + 7))
			gen := randValues(rng, 1)
			_, x := kernelBuf(1, n, gen)
			_, g := kernelBuf(1, n, gen)
			_, dy := kernelBuf(1, n, gen)
			_, gates := kernelBuf(1, n, func(int) float32 { return float32(rng.Float64()) })
			garbage, _ := kernelBuf(1, n, gen)
			m, s := float32(rng.NormFloat64()), float32(1+rng.Float64())
			meanG, meanGX := float32(rng.NormFloat64()), float32(rng.NormFloat64())
			seed, threshold := rng.Uint64(), dropThreshold(0.3)
			cases := []struct {
				name string
				f    func(dx []float32, set bool)
			}{
				{"dropoutGrad", func(dx []float32, set bool) { k.dropoutGrad(dx, dy, seed, 3, threshold, 1/0.7, set) }},
				{"layerNormGradRow", func(dx []float32, set bool) { k.layerNormGradRow(dx, dy, x, g, m, s, meanG, meanGX, set) }},
			}
			for _, impl := range geluImplementations() {
				cases = append(cases, struct {
					name string
					f    func(dx []float32, set bool)
				}{"geluBackward " + impl.name, func(dx []float32, set bool) { impl.backward(dx, dy, gates, set) }})
			}
			for _, c := range cases {
				want, got := append([]float32(nil), garbage...), append([]float32(nil), garbage...)
				clear(want[1 : 1+n])
				c.f(want[1:1+n], false)
				c.f(got[1:1+n], true)
				compareBufs(t, fmt.Sprintf("%s/%s n=%d", k.name, c.name, n), got, want, 1)
			}
		}
	}
}

// TestLayerNormGradSums4 checks the four-row sums of LayerNorm's input gradient against
// layerNormGradSums row by row, bit for bit, at widths that are multiples of 4, among
// values with zeros, -0 and subnormals.
func TestLayerNormGradSums4(t *testing.T) {
	if !haveMeanVariance4 {
		t.Log("variant skipped: four-row sums (no AVX, or a purego build): checking the Go loop against itself")
	}
	for _, d := range []int{4, 8, 12, 16, 20, 128, 132, 768} {
		rng := newRand(uint64(d))
		for _, scale := range []float64{1, 1e-3, 1e20} {
			gen := randValues(rng, scale)
			_, dy := kernelBuf(1, 4*d, gen)
			_, x := kernelBuf(3, 4*d, gen)
			_, g := kernelBuf(0, d, gen)
			var m, s [4]float32
			for r := range 4 {
				m[r], s[r] = float32(rng.NormFloat64()*scale), float32(rng.Float64()+0.5)
			}
			sumG, sumGX := layerNormGradSums4(dy, x, g, d, &m, &s)
			for r := range 4 {
				wantG, wantGX := layerNormGradSums(dy[r*d:(r+1)*d], x[r*d:(r+1)*d], g, m[r], s[r])
				if math.Float64bits(sumG[r]) != math.Float64bits(wantG) || math.Float64bits(sumGX[r]) != math.Float64bits(wantGX) {
					t.Errorf("d=%d scale %v row %d: sums %v, %v; want %v, %v", d, scale, r, sumG[r], sumGX[r], wantG, wantGX)
				}
			}
		}
	}
}

// BenchmarkLayerNormGradSums times the row sums of LayerNorm's input gradient over four
// rows of 128, one row at a time (the Go loop) and four at once.
func BenchmarkLayerNormGradSums(b *testing.B) {
	const d = 128
	rng := newRand(9)
	_, dy := kernelBuf(0, 4*d, randValues(rng, 1))
	_, x := kernelBuf(0, 4*d, randValues(rng, 1))
	_, g := kernelBuf(0, d, randValues(rng, 1))
	m, s := [4]float32{0.1, -0.2, 0.3, 0}, [4]float32{1, 2, 0.5, 1.5}
	var sink float64
	b.Run("rows", func(b *testing.B) {
		for range b.N {
			for r := range 4 {
				sg, sgx := layerNormGradSums(dy[r*d:(r+1)*d], x[r*d:(r+1)*d], g, m[r], s[r])
				sink += sg + sgx
			}
		}
	})
	b.Run("four", func(b *testing.B) {
		for range b.N {
			sg, sgx := layerNormGradSums4(dy, x, g, d, &m, &s)
			sink += sg[0] + sgx[3]
		}
	})
	_ = sink
}

// TestSumSquaresAnyOrder checks ClipScale's fast sum against the ordered one within the
// rounding bound ClipScale relies on (n·2⁻⁵³ of the sum, each).
func TestSumSquaresAnyOrder(t *testing.T) {
	for _, n := range kernelLengths {
		for _, off := range kernelOffsets {
			rng := newRand(uint64(17*n + off))
			_, g := kernelBuf(off, n, randValues(rng, 1))
			got, want := sumSquaresAnyOrder(g), sumSquaresGo(0, g)
			if math.Abs(got-want) > 2*float64(n)*0x1p-53*want {
				t.Errorf("n=%d off=%d: %v, ordered sum %v", n, off, got, want)
			}
			if n > 0 && want > 0 && got == 0 {
				t.Errorf("n=%d off=%d: zero", n, off)
			}
		}
	}
}

// TestSoftmaxBackward4 checks the four-row softmax backward against softmaxBackward row
// by row, bit for bit.
func TestSoftmaxBackward4(t *testing.T) {
	for _, n := range []int{0, 1, 5, 16, 31, 32, 33, 128} {
		for _, stride := range []int{n, n + 3} {
			rng := newRand(uint64(n*7 + stride))
			p := make([]float32, 4*stride)
			dP := make([]float32, 4*stride)
			gen := randValues(rng, 1)
			for i := range p {
				p[i], dP[i] = float32(rng.Float64()), gen(i)
			}
			want := append([]float32(nil), dP...)
			for r := range 4 {
				softmaxBackward(want[r*stride:r*stride+n], p[r*stride:r*stride+n])
			}
			softmaxBackward4(dP, p, stride, n)
			if i := sameBits(dP, want); i >= 0 {
				t.Errorf("n=%d stride=%d: element %d: %v, want %v", n, stride, i, dP[i], want[i])
			}
		}
	}
}

// BenchmarkSoftmaxBackward times four attention rows of 32 keys, one at a time and side
// by side.
func BenchmarkSoftmaxBackward(b *testing.B) {
	const n = 32
	rng := newRand(4)
	p, dP := make([]float32, 4*n), make([]float32, 4*n)
	for i := range p {
		p[i], dP[i] = float32(rng.Float64()), float32(rng.NormFloat64())
	}
	b.Run("rows", func(b *testing.B) {
		for range b.N {
			for r := range 4 {
				softmaxBackward(dP[r*n:(r+1)*n], p[r*n:(r+1)*n])
			}
		}
	})
	b.Run("four", func(b *testing.B) {
		for range b.N {
			softmaxBackward4(dP, p, n, n)
		}
	})
}

// TestKernelSetInPlace: the set mode of the element-wise gradient kernels may write dx
// over dy itself (an op's backward in place, op.inPlace), with the results of separate
// buffers.
func TestKernelSetInPlace(t *testing.T) {
	have, _ := kernelVariants()
	for _, k := range have {
		for _, n := range kernelLengths {
			rng := newRand(uint64(37*n + 1))
			_, dy := kernelBuf(1, n, randValues(rng, 1))
			_, gates := kernelBuf(1, n, func(int) float32 { return float32(rng.Float64()) })
			_, x := kernelBuf(1, n, randValues(rng, 1))
			_, g := kernelBuf(1, n, randValues(rng, 1))
			seed, threshold := rng.Uint64(), dropThreshold(0.3)
			cases := []struct {
				name string
				f    func(dx, dy []float32)
			}{
				{"dropoutGrad", func(dx, dy []float32) { k.dropoutGrad(dx, dy, seed, 3, threshold, 1/0.7, true) }},
				{"layerNormGradRow", func(dx, dy []float32) { k.layerNormGradRow(dx, dy, x, g, 0.3, 1.7, -0.2, 0.4, true) }},
			}
			for _, impl := range geluImplementations() {
				cases = append(cases, struct {
					name string
					f    func(dx, dy []float32)
				}{"geluBackward " + impl.name, func(dx, dy []float32) { impl.backward(dx, dy, gates, true) }})
			}
			for _, c := range cases {
				want := make([]float32, n)
				c.f(want, dy)
				got := append([]float32(nil), dy...)
				c.f(got, got)
				if i := sameBits(got, want); i >= 0 {
					t.Errorf("%s/%s n=%d: element %d: %v in place, %v apart", k.name, c.name, n, i, got[i], want[i])
				}
			}
		}
	}
}

// TestKernelAddRows checks every variant of adding a row to each row of a matrix (Linear's
// bias) against the Go loop, with strides wider than the row, and that nothing between or
// after the rows is written.
func TestKernelAddRows(t *testing.T) {
	forKernelCases(t, func(t *testing.T, k *vecKernels, rng *rand.Rand, off, n int) {
		for _, rows := range []int{1, 2, 5, 33} {
			stride := n + rng.IntN(5)
			_, x := kernelBuf(off, n, randValues(rng, 1))
			ybuf, _ := kernelBuf(off, (rows-1)*stride+n, randValues(rng, 1))
			want, got := append([]float32(nil), ybuf...), append([]float32(nil), ybuf...)
			addRowsGo(x, want[off:], stride, rows)
			if n > 0 {
				k.addRows(x, got[off:], stride, rows)
			}
			compareBufs(t, fmt.Sprintf("addRows rows=%d stride=%d", rows, stride), got, want, off)
		}
	})
}
