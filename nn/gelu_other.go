//go:build !amd64 || purego

package nn

// geluForwardSlice sets y[i] = gelu(x[i]) for i < len(y) and, if gates is not nil,
// gates[i] = gelu'(x[i]). This build has only the portable code.
func geluForwardSlice(y, gates, x []float32) { geluForwardGo(y, gates, x) }

// geluBackwardSlice adds dy[i]·deriv[i] to dx[i] for i < len(dx), from the derivatives
// forward kept; with set, to 0 instead of dx[i].
func geluBackwardSlice(dx, dy, deriv []float32, set bool) { geluBackwardGo(dx, dy, deriv, set) }
