//go:build !amd64 || purego

package gemm

// bestKernel is the portable micro-kernel: this platform or build has no assembly kernel.
func bestKernel() kernel { return portableKernel }
