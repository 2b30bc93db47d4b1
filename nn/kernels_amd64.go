//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// avx2Kernels use 8 lanes (ymm registers) and finish a slice with the Go loop; dropout stays in Go (AVX2 has no 64-bit multiply).
var avx2Kernels = vecKernels{
	name:                 "avx2",
	addTo:                addToAVX2Tail,
	add:                  addAVX2Tail,
	addColSums:           addColSumsGo,
	addRows:              addRowsAVX2,
	axpy:                 axpyAVX2Tail,
	scaleTo:              scaleToAVX2Tail,
	adamW:                adamWAVX2Tail,
	dropout:              dropoutGo,
	dropoutGrad:          dropoutGradGo,
	sumSquares:           sumSquaresAVX2Tail,
	layerNormRow:         layerNormRowAVX2Tail,
	layerNormGradRow:     layerNormGradRowAVX2Tail,
	layerNormGainGradRow: layerNormGainGradRowAVX2Tail,
}

// The AVX2 kernels take whole blocks of 8; these wrappers give them the blocks and the Go
// loops the rest (n8 is the length rounded down to a multiple of 8).

func n8(n int) int { return n &^ 7 }

func addToAVX2Tail(y, x []float32) {
	k := n8(len(y))
	addToAVX2(y[:k], x)
	addToGo(y[k:], x[k:len(y)])
}

func addAVX2Tail(y, a, b []float32) {
	k := n8(len(y))
	addAVX2(y[:k], a, b)
	addGo(y[k:], a[k:len(y)], b[k:len(y)])
}

func addRowsAVX2(x, y []float32, stride, rows int) {
	for r := range rows {
		addToAVX2Tail(y[r*stride:r*stride+len(x)], x)
	}
}

func axpyAVX2Tail(y []float32, a float32, x []float32) {
	k := n8(len(y))
	axpyAVX2(y[:k], a, x)
	axpyGo(y[k:], a, x[k:len(y)])
}

func scaleToAVX2Tail(y []float32, a float32, x []float32) {
	k := n8(len(y))
	scaleToAVX2(y[:k], a, x)
	scaleToGo(y[k:], a, x[k:len(y)])
}

func adamWAVX2Tail(p, g, m, v []float32, c *adamWConsts) {
	k := n8(len(p))
	adamWAVX2(p[:k], g, m, v, c)
	adamWGo(p[k:], g[k:len(p)], m[k:len(p)], v[k:len(p)], c)
}

func sumSquaresAVX2Tail(sum float64, g []float32) float64 {
	k := n8(len(g))
	return sumSquaresGo(sumSquaresAVX2(sum, g[:k]), g[k:])
}

func layerNormRowAVX2Tail(y, x, g, b []float32, m, s float32) {
	k := n8(len(y))
	layerNormRowAVX2(y[:k], x, g, b, m, s)
	layerNormRowGo(y[k:], x[k:len(y)], g[k:len(y)], b[k:len(y)], m, s)
}

func layerNormGradRowAVX2Tail(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool) {
	k := n8(len(dx))
	layerNormGradRowAVX2(dx[:k], dy, x, g, m, s, meanG, meanGX, set)
	layerNormGradRowGo(dx[k:], dy[k:len(dx)], x[k:len(dx)], g[k:len(dx)], m, s, meanG, meanGX, set)
}

func layerNormGainGradRowAVX2Tail(dg, dy, x []float32, m, s float32) {
	k := n8(len(dg))
	layerNormGainGradRowAVX2(dg[:k], dy, x, m, s)
	layerNormGainGradRowGo(dg[k:], dy[k:len(dg)], x[k:len(dg)], m, s)
}

// avx512Kernels use 16 lanes (zmm registers) and finish a slice under a mask; dropout
// hashes 8 indices at a time with VPMULLQ (AVX-512DQ).
var avx512Kernels = vecKernels{
	name:                 "avx512",
	addTo:                addToAVX512,
	add:                  addAVX512,
	addColSums:           addColSumsAVX512,
	addRows:              addRowsAVX512,
	axpy:                 axpyAVX512,
	scaleTo:              scaleToAVX512,
	adamW:                adamWAVX512,
	dropout:              dropoutAVX512,
	dropoutGrad:          dropoutGradAVX512,
	sumSquares:           sumSquaresAVX512,
	layerNormRow:         layerNormRowAVX512,
	layerNormGradRow:     layerNormGradRowAVX512,
	layerNormGainGradRow: layerNormGainGradRowAVX512,
}

var (
	haveAVX2   = cpu.X86.HasAVX2
	haveAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
)

// bestKernels returns the widest variant the CPU (and operating system) supports.
func bestKernels() *vecKernels {
	switch {
	case haveAVX512:
		return &avx512Kernels
	case haveAVX2:
		return &avx2Kernels
	}
	return &goKernels
}

// kernelVariants lists the variants this CPU can run, and why others are missing.
func kernelVariants() (have []*vecKernels, skipped []string) {
	have = []*vecKernels{&goKernels}
	if haveAVX2 {
		have = append(have, &avx2Kernels)
	} else {
		skipped = append(skipped, "avx2: the CPU lacks AVX2")
	}
	if haveAVX512 {
		have = append(have, &avx512Kernels)
	} else {
		skipped = append(skipped, "avx512: the CPU or operating system lacks AVX-512F or AVX-512DQ")
	}
	return have, skipped
}

// addToAVX512 is add's kernel with a = y: each block of y is loaded before it is stored,
// so the aliasing is safe, and y[i] + x[i] is the addition addTo makes.
func addToAVX512(y, x []float32) { addAVX512(y, y, x) }

// The assembly kernels (kernels_amd64.s); see vecKernels for what each computes. Every
// slice is at least as long as the first; the AVX2 ones take a multiple of 8 elements.

//go:noescape
func addToAVX2(y, x []float32)

//go:noescape
func addAVX2(y, a, b []float32)

//go:noescape
func addAVX512(y, a, b []float32)

//go:noescape
func addRowsAVX512(x, y []float32, stride, rows int)

//go:noescape
func addColSumsAVX512(y, x []float32, stride, rows int)

//go:noescape
func axpyAVX2(y []float32, a float32, x []float32)

//go:noescape
func axpyAVX512(y []float32, a float32, x []float32)

//go:noescape
func scaleToAVX2(y []float32, a float32, x []float32)

//go:noescape
func scaleToAVX512(y []float32, a float32, x []float32)

//go:noescape
func adamWAVX2(p, g, m, v []float32, c *adamWConsts)

//go:noescape
func adamWAVX512(p, g, m, v []float32, c *adamWConsts)

//go:noescape
func dropoutAVX512(y, x []float32, seed uint64, lo int, threshold uint64, scale float32)

//go:noescape
func dropoutGradAVX512(dx, dy []float32, seed uint64, lo int, threshold uint64, scale float32, set bool)

//go:noescape
func sumSquaresAVX2(sum float64, g []float32) float64

//go:noescape
func sumSquaresAVX512(sum float64, g []float32) float64

//go:noescape
func layerNormRowAVX2(y, x, g, b []float32, m, s float32)

//go:noescape
func layerNormRowAVX512(y, x, g, b []float32, m, s float32)

//go:noescape
func layerNormGradRowAVX2(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool)

//go:noescape
func layerNormGradRowAVX512(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool)

//go:noescape
func layerNormGainGradRowAVX2(dg, dy, x []float32, m, s float32)

//go:noescape
func layerNormGainGradRowAVX512(dg, dy, x []float32, m, s float32)

//go:noescape
func sumSquaresAnyOrderAVX512(g []float32) float64

// sumSquaresAnyOrder returns Σ float64(g[i])² added in an order of its own (for a bound,
// not for ClipGradNorm's norm): with AVX-512 in 32 partial sums.
func sumSquaresAnyOrder(g []float32) float64 {
	if !haveAVX512 {
		return sumSquaresAnyOrderGo(g)
	}
	k := len(g) &^ 31
	return sumSquaresAnyOrderAVX512(g[:k]) + sumSquaresAnyOrderGo(g[k:])
}
