//go:build !amd64 || purego

package gemm

// archKernels is empty: this platform or build has no assembly micro-kernel.
func archKernels() []candidate { return nil }

// hasAVXTranspose is false: this build has no assembly transpose.
func hasAVXTranspose() bool { return false }

// transpose8x8AVX is never called in this build.
func transpose8x8AVX([]float32, int, []float32, int) { panic("gemm: no assembly transpose") }

// hasPack16 is false: this build has no assembly packing.
const hasPack16 = false

// packTrans16 and copyPanels16 are never called in this build.
func packTrans16([]float32, []float32, int, int)       { panic("gemm: no assembly packing") }
func copyPanels16([]float32, []float32, int, int, int) { panic("gemm: no assembly packing") }
