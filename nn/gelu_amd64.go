//go:build amd64 && !purego

package nn

// geluForwardSlice sets y[i] = gelu(x[i]) for i < len(y) and, if gates is not nil,
// gates[i] = σ(2u); with AVX2 and FMA when the CPU has them, the last len(y) mod 8
// elements under a mask, so that an element's result does not depend on the range.
func geluForwardSlice(y, gates, x []float32) {
	x = x[:len(y)]
	if gates != nil {
		gates = gates[:len(y)]
	}
	if haveAVX2FMA {
		geluForwardAVX2(y, gates, x)
		return
	}
	geluForwardGo(y, gates, x)
}

// geluBackwardSlice adds dy[i]·gelu'(x[i]) to dx[i] for i < len(dx), from the gates
// forward kept.
func geluBackwardSlice(dx, dy, x, gates []float32) {
	dy, x, gates = dy[:len(dx)], x[:len(dx)], gates[:len(dx)]
	if haveAVX2FMA {
		geluBackwardAVX2(dx, dy, x, gates)
		return
	}
	geluBackwardGo(dx, dy, x, gates)
}

// geluForwardAVX2 is geluForwardSlice in assembly (gelu_amd64.s); gates is nil or as
// long as y, and so is x.
//
//go:noescape
func geluForwardAVX2(y, gates, x []float32)

// geluBackwardAVX2 is geluBackwardSlice in assembly; dy, x and gates are as long as dx.
//
//go:noescape
func geluBackwardAVX2(dx, dy, x, gates []float32)
