//go:build !amd64 || purego

package nn

// bestKernels returns the portable loops: this build has no assembly.
func bestKernels() *vecKernels { return &goKernels }

// kernelVariants lists the variants this build has, and why others are missing.
func kernelVariants() (have []*vecKernels, skipped []string) {
	return []*vecKernels{&goKernels}, []string{"avx2, avx512: no assembly in this build (purego or not amd64)"}
}

// sumSquaresAnyOrder returns Σ float64(g[i])² added in an order of its own.
func sumSquaresAnyOrder(g []float32) float64 { return sumSquaresAnyOrderGo(g) }
