//go:build amd64 && !purego

package nn

// geluForwardSlice sets y[i] = gelu(x[i]) for i < len(y) and, if gates is not nil,
// gates[i] = gelu'(x[i]), the derivative backward multiplies by; with AVX-512, or AVX2
// and FMA, when the CPU has them, the last elements under a mask, so that an element's
// result does not depend on the range. The AVX-512 kernels give the AVX2 kernels' results
// bit for bit (the same instructions on every lane).
func geluForwardSlice(y, gates, x []float32) {
	x = x[:len(y)]
	if gates != nil {
		gates = gates[:len(y)]
	}
	switch {
	case haveAVX512:
		geluForwardAVX512(y, gates, x)
		return
	case haveAVX2FMA:
		geluForwardAVX2(y, gates, x)
		return
	}
	geluForwardGo(y, gates, x)
}

// geluBackwardSlice adds dy[i]·deriv[i] to dx[i] for i < len(dx), from the derivatives
// forward kept; with set, to 0 instead of dx[i] (dx is not read).
func geluBackwardSlice(dx, dy, deriv []float32, set bool) {
	dy, deriv = dy[:len(dx)], deriv[:len(dx)]
	switch {
	case haveAVX512:
		geluBackwardAVX512(dx, dy, deriv, set)
		return
	case haveAVX2FMA:
		geluBackwardAVX2(dx, dy, deriv, set)
		return
	}
	geluBackwardGo(dx, dy, deriv, set)
}

// geluForwardAVX2 is geluForwardSlice in assembly (gelu_amd64.s); gates is nil or as
// long as y, and so is x.
//
//go:noescape
func geluForwardAVX2(y, gates, x []float32)

// geluBackwardAVX2 is geluBackwardSlice in assembly (a fused multiply-add); dy and
// deriv are as long as dx.
//
//go:noescape
func geluBackwardAVX2(dx, dy, deriv []float32, set bool)

// geluForwardAVX512 is geluForwardAVX2 on 16 lanes (gelu_amd64.s), with the same results.
//
//go:noescape
func geluForwardAVX512(y, gates, x []float32)

// geluBackwardAVX512 is geluBackwardAVX2 on 16 lanes, with the same results.
//
//go:noescape
func geluBackwardAVX512(dx, dy, deriv []float32, set bool)
