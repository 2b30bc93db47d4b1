package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTranspose8x8 checks both transposes (assembly where available, and Go) with strides
// wider than the block, and that nothing outside the block is written.
func TestTranspose8x8(t *testing.T) {
	impls := map[string]func([]float32, int, []float32, int){
		"dispatch": transpose8x8,
		"go":       transpose8x8Go,
	}
	for name, transpose := range impls {
		for _, strides := range [][2]int{{8, 8}, {16, 8}, {8, 300}, {21, 13}} {
			t.Run(fmt.Sprintf("%s/dst=%d,src=%d", name, strides[0], strides[1]), func(t *testing.T) {
				dstStride, srcStride := strides[0], strides[1]
				src := randomSlice(rand.New(rand.NewPCG(3, 3)), 7*srcStride+8)
				dst := make([]float32, 8*dstStride)
				const untouched = -7
				for i := range dst {
					dst[i] = untouched
				}
				transpose(dst, dstStride, src, srcStride)
				for p := range 8 {
					for c := range dstStride {
						got := dst[p*dstStride+c]
						want := float32(untouched)
						if c < 8 {
							want = src[c*srcStride+p]
						}
						if got != want {
							t.Fatalf("dst[%d][%d] = %g, want %g", p, c, got, want)
						}
					}
				}
			})
		}
	}
}

// TestTranspose8x8RejectsShortSlices checks the length guard in front of the assembly.
func TestTranspose8x8RejectsShortSlices(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a source one value short")
		}
	}()
	transpose8x8(make([]float32, 64), 8, make([]float32, 63), 8)
}
