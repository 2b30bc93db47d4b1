//go:build !amd64 || purego

package nn

// bestKernels returns the portable loops: this build has no assembly.
func bestKernels() *vecKernels { return &goKernels }

// kernelVariants lists the variants this build has, and why others are missing.
func kernelVariants() (have []*vecKernels, skipped []string) {
	return []*vecKernels{&goKernels}, []string{"avx2, avx512: no assembly in this build (purego or not amd64)"}
}
