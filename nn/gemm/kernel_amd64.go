//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kernel6x16AVX2 is the assembly micro-kernel (kernel_amd64.s) with the contract of
// microKernel: twelve YMM accumulators hold the 6 x 16 tile, each step of p broadcasts six
// values of A and multiplies them into two 8-wide rows of B with VFMADD231PS.
//
//go:noescape
func kernel6x16AVX2(kc int, a []float32, aRow, aStep int, b []float32, bStep int, c []float32,
	ldc, rows int, alpha, beta float32)

// avx2Kernel is the assembly micro-kernel; it needs AVX2 and FMA3.
var avx2Kernel = kernel{name: "avx2-fma", run: kernel6x16AVX2}

// bestKernel is the fastest micro-kernel this CPU supports. Both AVX2 (256-bit broadcasts)
// and FMA3 (VFMADD231PS) are needed; cpu.X86.HasAVX2 is only set when the operating system
// saves the YMM registers.
func bestKernel() kernel {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return avx2Kernel
	}
	return portableKernel
}

// hasAVXTranspose reports whether transpose8x8 can use transpose8x8AVX (AVX suffices).
func hasAVXTranspose() bool { return cpu.X86.HasAVX }

// transpose8x8AVX is transpose8x8 in assembly (transpose_amd64.s); the caller checks the
// lengths.
//
//go:noescape
func transpose8x8AVX(dst []float32, dstStride int, src []float32, srcStride int)
