package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMicroKernel checks each kernel on its own: the tile it stores matches a float64
// dot product of the packed panels, rows beyond the requested count and columns beyond nr
// are left alone, and beta = 0 ignores the old C.
func TestMicroKernel(t *testing.T) {
	const ldc = nr + 5
	sentinel := float32(math.Inf(1))
	for _, kern := range kernels(t) {
		mr := kern.mr
		for _, depth := range []int{1, 3, 4, 9, 256} {
			for rows := 1; rows <= mr; rows++ {
				for _, beta := range []float32{0, 1, -0.5} {
					name := fmt.Sprintf("%s/kc=%d/rows=%d/beta=%g", kern.name, depth, rows, beta)
					t.Run(name, func(t *testing.T) {
						rng := rand.New(rand.NewPCG(uint64(depth), uint64(rows)))
						a := randomSlice(rng, depth*mr)
						b := randomSlice(rng, depth*nr)
						c := make([]float32, mr*ldc)
						old := randomSlice(rng, mr*ldc)
						for i := range c {
							c[i] = old[i]
							if i/ldc >= rows || i%ldc >= nr || beta == 0 {
								c[i] = sentinel
							}
						}
						const alpha = 1.25
						kern.run(depth, a, 1, mr, b, nr, c, ldc, rows, alpha, beta)
						for i := range mr {
							for j := range ldc {
								got := c[i*ldc+j]
								if i >= rows || j >= nr {
									if got != sentinel {
										t.Fatalf("C[%d][%d] outside the tile changed to %g", i, j, got)
									}
									continue
								}
								var sum, abs float64
								for p := range depth {
									x := float64(a[p*mr+i]) * float64(b[p*nr+j])
									sum += x
									abs += math.Abs(x)
								}
								want := alpha * sum
								if beta != 0 {
									want += float64(beta) * float64(old[i*ldc+j])
								}
								tol := float64(depth+3) / (1 << 23) * (alpha*abs + math.Abs(float64(beta*old[i*ldc+j])))
								if math.Abs(float64(got)-want) > tol {
									t.Fatalf("C[%d][%d] = %g, want %g (tolerance %.3g)", i, j, got, want, tol)
								}
							}
						}
					})
				}
			}
		}
	}
}

// BenchmarkMicroKernel measures each kernel alone on packed panels that stay in L1 (one
// goroutine, kc = 256, beta = 1), in GFLOPS of wall and of CPU time: the ceiling of what the blocked product can
// reach with it.
func BenchmarkMicroKernel(b *testing.B) {
	for _, kern := range kernels(b) {
		b.Run(kern.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a := randomSlice(rng, kc*kern.mr)
			bp := randomSlice(rng, kc*nr)
			c := randomSlice(rng, kern.mr*nr)
			cpu0, cpuOK := processCPUTime()
			for b.Loop() {
				kern.run(kc, a, 1, kern.mr, bp, nr, c, nr, kern.mr, 1, 1)
			}
			flops := 2 * float64(kc*kern.mr*nr) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			if cpu1, ok := processCPUTime(); ok && cpuOK && cpu1 > cpu0 {
				b.ReportMetric(flops/(cpu1-cpu0).Seconds()/1e9, "GFLOPS-per-CPU")
			}
		})
	}
}

// TestChooseKernel checks the names EnvKernel accepts: empty picks the first kernel this
// CPU runs, a supported name picks that kernel, and an unknown or unsupported name is an
// error that names the variable and says why.
func TestChooseKernel(t *testing.T) {
	cands := candidates()
	var first kernel
	for _, c := range cands {
		if c.ok {
			first = c.kernel
			break
		}
	}
	if k, err := chooseKernel(""); err != nil || k.name != first.name {
		t.Errorf(`chooseKernel("") = %q, %v; want %q`, k.name, err, first.name)
	}
	for _, c := range cands {
		k, err := chooseKernel(c.name)
		switch {
		case c.ok && (err != nil || k.name != c.name || k.mr != c.mr):
			t.Errorf("chooseKernel(%q) = %q (mr %d), %v; want the kernel", c.name, k.name, k.mr, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), c.missing)):
			t.Errorf("chooseKernel(%q) = %v; want an error saying %q", c.name, err, c.missing)
		}
	}
	_, err := chooseKernel("avx1024")
	if err == nil || !strings.Contains(err.Error(), EnvKernel) || !strings.Contains(err.Error(), "no such kernel") {
		t.Errorf(`chooseKernel("avx1024") = %v; want "no such kernel" naming %s`, err, EnvKernel)
	}
}

// TestStripKernel checks the strip form of each kernel that has one: every tile of a strip
// of one to three tiles matches a float64 dot product, for A as a packed panel (aRow = 1)
// and as rows of a row-major matrix read in place (aStep = 1), B as packed panels and as
// a row-major matrix read in place, depths on both sides of the kernel's prefetching
// thresholds, and beta = 0 ignoring the old C; C outside the strip's rows and columns is
// left alone.
func TestStripKernel(t *testing.T) {
	sentinel := float32(math.Inf(-1))
	for _, kern := range kernels(t) {
		if kern.strip == nil {
			t.Logf("kernel %s has no strip form", kern.name)
			continue
		}
		mr := kern.mr
		for _, tc := range cross(cross([]int{1, 8, 17, 40, 256}, []int{1, 3}), []bool{false, true}) {
			depth, panels, inPlace := tc.x.x, tc.x.y, tc.y
			for _, rows := range []int{1, mr - 1, mr} {
				for _, beta := range []float32{0, 1, -0.5} {
					name := fmt.Sprintf("%s/kc=%d/panels=%d/inPlace=%v/rows=%d/beta=%g",
						kern.name, depth, panels, inPlace, rows, beta)
					t.Run(name, func(t *testing.T) {
						checkStrip(t, kern, depth, panels, rows, inPlace, beta, sentinel)
					})
				}
			}
		}
	}
}

// checkStrip runs one strip of kern and compares it with a float64 reference. With inPlace,
// A is row-major (aRow = depth+3, aStep = 1) and B a row-major matrix wider than the strip
// (bStep = panels*nr+5, bPanel = nr); otherwise both are packed panels.
func checkStrip(t *testing.T, kern kernel, depth, panels, rows int, inPlace bool, beta, sentinel float32) {
	mr := kern.mr
	ldc := panels*nr + 3
	rng := rand.New(rand.NewPCG(uint64(depth), uint64(rows*panels)))
	aRow, aStep := 1, mr
	bStep, bPanel := nr, nr*depth
	if inPlace {
		aRow, aStep = depth+3, 1
		bStep, bPanel = panels*nr+5, nr
	}
	a := randomSlice(rng, (mr-1)*aRow+(depth-1)*aStep+1)
	b := randomSlice(rng, depth*bStep*panels)
	aAt := func(i, p int) float64 { return float64(a[i*aRow+p*aStep]) }
	bAt := func(p, j int) float64 { return float64(b[j/nr*bPanel+p*bStep+j%nr]) }
	old := randomSlice(rng, mr*ldc)
	c := make([]float32, mr*ldc)
	for i := range c {
		c[i] = old[i]
		if i/ldc >= rows || i%ldc >= panels*nr || beta == 0 {
			c[i] = sentinel
		}
	}
	const alpha = -0.75
	kern.strip(depth, a, aRow, aStep, b, bStep, bPanel, c, ldc, rows, alpha, beta, panels, nr)
	for i := range mr {
		for j := range ldc {
			got := c[i*ldc+j]
			if i >= rows || j >= panels*nr {
				if got != sentinel {
					t.Fatalf("C[%d][%d] outside the strip changed to %g", i, j, got)
				}
				continue
			}
			var sum, abs float64
			for p := range depth {
				x := aAt(i, p) * bAt(p, j)
				sum += x
				abs += math.Abs(x)
			}
			want := alpha * sum
			if beta != 0 {
				want += float64(beta) * float64(old[i*ldc+j])
			}
			tol := float64(depth+3) / (1 << 23) * (math.Abs(alpha)*abs + math.Abs(float64(beta*old[i*ldc+j])))
			if math.Abs(float64(got)-want) > tol {
				t.Fatalf("C[%d][%d] = %g, want %g (tolerance %.3g)", i, j, got, want, tol)
			}
		}
	}
}

// TestRowKernel checks the row form of each kernel that has one against the kernel's own
// tiles: for widths around its blocks of 16 and 128 columns, strides of A of 1 and 3 and
// every beta, each value of C is bit-identical to what the micro-kernel stores for row 0
// of a packed tile (the row forms promise the same arithmetic), and C past the row's
// width is left alone. TestMicroKernel checks the tiles against float64 sums.
func TestRowKernel(t *testing.T) {
	for _, kern := range kernels(t) {
		if kern.row == nil {
			t.Logf("kernel %s has no row form", kern.name)
			continue
		}
		for _, tc := range cross(cross([]int{1, 7, 256}, []int{1, 15, 16, 17, 128, 200, 300}), []int{1, 3}) {
			depth, cols, aStep := tc.x.x, tc.x.y, tc.y
			for _, beta := range []float32{0, 1, -0.5} {
				name := fmt.Sprintf("%s/kc=%d/cols=%d/aStep=%d/beta=%g", kern.name, depth, cols, aStep, beta)
				t.Run(name, func(t *testing.T) { checkRow(t, kern, depth, cols, aStep, beta) })
			}
		}
	}
}

// checkRow runs the row kernel on one row of cols values and compares it with kern.run on
// tiles whose packed A panel holds the same row (and zeros below it).
func checkRow(t *testing.T, kern kernel, depth, cols, aStep int, beta float32) {
	const pad, alpha = 5, 1.5
	rng := rand.New(rand.NewPCG(uint64(depth*cols), uint64(aStep)))
	a := randomSlice(rng, (depth-1)*aStep+1)
	bStep := cols + pad
	b := randomSlice(rng, depth*bStep)
	old := randomSlice(rng, cols+pad)
	got := slices.Clone(old)
	kern.row(depth, a, aStep, b, bStep, got, alpha, beta, cols)

	panelA := make([]float32, kern.mr*depth)
	for p := range depth {
		panelA[p*kern.mr] = a[p*aStep]
	}
	panelB := make([]float32, depth*nr)
	tile := make([]float32, nr)
	for j0 := 0; j0 < cols; j0 += nr {
		w := min(nr, cols-j0)
		for p := range depth {
			clear(panelB[p*nr : (p+1)*nr])
			copy(panelB[p*nr:p*nr+w], b[p*bStep+j0:])
		}
		clear(tile)
		copy(tile, old[j0:j0+w])
		kern.run(depth, panelA, 1, kern.mr, panelB, nr, tile, nr, 1, alpha, beta)
		for j := range w {
			if got[j0+j] != tile[j] {
				t.Fatalf("C[%d] = %g, the tile kernel gives %g", j0+j, got[j0+j], tile[j])
			}
		}
	}
	for j := cols; j < len(old); j++ {
		if got[j] != old[j] {
			t.Fatalf("C[%d] past the row changed from %g to %g", j, old[j], got[j])
		}
	}
}

// TestColKernel checks the column form of each kernel that has one against the kernel's
// own tiles: for depths around its 16-step blocks, one and three blocks of rows and every
// beta, each value of C is bit-identical to column 0 of the tile that multiplies the same
// rows of A, read in place, by a packed B panel holding x in its first column (the column
// forms promise the same arithmetic), and C past the column is left alone.
func TestColKernel(t *testing.T) {
	for _, kern := range kernels(t) {
		if kern.col == nil {
			t.Logf("kernel %s has no column form", kern.name)
			continue
		}
		for _, tc := range cross([]int{1, 7, 15, 16, 17, 48, 255, 256}, []int{1, 3}) {
			depth, blocks := tc.x, tc.y
			for _, beta := range []float32{0, 1, -0.5} {
				name := fmt.Sprintf("%s/kc=%d/blocks=%d/beta=%g", kern.name, depth, blocks, beta)
				t.Run(name, func(t *testing.T) { checkCol(t, kern, depth, blocks, beta) })
			}
		}
	}
}

// checkCol runs the column kernel on 16*blocks rows and compares it with kern.run on
// tiles of the same rows.
func checkCol(t *testing.T, kern kernel, depth, blocks int, beta float32) {
	const pad, alpha = 3, 1.5
	rows := 16 * blocks
	rng := rand.New(rand.NewPCG(uint64(depth), uint64(blocks)))
	lda := depth + pad
	a := randomSlice(rng, rows*lda)
	x := randomSlice(rng, depth)
	old := randomSlice(rng, rows+pad)
	got := slices.Clone(old)
	kern.col(depth, a, lda, x, got, alpha, beta, blocks)

	panelB := make([]float32, depth*nr)
	for p := range depth {
		panelB[p*nr] = x[p]
	}
	tile := make([]float32, kern.mr*nr)
	for i0 := 0; i0 < rows; i0 += kern.mr {
		h := min(kern.mr, rows-i0)
		clear(tile)
		for i := range h {
			tile[i*nr] = old[i0+i]
		}
		kern.run(depth, a[i0*lda:], lda, 1, panelB, nr, tile, nr, h, alpha, beta)
		for i := range h {
			if math.Float32bits(got[i0+i]) != math.Float32bits(tile[i*nr]) {
				t.Fatalf("C[%d] = %g, the tile kernel gives %g", i0+i, got[i0+i], tile[i*nr])
			}
		}
	}
	for i := rows; i < len(old); i++ {
		if got[i] != old[i] {
			t.Fatalf("C[%d] past the column changed from %g to %g", i, old[i], got[i])
		}
	}
}

// TestStripKernelEdges checks the strip form's short tiles (rows of 1 to mr: at most
// eight rows run half the accumulators) and its masked last tile (lastCols of 1 to nr)
// bit for bit against the kernel's full tiles: each tile of the strip is recomputed as
// a whole mr x nr tile into a scratch tile, whose wanted rows and columns must equal the
// strip's, and C past the strip's rows and its last tile's columns must be left alone.
// Depths cover the kernel's loops of four steps, its tails and its prefetching
// thresholds; A and B are packed or read in place with odd strides.
func TestStripKernelEdges(t *testing.T) {
	sentinel := float32(math.NaN())
	for _, kern := range kernels(t) {
		if kern.strip == nil {
			t.Logf("kernel %s has no strip form: skipped", kern.name)
			continue
		}
		mr := kern.mr
		for _, depth := range []int{1, 7, 8, 15, 16, 17, 63, 64, 65} {
			for _, panels := range []int{1, 2} {
				for _, lastCols := range []int{1, 7, 8, 15, 16} {
					for _, inPlace := range []bool{false, true} {
						for _, beta := range []float32{0, 0.5} {
							for rows := 1; rows <= mr; rows++ {
								checkStripEdge(t, kern, depth, panels, lastCols, rows, inPlace, beta, sentinel)
							}
						}
					}
				}
			}
		}
	}
}

func checkStripEdge(t *testing.T, kern kernel, depth, panels, lastCols, rows int, inPlace bool,
	beta, sentinel float32) {
	t.Helper()
	mr := kern.mr
	cols := (panels-1)*nr + lastCols
	ldc := cols + 1 // odd strides whenever cols is even
	rng := rand.New(rand.NewPCG(uint64(depth*100+lastCols), uint64(rows*panels)))
	aRow, aStep := 1, mr
	bStep, bPanel := nr, nr*depth
	if inPlace {
		aRow, aStep = depth+3, 1
		bStep, bPanel = panels*nr+5, nr
	}
	a := randomSlice(rng, (mr-1)*aRow+(depth-1)*aStep+1)
	b := randomSlice(rng, depth*bStep*panels+bPanel*panels)
	old := randomSlice(rng, mr*ldc)
	c := make([]float32, mr*ldc+1)
	for i := range c {
		c[i] = sentinel
		if i < len(old) && i/ldc < rows && i%ldc < cols && beta != 0 {
			c[i] = old[i]
		}
	}
	const alpha = 1.5
	kern.strip(depth, a, aRow, aStep, b, bStep, bPanel, c, ldc, rows, alpha, beta, panels, lastCols)
	tile := make([]float32, mr*nr)
	for q := range panels {
		for i := range tile {
			tile[i] = old[min(i/nr*ldc+q*nr+i%nr, len(old)-1)]
		}
		kern.run(depth, a, aRow, aStep, b[q*bPanel:], bStep, tile, nr, mr, alpha, beta)
		for i := range mr {
			for j := range nr {
				col := q*nr + j
				if col >= ldc {
					continue
				}
				got := c[i*ldc+col]
				if i >= rows || col >= cols {
					if !math.IsNaN(float64(got)) {
						t.Fatalf("%s kc=%d panels=%d lastCols=%d rows=%d inPlace=%v beta=%g: C[%d][%d] outside the strip changed to %g",
							kern.name, depth, panels, lastCols, rows, inPlace, beta, i, col, got)
					}
					continue
				}
				if want := tile[i*nr+j]; math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%s kc=%d panels=%d lastCols=%d rows=%d inPlace=%v beta=%g: C[%d][%d] = %g, the full tile gives %g",
						kern.name, depth, panels, lastCols, rows, inPlace, beta, i, col, got, want)
				}
			}
		}
	}
	if got := c[len(c)-1]; !math.IsNaN(float64(got)) {
		t.Fatalf("%s: the value after C changed to %g", kern.name, got)
	}
}

// TestPairKernel checks the pair form of each kernel that has one against the kernel's own
// tiles: for A read in place (aRow > 1) and B as packed panels or read in place, depths
// around its groups of four steps, every row count up to eight and every width from 17
// to 32 columns, each value of C is bit-identical to what the micro-kernel stores for the
// same row and column of a full tile, and C outside the block (NaN sentinels) is left
// alone.
func TestPairKernel(t *testing.T) {
	sentinel := float32(math.NaN())
	for _, kern := range kernels(t) {
		if kern.pair == nil {
			t.Logf("kernel %s has no pair form: skipped", kern.name)
			continue
		}
		for _, depth := range []int{1, 3, 4, 5, 17, 64, 256} {
			for _, packedB := range []bool{false, true} {
				for _, beta := range []float32{0, 1, -0.5} {
					for rows := 1; rows <= 8; rows++ {
						for cols := 17; cols <= 32; cols += 3 {
							checkPair(t, kern, depth, rows, cols, packedB, beta, sentinel)
						}
						checkPair(t, kern, depth, rows, 32, packedB, beta, sentinel)
					}
				}
			}
		}
	}
}

func checkPair(t *testing.T, kern kernel, depth, rows, cols int, packedB bool, beta, sentinel float32) {
	t.Helper()
	name := fmt.Sprintf("%s kc=%d rows=%d cols=%d packedB=%v beta=%g", kern.name, depth, rows,
		cols, packedB, beta)
	rng := rand.New(rand.NewPCG(uint64(depth*100+cols), uint64(rows)))
	aRow, aStep := depth+3, 1
	bStep, bPanel := 2*nr+5, nr
	if packedB {
		bStep, bPanel = nr, nr*depth
	}
	ldc := cols + 3
	a := randomSlice(rng, 7*aRow+depth)
	b := randomSlice(rng, (depth-1)*bStep+bPanel+nr)
	old := randomSlice(rng, 8*ldc)
	c := make([]float32, 8*ldc)
	for i := range c {
		c[i] = sentinel
		if i/ldc < rows && i%ldc < cols && beta != 0 {
			c[i] = old[i]
		}
	}
	const alpha = -1.25
	kern.pair(depth, a, aRow, aStep, b, bStep, bPanel, c, ldc, rows, alpha, beta, cols)
	// The tiles, from rows of A padded to mr rows a row stride apart.
	pa := make([]float32, (kern.mr-1)*aRow+depth)
	copy(pa, a)
	for q := range 2 {
		tile := make([]float32, kern.mr*nr)
		for i := range 8 {
			for j := range nr {
				tile[i*nr+j] = old[i*ldc+min(q*nr+j, ldc-1)]
			}
		}
		kern.run(depth, pa, aRow, aStep, b[q*bPanel:], bStep, tile, nr, kern.mr, alpha, beta)
		for i := range 8 {
			for j := range nr {
				col := q*nr + j
				if col >= ldc {
					continue
				}
				got := c[i*ldc+col]
				if i >= rows || col >= cols {
					if !math.IsNaN(float64(got)) {
						t.Fatalf("%s: C[%d][%d] outside the block changed to %g", name, i, col, got)
					}
					continue
				}
				if want := tile[i*nr+j]; math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%s: C[%d][%d] = %g, the tile gives %g", name, i, col, got, want)
				}
			}
		}
	}
}
