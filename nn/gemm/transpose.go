package gemm

import "fmt"

// transpose8x8 stores the transpose of the 8 x 8 block of src (row stride srcStride) into
// dst (row stride dstStride): dst[p*dstStride+c] = src[c*srcStride+p]. Packing uses it for
// the transposed operands, whose panels are made of such blocks.
func transpose8x8(dst []float32, dstStride int, src []float32, srcStride int) {
	if len(dst) < 7*dstStride+8 || len(src) < 7*srcStride+8 {
		panic(fmt.Sprintf("gemm: 8x8 transpose needs %d and %d values, has %d and %d",
			7*dstStride+8, 7*srcStride+8, len(dst), len(src)))
	}
	if hasAVXTranspose() {
		transpose8x8AVX(dst, dstStride, src, srcStride)
		return
	}
	transpose8x8Go(dst, dstStride, src, srcStride)
}

// transpose8x8Go is transpose8x8 in plain Go.
func transpose8x8Go(dst []float32, dstStride int, src []float32, srcStride int) {
	for c := range 8 {
		row := (*[8]float32)(src[c*srcStride:])
		for p, v := range row {
			dst[p*dstStride+c] = v
		}
	}
}
