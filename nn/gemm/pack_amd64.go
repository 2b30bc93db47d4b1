//go:build amd64 && !purego

package gemm

import (
	"fmt"

	"golang.org/x/sys/cpu"
)

// hasPack16 reports whether packTrans16 and copyPanels16 run (AVX-512F).
var hasPack16 = cpu.X86.HasAVX512F

// packTrans16AVX512 and copyPanels16AVX512 are in pack_amd64.s; the wrappers below check
// the lengths.
//
//go:noescape
func packTrans16AVX512(dst []float32, src []float32, ld, blocks int)

//go:noescape
func copyPanels16AVX512(dst []float32, src []float32, ld, depth, panels int)

// packTrans16 transposes blocks 16 x 16 blocks of src, side by side (16 rows, ld values
// apart), into dst: dst[256*b+16*p+r] = src[r*ld+16*b+p]. Only where hasPack16.
func packTrans16(dst, src []float32, ld, blocks int) {
	if blocks <= 0 {
		return
	}
	if len(dst) < 256*blocks || len(src) < 15*ld+16*blocks {
		panic(fmt.Sprintf("gemm: packTrans16 of %d blocks needs %d and %d values, has %d and %d",
			blocks, 256*blocks, 15*ld+16*blocks, len(dst), len(src)))
	}
	packTrans16AVX512(dst, src, ld, blocks)
}

// copyPanels16 copies depth rows of 16*panels values of src (ld apart) into panels
// 16-wide micro-panels of dst: dst[16*depth*q+16*p+x] = src[p*ld+16*q+x]. Only where
// hasPack16.
func copyPanels16(dst, src []float32, ld, depth, panels int) {
	if depth <= 0 || panels <= 0 {
		return
	}
	if len(dst) < 16*depth*panels || len(src) < (depth-1)*ld+16*panels {
		panic(fmt.Sprintf("gemm: copyPanels16 of %d x %d panels needs %d and %d values, has %d and %d",
			depth, panels, 16*depth*panels, (depth-1)*ld+16*panels, len(dst), len(src)))
	}
	copyPanels16AVX512(dst, src, ld, depth, panels)
}
