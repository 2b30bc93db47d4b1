//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// kernel16xNAVX512 is the AVX-512 micro-kernel (kernel_avx512_amd64.s) with the contract
// of stripKernel for mr = 16: sixteen ZMM accumulators hold a 16 x 16 tile, and each step
// of p multiplies sixteen values of A into one 16-wide row of B, two rows of A per
// broadcast when their values are adjacent (aRow = 1), else one each, broadcast inside
// VFMADD231PS. It runs the tiles of a strip one after the other without
// returning, and prefetches each tile's rows of C while the one before it runs. A tile of
// at most eight rows runs eight accumulators only, and the last tile stores its first
// lastCols columns only, under a mask.
//
//go:noescape
func kernel16xNAVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int,
	c []float32, ldc, rows int, alpha, beta float32, panels, lastCols int)

// kernel16x16AVX512 is kernel16xNAVX512 on one tile, with the contract of microKernel.
func kernel16x16AVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc, rows int, alpha, beta float32) {
	kernel16xNAVX512(kc, a, aRow, aStep, b, bStep, 0, c, ldc, rows, alpha, beta, 1, nr)
}

// kernel8x32AVX512 is the AVX-512 pair kernel (pair_avx512_amd64.s) with the contract of
// pairKernel: eight rows of A read in place against two B panels, each broadcast value of
// A serving both.
//
//go:noescape
func kernel8x32AVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int,
	c []float32, ldc, rows int, alpha, beta float32, cols int)

// kernel1xNAVX512 is the AVX-512 row kernel (row_avx512_amd64.s) with the contract of
// rowKernel.
//
//go:noescape
func kernel1xNAVX512(kc int, a []float32, aStep int, b []float32, bStep int, c []float32,
	alpha, beta float32, cols int)

// kernel16x1AVX512 is the AVX-512 column kernel (col_avx512_amd64.s) with the contract of
// colKernel.
//
//go:noescape
func kernel16x1AVX512(kc int, a []float32, lda int, x []float32, c []float32,
	alpha, beta float32, blocks int)

// kernel6x16AVX2 is the AVX2 micro-kernel (kernel_amd64.s) with the contract of
// microKernel for mr = 6: twelve YMM accumulators hold the 6 x 16 tile, each step of p
// broadcasts six values of A and multiplies them into two 8-wide rows of B with
// VFMADD231PS.
//
//go:noescape
func kernel6x16AVX2(kc int, a []float32, aRow, aStep int, b []float32, bStep int, c []float32,
	ldc, rows int, alpha, beta float32)

var (
	avx512Kernel = kernel{name: "avx512", mr: 16, halfRows: 8, run: kernel16x16AVX512, strip: kernel16xNAVX512,
		row: kernel1xNAVX512, col: kernel16x1AVX512, pair: kernel8x32AVX512}
	avx2Kernel = kernel{name: "avx2-fma", mr: 6, run: kernel6x16AVX2}
)

// archKernels lists the assembly micro-kernels, fastest first, with whether this CPU runs
// them. golang.org/x/sys/cpu sets HasAVX2 and HasAVX512F only when the operating system
// saves the YMM and ZMM registers. The AVX-512 kernel uses AVX-512F instructions only.
func archKernels() []candidate {
	return []candidate{
		{avx512Kernel, cpu.X86.HasAVX512F, "the CPU or operating system lacks AVX-512F"},
		{avx2Kernel, cpu.X86.HasAVX2 && cpu.X86.HasFMA, "the CPU lacks AVX2 or FMA3"},
	}
}

// hasAVXTranspose reports whether transpose8x8 can use transpose8x8AVX (AVX suffices).
func hasAVXTranspose() bool { return cpu.X86.HasAVX }

// transpose8x8AVX is transpose8x8 in assembly (transpose_amd64.s); the caller checks the
// lengths.
//
//go:noescape
func transpose8x8AVX(dst []float32, dstStride int, src []float32, srcStride int)
