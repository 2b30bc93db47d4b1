package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPackA checks the packed layout of op(A) for both transpositions and the tile
// heights of the kernels (and one no kernel has), including a partial
// last micro-panel, which must be padded with zeros.
func TestPackA(t *testing.T) {
	sizes := []struct{ rows, depth, i0, p0 int }{{6, 1, 0, 0}, {13, 7, 2, 3}, {5, 4, 1, 0},
		{12, 3, 1, 1}, {25, 9, 0, 2}, {19, 5, 3, 0}}
	for _, trans := range []bool{false, true} {
		for _, item := range cross([]int{6, 8, 16}, sizes) {
			mr, sz := item.x, item.y
			t.Run(fmt.Sprintf("trans=%v/mr=%d/%dx%d", trans, mr, sz.rows, sz.depth), func(t *testing.T) {
				m, k := sz.i0+sz.rows+1, sz.p0+sz.depth+2
				lda := k + 3
				if trans {
					lda = m + 3
				}
				a := randomSlice(rand.New(rand.NewPCG(1, 1)), (max(m, k)+1)*lda)
				dst := make([]float32, roundUp(sz.rows, mr)*sz.depth)
				for i := range dst {
					dst[i] = -99 // every slot must be overwritten
				}
				packA(dst, trans, a, lda, sz.i0, sz.p0, sz.rows, sz.depth, mr)
				for q := 0; q < roundUp(sz.rows, mr); q += mr {
					for p := range sz.depth {
						for r := range mr {
							got := dst[q*sz.depth+p*mr+r]
							want := float32(0)
							if q+r < sz.rows {
								want = float32(at(a, lda, trans, sz.i0+q+r, sz.p0+p))
							}
							if got != want {
								t.Fatalf("panel %d, p=%d, r=%d: got %g, want %g", q/mr, p, r, got, want)
							}
						}
					}
				}
			})
		}
	}
}

// TestPackB checks the packed layout of op(B) for both transpositions, including a partial
// last micro-panel, which must be padded with zeros.
func TestPackB(t *testing.T) {
	for _, trans := range []bool{false, true} {
		for _, sz := range []struct{ depth, cols, p0, j0 int }{{1, 16, 0, 0}, {7, 37, 3, 2}, {4, 5, 0, 1}, {19, 32, 1, 3}, {16, 40, 0, 0}} {
			t.Run(fmt.Sprintf("trans=%v/%dx%d", trans, sz.depth, sz.cols), func(t *testing.T) {
				k, n := sz.p0+sz.depth+1, sz.j0+sz.cols+2
				ldb := n + 3
				if trans {
					ldb = k + 3
				}
				b := randomSlice(rand.New(rand.NewPCG(2, 2)), (max(k, n)+1)*ldb)
				dst := make([]float32, roundUp(sz.cols, nr)*sz.depth)
				for i := range dst {
					dst[i] = -99
				}
				packB(dst, trans, b, ldb, sz.p0, sz.j0, sz.depth, sz.cols)
				for q := 0; q < roundUp(sz.cols, nr); q += nr {
					for p := range sz.depth {
						for c := range nr {
							got := dst[q*sz.depth+p*nr+c]
							want := float32(0)
							if q+c < sz.cols {
								want = float32(at(b, ldb, trans, sz.p0+p, sz.j0+q+c))
							}
							if got != want {
								t.Fatalf("panel %d, p=%d, c=%d: got %g, want %g", q/nr, p, c, got, want)
							}
						}
					}
				}
			})
		}
	}
}
