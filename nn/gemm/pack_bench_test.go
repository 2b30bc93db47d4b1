package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkPack measures the packing routines on the LoRA and projection shapes, in
// elements packed per nanosecond.
func BenchmarkPack(b *testing.B) {
	for _, sz := range []struct{ rows, depth int }{{768, 8}, {768, 256}} {
		for _, trans := range []bool{false, true} {
			src := randomSlice(rand.New(rand.NewPCG(1, 1)), sz.rows*sz.depth)
			dst := make([]float32, roundUp(sz.rows, nr)*sz.depth)
			b.Run(fmt.Sprintf("B/trans=%v/%dx%d", trans, sz.depth, sz.rows), func(b *testing.B) {
				ld := sz.rows
				if trans {
					ld = sz.depth
				}
				for b.Loop() {
					packB(dst, trans, src, ld, 0, 0, sz.depth, sz.rows)
				}
				b.ReportMetric(float64(sz.rows*sz.depth)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
			})
			b.Run(fmt.Sprintf("A/trans=%v/%dx%d", trans, sz.rows, sz.depth), func(b *testing.B) {
				ld := sz.depth
				if trans {
					ld = sz.rows
				}
				for b.Loop() {
					packA(dst, trans, src, ld, 0, 0, sz.rows, sz.depth, 6)
				}
				b.ReportMetric(float64(sz.rows*sz.depth)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "elem/ns")
			})
		}
	}
}
