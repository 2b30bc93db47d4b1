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

// packEdgeSizes are the sizes around the packing routines' blocks of 8 and 16 values.
var packEdgeSizes = []int{1, 7, 8, 15, 16, 17, 63, 64, 65}

// TestPackTrans16 and TestCopyPanels16 check the AVX-512 packing routines against their
// definitions, value for value, on counts of 0 and up and odd strides; they are skipped
// (and say so) where the CPU lacks AVX-512F or the build has no assembly.
func TestPackTrans16(t *testing.T) {
	if !hasPack16 {
		t.Skip("packTrans16: no AVX-512F on this CPU or no assembly in this build")
	}
	for _, blocks := range []int{0, 1, 2, 3, 5} {
		for _, extra := range []int{0, 1, 7} {
			ld := 16*blocks + extra
			src := randomSlice(rand.New(rand.NewPCG(3, uint64(blocks))), 15*ld+16*blocks)
			dst := make([]float32, 256*blocks+1)
			for i := range dst {
				dst[i] = -99
			}
			packTrans16(dst, src, ld, blocks)
			for i, got := range dst {
				want := float32(-99)
				if i < 256*blocks {
					b, p, r := i/256, i%256/16, i%16
					want = src[r*ld+16*b+p]
				}
				if got != want {
					t.Fatalf("blocks=%d ld=%d: dst[%d] = %g, want %g", blocks, ld, i, got, want)
				}
			}
		}
	}
}

func TestCopyPanels16(t *testing.T) {
	if !hasPack16 {
		t.Skip("copyPanels16: no AVX-512F on this CPU or no assembly in this build")
	}
	for _, depth := range append([]int{0}, packEdgeSizes...) {
		for _, panels := range []int{0, 1, 2, 3, 4} {
			for _, extra := range []int{0, 1, 7} {
				ld := 16*panels + extra
				src := randomSlice(rand.New(rand.NewPCG(4, uint64(depth))), depth*ld+16*panels)
				dst := make([]float32, 16*depth*panels+1)
				for i := range dst {
					dst[i] = -99
				}
				copyPanels16(dst, src, ld, depth, panels)
				for i, got := range dst {
					want := float32(-99)
					if i < 16*depth*panels {
						q, p, x := i/(16*depth), i%(16*depth)/16, i%16
						want = src[p*ld+16*q+x]
					}
					if got != want {
						t.Fatalf("depth=%d panels=%d ld=%d: dst[%d] = %g, want %g", depth, panels, ld, i, got, want)
					}
				}
			}
		}
	}
}

// TestPackEdges checks packA and packB, whichever routines they run on this CPU, against
// the definition of the packed layout for rows (or columns) and depths around the blocks
// of 8 and 16, both transpositions and odd strides.
func TestPackEdges(t *testing.T) {
	for _, trans := range []bool{false, true} {
		for _, rows := range packEdgeSizes {
			for _, depth := range packEdgeSizes {
				rng := rand.New(rand.NewPCG(uint64(rows), uint64(depth)))
				const off = 2 // the block starts at (off, off)
				m, k := rows+off+1, depth+off+1
				for _, mr := range []int{6, 16} {
					ld := k + 2
					if trans {
						ld = m + 2
					}
					if ld%2 == 0 {
						ld++
					}
					a := randomSlice(rng, max(m, k)*ld)
					dst := make([]float32, roundUp(rows, mr)*depth)
					for i := range dst {
						dst[i] = -99
					}
					packA(dst, trans, a, ld, off, off, rows, depth, mr)
					for i, got := range dst {
						q, p, r := i/(mr*depth), i%(mr*depth)/mr, i%mr
						want := float32(0)
						if q*mr+r < rows {
							want = float32(at(a, ld, trans, off+q*mr+r, off+p))
						}
						if got != want {
							t.Fatalf("packA trans=%v mr=%d %dx%d: panel %d p=%d r=%d: got %g, want %g",
								trans, mr, rows, depth, q, p, r, got, want)
						}
					}
				}
				// op(B) is depth x rows here: rows is its column count.
				ld := rows + off + 3
				if trans {
					ld = depth + off + 3
				}
				if ld%2 == 0 {
					ld++
				}
				b := randomSlice(rng, max(m, k)*ld)
				dst := make([]float32, roundUp(rows, nr)*depth)
				for i := range dst {
					dst[i] = -99
				}
				packB(dst, trans, b, ld, off, off, depth, rows)
				for i, got := range dst {
					q, p, c := i/(nr*depth), i%(nr*depth)/nr, i%nr
					want := float32(0)
					if q*nr+c < rows {
						want = float32(at(b, ld, trans, off+p, off+q*nr+c))
					}
					if got != want {
						t.Fatalf("packB trans=%v %dx%d: panel %d p=%d c=%d: got %g, want %g",
							trans, depth, rows, q, p, c, got, want)
					}
				}
			}
		}
	}
}
