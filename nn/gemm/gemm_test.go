package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSgemmMatchesReference compares every kernel with a float64 reference over awkward
// sizes, all four transposition cases, scaling variants and padded strides.
func TestSgemmMatchesReference(t *testing.T) {
	sizes := []struct{ m, n, k int }{
		{1, 1, 1}, {7, 13, 5}, {6, 16, 1}, {6, 16, 256}, {5, 15, 3}, {12, 32, 257},
		{1, 40, 9}, {40, 1, 9}, {16, 768, 8}, {31, 17, 0}, {129, 65, 257}, {150, 35, 520},
		{17, 48, 300}, {300, 8, 300},
		// Around the AVX-512 kernel's 16-row tiles and the four-panel limit of reading
		// an operand in place.
		{33, 64, 300}, {64, 16, 513}, {65, 65, 20}, {16, 1, 700}, {2, 768, 20},
		// A single row: the row kernel, where the kernel has one.
		{1, 300, 600},
		// B read in place, the rows of A packed once for several chunks of columns.
		{40, 512, 520}, {24, 512, 300},
		// One column, odd m and k: with pad 0 (ldc = 1) the row kernel on the transposed
		// product (op(A) = A^T) or the column kernel (op(A) = A), otherwise the tiles.
		{37, 1, 301}, {301, 1, 37}, {129, 1, 513},
		// Partial panels of A of at most eight rows read in place; a small B read in
		// place under many row panels; attention's shapes.
		{24, 32, 24}, {20, 24, 32}, {100, 32, 20}, {128, 64, 32}, {32, 128, 64},
		// B of up to 2^16 values and 256 columns read in place under many row panels,
		// several kc slices deep.
		{200, 48, 600}, {97, 256, 256},
	}
	scalings := []struct{ alpha, beta float32 }{{1, 0}, {-0.5, 1}, {2, -1.5}, {0, 0.5}, {0, 0}}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range sizes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for si, sc := range scalings {
				pad := si % 3 * 3 // strides equal to, and larger than, the widths
				name := fmt.Sprintf("%s_%dx%dx%d/alpha=%g,beta=%g,pad=%d",
					transName(tr[0], tr[1]), sz.m, sz.n, sz.k, sc.alpha, sc.beta, pad)
				t.Run(name, func(t *testing.T) {
					o := newOperands(rng, tr[0], tr[1], sz.m, sz.n, sz.k, pad, sc.alpha, sc.beta)
					want, bound := reference(o)
					for _, kern := range kernels(t) {
						got := slices.Clone(o.c)
						pool := newPool(2, kern)
						pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda,
							o.b, o.ldb, o.beta, got, o.ldc)
						pool.Close()
						t.Run(kern.name, func(t *testing.T) { checkAgainst(t, o, got, want, bound) })
					}
				})
			}
		}
	}
}

// TestSgemmThreadCountIndependent checks that 1, 2, 3 and 7 threads give bit-identical
// results, through both the Pool and the package-level Sgemm, for sizes large enough to be
// split and with a k deeper than one kc slice.
func TestSgemmThreadCountIndependent(t *testing.T) {
	sizes := []struct{ m, n, k int }{{97, 203, 300}, {300, 50, 80}, {13, 700, 40}, {64, 64, 64}, {20, 300, 4000}, {17, 48, 2000}, {1, 700, 600},
		{40, 768, 600}, {24, 512, 700}, {300, 64, 700},
		// op(B) above sharedMin in one column slab: the goroutines share its packing.
		{70, 272, 1940}}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels(t) {
		for _, sz := range sizes {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				name := fmt.Sprintf("%s/%s_%dx%dx%d", kern.name, transName(tr[0], tr[1]), sz.m, sz.n, sz.k)
				t.Run(name, func(t *testing.T) {
					o := newOperands(rng, tr[0], tr[1], sz.m, sz.n, sz.k, 1, 0.75, 0.25)
					var first []float32
					for _, threads := range []int{1, 2, 3, 7} {
						viaPool := slices.Clone(o.c)
						pool := newPool(threads, kern)
						pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda,
							o.b, o.ldb, o.beta, viaPool, o.ldc)
						pool.Close()
						viaCall := slices.Clone(o.c)
						pr := problem{transA: o.transA, transB: o.transB, m: o.m, n: o.n, k: o.k,
							alpha: o.alpha, a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: o.beta,
							c: viaCall, ldc: o.ldc}
						sgemmOnce(&pr, kern, threads)
						if first == nil {
							first = viaPool
						}
						if i := firstDifference(first, viaPool); i >= 0 {
							t.Fatalf("Pool with %d threads: element %d = %g, with 1 thread %g",
								threads, i, viaPool[i], first[i])
						}
						if i := firstDifference(first, viaCall); i >= 0 {
							t.Fatalf("Sgemm with %d threads: element %d = %g, with 1 thread %g",
								threads, i, viaCall[i], first[i])
						}
					}
				})
			}
		}
	}
}

// firstDifference returns the first index where x and y differ bit for bit, or -1.
func firstDifference(x, y []float32) int {
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return i
		}
	}
	return -1
}

// TestPublicSgemm runs the exported entry points, which use OpenBLAS under the openblas
// build tag and the packed kernels otherwise, against the reference and across threads.
func TestPublicSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
		t.Run(transName(tr[0], tr[1]), func(t *testing.T) {
			o := newOperands(rng, tr[0], tr[1], 70, 90, 300, 2, 1.5, -0.5)
			want, bound := reference(o)
			var first []float32
			for _, threads := range []int{1, 2, 3, 7} {
				viaCall := slices.Clone(o.c)
				Sgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
					o.beta, viaCall, o.ldc, threads)
				checkAgainst(t, o, viaCall, want, bound)
				viaPool := slices.Clone(o.c)
				pool := NewPool(threads)
				pool.Sgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
					o.beta, viaPool, o.ldc)
				pool.Close()
				if first == nil {
					first = viaCall
				}
				if i := firstDifference(first, viaCall); i >= 0 {
					t.Fatalf("Sgemm with %d threads differs at element %d", threads, i)
				}
				if i := firstDifference(first, viaPool); i >= 0 {
					t.Fatalf("Pool.Sgemm with %d threads differs at element %d", threads, i)
				}
			}
		})
	}
}

// TestSgemmBetaZeroIgnoresC checks that with beta = 0 a NaN or Inf in C is overwritten,
// not propagated, on interior and edge tiles and when k is 0.
func TestSgemmBetaZeroIgnoresC(t *testing.T) {
	for _, kern := range kernels(t) {
		for _, k := range []int{0, 3, 300} {
			m, n := 13, 37
			rng := rand.New(rand.NewPCG(5, uint64(k)))
			a, b := randomSlice(rng, m*k), randomSlice(rng, k*n)
			c := make([]float32, m*n)
			for i := range c {
				c[i] = float32(math.NaN())
				if i%2 == 0 {
					c[i] = float32(math.Inf(-1))
				}
			}
			pool := newPool(1, kern)
			pool.packedSgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			for i, v := range c {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s k=%d: C[%d] = %g after beta=0", kern.name, k, i, v)
				}
			}
		}
	}
}

// TestSgemmRejectsBadArguments feeds inconsistent sizes, strides and lengths and checks the
// panic names the culprit.
func TestSgemmRejectsBadArguments(t *testing.T) {
	ok := func() (int, int, int, []float32, int, []float32, int, []float32, int) {
		return 4, 5, 3, make([]float32, 12), 3, make([]float32, 15), 5, make([]float32, 20), 5
	}
	tests := []struct {
		name   string
		mutate func(m, n, k *int, a *[]float32, lda *int, b *[]float32, ldb *int, c *[]float32, ldc *int)
		want   string
	}{
		{"negative m", func(m, _, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int) { *m = -1 }, "negative size"},
		{"negative k", func(_, _, k *int, _ *[]float32, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int) { *k = -2 }, "negative size"},
		{"lda too small", func(_, _, _ *int, _ *[]float32, lda *int, _ *[]float32, _ *int, _ *[]float32, _ *int) { *lda = 2 }, "lda = 2"},
		{"ldb too small", func(_, _, _ *int, _ *[]float32, _ *int, _ *[]float32, ldb *int, _ *[]float32, _ *int) { *ldb = 4 }, "ldb = 4"},
		{"ldc too small", func(_, _, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int, _ *[]float32, ldc *int) { *ldc = 1 }, "ldc = 1"},
		{"A too short", func(_, _, _ *int, a *[]float32, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int) { *a = (*a)[:11] }, "A has 11 elements"},
		{"B too short", func(_, _, _ *int, _ *[]float32, _ *int, b *[]float32, _ *int, _ *[]float32, _ *int) { *b = nil }, "B has 0 elements"},
		{"C too short", func(_, _, _ *int, _ *[]float32, _ *int, _ *[]float32, _ *int, c *[]float32, _ *int) { *c = (*c)[:19] }, "C has 19 elements"},
		{"stride exceeds A", func(_, _, _ *int, _ *[]float32, lda *int, _ *[]float32, _ *int, _ *[]float32, _ *int) { *lda = 4 }, "A has 12 elements, want at least 15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, n, k, a, lda, b, ldb, c, ldc := ok()
			tt.mutate(&m, &n, &k, &a, &lda, &b, &ldb, &c, &ldc)
			defer func() {
				r := recover()
				if r == nil {
					t.Fatalf("no panic, want one containing %q", tt.want)
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, tt.want) {
					t.Fatalf("panic %q, want it to contain %q", msg, tt.want)
				}
			}()
			Sgemm(false, false, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, 2)
		})
	}
}

// TestSgemmEmptyOutput checks that m = 0 or n = 0 is a no-op that accepts empty slices.
func TestSgemmEmptyOutput(t *testing.T) {
	Sgemm(false, false, 0, 5, 3, 1, nil, 3, make([]float32, 15), 5, 0, nil, 5, 2)
	Sgemm(true, true, 4, 0, 3, 1, make([]float32, 12), 4, nil, 3, 0, nil, 0, 2)
}

// TestSgemmTrivialValues checks exact results on a product small enough to do by hand.
func TestSgemmTrivialValues(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}    // 2 x 3
	b := []float32{7, 8, 9, 10, 11, 12} // 3 x 2
	c := []float32{1, 1, 1, 1}          // 2 x 2
	want := []float32{2*58 + 1, 2*64 + 1, 2*139 + 1, 2*154 + 1}
	Sgemm(false, false, 2, 2, 3, 2, a, 3, b, 2, 1, c, 2, 1)
	if !slices.Equal(c, want) {
		t.Fatalf("got %v, want %v", c, want)
	}
}

// TestAssemblyKernelsAgree checks that the assembly kernels that this CPU runs give
// bit-identical products: each sums every element over p in increasing order with one
// fused multiply-add per term and updates C the same way, so the choice between them
// (by CPU or by EnvKernel) changes the speed and never the result.
func TestAssemblyKernelsAgree(t *testing.T) {
	var asm []kernel
	for _, kern := range kernels(t) {
		if kern.name != portableKernel.name {
			asm = append(asm, kern)
		}
	}
	if len(asm) < 2 {
		t.Skipf("this CPU runs %d assembly kernels; nothing to compare", len(asm))
	}
	rng := rand.New(rand.NewPCG(11, 12))
	sizes := []struct{ m, n, k int }{{97, 203, 300}, {16, 768, 8}, {33, 8, 600}, {1, 50, 1000}, {1, 300, 700},
		{300, 1, 700}, {24, 32, 24}, {20, 24, 32}, {100, 32, 20}, {40, 40, 300}, {130, 8, 17}, {200, 48, 600}}
	for _, sz := range sizes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			o := newOperands(rng, tr[0], tr[1], sz.m, sz.n, sz.k, 1, 0.75, 0.25)
			var first []float32
			for _, kern := range asm {
				got := slices.Clone(o.c)
				pool := newPool(2, kern)
				pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda,
					o.b, o.ldb, o.beta, got, o.ldc)
				pool.Close()
				if first == nil {
					first = got
					continue
				}
				if i := firstDifference(first, got); i >= 0 {
					t.Fatalf("%s_%dx%dx%d: kernel %s gives %g at element %d, %s %g",
						transName(tr[0], tr[1]), sz.m, sz.n, sz.k, kern.name, got[i], i,
						asm[0].name, first[i])
				}
			}
		}
	}
}

// TestOneColumnForms checks products of one column (n = 1), which, when C's values are
// adjacent (ldc = 1), a kernel with a row form computes as the transposed one-row product
// (op(A) = A^T) and one with a column form with it (op(A) = A): for every transposition, with 1, 2, 3 and 7 threads, C with ldc = 1 is bit-identical to
// the same product into a C with ldc = 3, which the tiles compute. TestSgemmMatchesReference
// checks both against float64 sums.
func TestOneColumnForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	sizes := []struct{ m, k int }{{1, 1}, {17, 5}, {300, 301}, {1000, 700}}
	scalings := []struct{ alpha, beta float32 }{{1, 0}, {0.75, 0.25}, {-2, 1}}
	for _, kern := range kernels(t) {
		for _, tc := range cross(sizes, scalings) {
			sz, sc := tc.x, tc.y
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				name := fmt.Sprintf("%s/%s_%dx1x%d/alpha=%g,beta=%g", kern.name,
					transName(tr[0], tr[1]), sz.m, sz.k, sc.alpha, sc.beta)
				t.Run(name, func(t *testing.T) {
					o := newOperands(rng, tr[0], tr[1], sz.m, 1, sz.k, 0, sc.alpha, sc.beta)
					const ldc = 3
					tiled := make([]float32, (sz.m-1)*ldc+1)
					for i := range sz.m {
						tiled[i*ldc] = o.c[i]
					}
					pool := newPool(1, kern)
					pool.packedSgemm(o.transA, o.transB, o.m, 1, o.k, o.alpha, o.a, o.lda,
						o.b, o.ldb, o.beta, tiled, ldc)
					pool.Close()
					for _, threads := range []int{1, 2, 3, 7} {
						got := slices.Clone(o.c)
						pool := newPool(threads, kern)
						pool.packedSgemm(o.transA, o.transB, o.m, 1, o.k, o.alpha, o.a, o.lda,
							o.b, o.ldb, o.beta, got, 1)
						pool.Close()
						for i := range sz.m {
							if math.Float32bits(got[i]) != math.Float32bits(tiled[i*ldc]) {
								t.Fatalf("%d threads: C[%d] = %g with ldc = 1, %g with ldc = %d",
									threads, i, got[i], tiled[i*ldc], ldc)
							}
						}
					}
				})
			}
		}
	}
}

// TestSharedSlabFallback checks the two ways a goroutine gets op(B) when the goroutines of a
// product pack it together: from the shared slab, and, when a part of that slab that
// another goroutine took is never finished (a goroutine the operating system paused),
// from a slab of its own after polling; both give the reference product.
func TestSharedSlabFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kern := range kernels(t) {
		for _, stalled := range []bool{false, true} {
			o := newOperands(rng, false, true, 100, 203, 2600, 1, 1, 0.5) // op(B) above sharedMin
			want, bound := reference(o)
			pr := o.problem()
			var jb job
			var shared []float32
			jb.start(pr, kern, 2, &shared)
			if jb.sharedB == nil {
				t.Fatalf("%s: a %dx%dx%d product on 2 goroutines packs no shared slab", kern.name, o.m, o.n, o.k)
			}
			if stalled {
				jb.bNext.Store(int64(jb.bParts)) // every part taken, none finished
			}
			var ws workspace
			ws.work(&jb) // one goroutine takes every chunk
			if got := jb.bDone.Load(); stalled != (got == 0) {
				t.Fatalf("%s, stalled %v: %d parts of the shared slab packed", kern.name, stalled, got)
			}
			t.Run(fmt.Sprintf("%s/stalled=%v", kern.name, stalled), func(t *testing.T) {
				checkAgainst(t, o, pr.c, want, bound)
			})
		}
	}
}

// TestEdgePanelInPlace checks that reading the partial panel of A in place (when the
// rows the kernel reads lie within the caller's slice) and packing it (when they do not)
// give bit-identical products: the same product runs on a tight A, and on A followed by
// NaN values, which the kernel then reads for rows it does not store.
func TestEdgePanelInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, kern := range kernels(t) {
		for _, sz := range []struct{ m, n, k int }{{17, 16, 7}, {20, 32, 17}, {24, 24, 32},
			{25, 48, 65}, {31, 64, 300}, {8, 16, 9}, {3, 40, 1}} {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				o := newOperands(rng, tr[0], tr[1], sz.m, sz.n, sz.k, 0, 0.5, 0.25)
				tight := slices.Clone(o.c)
				pool := newPool(1, kern)
				pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b,
					o.ldb, o.beta, tight, o.ldc)
				long := make([]float32, len(o.a)+16*o.lda+16)
				copy(long, o.a)
				for i := len(o.a); i < len(long); i++ {
					long[i] = float32(math.NaN())
				}
				roomy := slices.Clone(o.c)
				pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, long, o.lda, o.b,
					o.ldb, o.beta, roomy, o.ldc)
				pool.Close()
				if i := firstDifference(tight, roomy); i >= 0 {
					t.Fatalf("%s %s_%dx%dx%d: element %d is %g with A followed by NaN, %g with a tight A",
						kern.name, transName(tr[0], tr[1]), sz.m, sz.n, sz.k, i, roomy[i], tight[i])
				}
			}
		}
	}
}
