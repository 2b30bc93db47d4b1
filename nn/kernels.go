package nn

import "math"

// Vector kernels: the element-wise loops that training steps spend their time in outside
// package gemm (AdamW, gradient accumulation, dropout, gradient clipping, LayerNorm rows),
// each a portable Go loop (the reference) and, on amd64, AVX2 and AVX-512 assembly
// (kernels_amd64.s) that gives bit-identical results: the same operations, in the same
// order, on every element, with no fused multiply-add where the Go loop multiplies and
// then adds. The Go loops write float32(a*b) where a product is added, which the Go
// compiler must round before the addition (the spec's rule for explicit conversions),
// so that a GOAMD64=v3 build, which may fuse a*b+c otherwise, computes the same values.
// Sums keep the Go loop's order (clipping's sum of squares adds each element in turn,
// skipping zeros, which leaves a sum of non-negative terms unchanged).
//
// kern is the best variant the CPU supports, chosen once at start-up; the purego build
// tag, or another architecture, leaves only the Go loops (kernels_other.go).

// vecKernels is one variant of every vector kernel. Slices other than the first are at
// least as long as the first, which gives the length (the wrappers below reslice them).
type vecKernels struct {
	name string

	// addTo sets y[i] += x[i].
	addTo func(y, x []float32)
	// add sets y[i] = a[i] + b[i] (Add's forward: addTo after copying a, in one pass).
	add func(y, a, b []float32)
	// addColSums adds rows r = 0..rows-1 of x, x[r*stride:r*stride+len(y)], to y, one row
	// after the other (for each element, the same additions as addTo row by row).
	addColSums func(y, x []float32, stride, rows int)
	// addRows adds x to rows r = 0..rows-1 of y, y[r*stride:r*stride+len(x)] (addTo on
	// each row: Linear's bias).
	addRows func(x, y []float32, stride, rows int)
	// axpy sets y[i] += a·x[i].
	axpy func(y []float32, a float32, x []float32)
	// scaleTo sets y[i] = a·x[i]; y may be x.
	scaleTo func(y []float32, a float32, x []float32)
	// adamW applies one AdamW update to p with gradient g and moments m, v.
	adamW func(p, g, m, v []float32, c *adamWConsts)
	// dropout sets y[i] = x[i]·scale if element lo+i is kept at the threshold, else 0;
	// dropoutGrad adds dy[i]·scale to dx[i] for the kept elements. With set, the
	// gradient kernels (dropoutGrad, layerNormGradRow) first take dx as zero, without
	// reading it: the results of clearing dx and adding, bit for bit.
	dropout     func(y, x []float32, seed uint64, lo int, threshold uint64, scale float32)
	dropoutGrad func(dx, dy []float32, seed uint64, lo int, threshold uint64, scale float32, set bool)
	// sumSquares returns sum + Σ float64(g[i])², added in index order (zeros skipped).
	sumSquares func(sum float64, g []float32) float64
	// layerNormRow sets y[j] = (x[j]-m)·s·g[j] + b[j].
	layerNormRow func(y, x, g, b []float32, m, s float32)
	// layerNormGradRow adds (dy[j]·g[j] - meanG - (x[j]-m)·s·meanGX)·s to dx[j].
	layerNormGradRow func(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool)
	// layerNormGainGradRow adds dy[j]·(x[j]-m)·s to dg[j].
	layerNormGainGradRow func(dg, dy, x []float32, m, s float32)
}

// goKernels are the portable loops, the reference every other variant must match bit for
// bit.
var goKernels = vecKernels{
	name:                 "go",
	addTo:                addToGo,
	add:                  addGo,
	addColSums:           addColSumsGo,
	addRows:              addRowsGo,
	axpy:                 axpyGo,
	scaleTo:              scaleToGo,
	adamW:                adamWGo,
	dropout:              dropoutGo,
	dropoutGrad:          dropoutGradGo,
	sumSquares:           sumSquaresGo,
	layerNormRow:         layerNormRowGo,
	layerNormGradRow:     layerNormGradRowGo,
	layerNormGainGradRow: layerNormGainGradRowGo,
}

// kern is the variant the ops use: the fastest one the CPU supports.
var kern = bestKernels()

// addTo computes y += x element-wise.
func addTo(y, x []float32) { kern.addTo(y, x[:len(y)]) }

// addColSums adds rows 0..rows-1 of x (row r starts at r*stride) to y, in row order.
func addColSums(y, x []float32, stride, rows int) {
	if rows <= 0 || len(y) == 0 {
		return
	}
	_ = x[(rows-1)*stride+len(y)-1] // every row is in x
	kern.addColSums(y, x, stride, rows)
}

// addRows adds x to rows 0..rows-1 of y (row r starts at r*stride).
func addRows(x, y []float32, stride, rows int) {
	if rows <= 0 || len(x) == 0 {
		return
	}
	_ = y[(rows-1)*stride+len(x)-1] // every row is in y
	kern.addRows(x, y, stride, rows)
}

func addRowsGo(x, y []float32, stride, rows int) {
	for r := range rows {
		addToGo(y[r*stride:r*stride+len(x)], x)
	}
}

// axpy computes y += a*x element-wise.
func axpy(y []float32, a float32, x []float32) { kern.axpy(y, a, x[:len(y)]) }

// scaleTo computes y = a*x element-wise; y may be x.
func scaleTo(y []float32, a float32, x []float32) { kern.scaleTo(y, a, x[:len(y)]) }

func addToGo(y, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += x[i]
	}
}

// add computes y = a + b element-wise.
func add(y, a, b []float32) { kern.add(y, a[:len(y)], b[:len(y)]) }

func addGo(y, a, b []float32) {
	a, b = a[:len(y)], b[:len(y)]
	for i := range y {
		y[i] = a[i] + b[i]
	}
}

func addColSumsGo(y, x []float32, stride, rows int) {
	for r := range rows {
		addToGo(y, x[r*stride:r*stride+len(y)])
	}
}

func axpyGo(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += float32(a * x[i])
	}
}

func scaleToGo(y []float32, a float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] = a * x[i]
	}
}

// adamWConsts are the scalars of one AdamW update of a parameter (see AdamW): the
// assembly reads them in this order.
type adamWConsts struct {
	b1, ob1 float32 // β₁, 1-β₁
	b2, ob2 float32 // β₂, 1-β₂
	c1, c2  float32 // bias corrections 1-β₁ᵗ, 1-β₂ᵗ
	eta     float32 // learning rate
	shrink  float32 // 1 - η·λ
	eps     float32
	// gscale multiplies every gradient first, g = float32(gscale·g) (ClipGradNorm's
	// rescale, done here instead of in a pass of its own; 1 when there is none).
	gscale float32
	// zeroSkip, when not 0, lets a vector kernel update a block whose g, m and v are
	// all zero (m and v +0 bit for bit) as p = p·shrink, leaving m and v alone: what
	// the full update computes there (+0 moments and a +0 step) when the constants
	// allow it (see adamWZeroSkip). An embedding table's rows that no batch has
	// reached yet are such blocks.
	zeroSkip uint32
}

// adamWZeroSkip says whether the update of a zero gradient with zero moments is exactly
// p = p·shrink for these constants: m = β₁·0 + (1-β₁)·(±0) = +0 and v = +0 need
// non-negative β's, m/c1 and v/c2 positive c's, √0 + ε = ε a positive ε, η·(+0) = +0 a
// finite non-negative η, and float32(gscale·(±0)) = ±0 a finite gscale; then the step is
// +0/ε = +0 and p·shrink - (+0) is p·shrink, whatever p.
func adamWZeroSkip(c *adamWConsts) bool {
	finite := func(x float32) bool { return !math.IsInf(float64(x), 0) && x == x }
	return c.b1 >= 0 && c.ob1 >= 0 && c.b2 >= 0 && c.ob2 >= 0 && finite(c.b1) && finite(c.ob1) &&
		finite(c.b2) && finite(c.ob2) && c.c1 > 0 && c.c2 > 0 && c.eps > 0 && c.eta >= 0 &&
		finite(c.eta) && finite(c.gscale)
}

func adamWGo(p, g, m, v []float32, c *adamWConsts) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		gi *= c.gscale
		mi := float32(c.b1*m[i]) + float32(c.ob1*gi)
		vi := float32(c.b2*v[i]) + float32(float32(c.ob2*gi)*gi)
		m[i], v[i] = mi, vi
		mHat, vHat := mi/c.c1, vi/c.c2
		p[i] = float32(p[i]*c.shrink) - float32(c.eta*mHat)/(sqrt32(vHat)+c.eps)
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

func dropoutGo(y, x []float32, seed uint64, lo int, threshold uint64, scale float32) {
	x = x[:len(y)]
	for i := range y {
		if kept(seed, lo+i, threshold) {
			y[i] = x[i] * scale
		} else {
			y[i] = 0
		}
	}
}

func dropoutGradGo(dx, dy []float32, seed uint64, lo int, threshold uint64, scale float32, set bool) {
	dy = dy[:len(dx)]
	if set { // dx may be dy itself: no clearing first
		var zero float32
		for i := range dx {
			if kept(seed, lo+i, threshold) {
				dx[i] = zero + float32(dy[i]*scale)
			} else {
				dx[i] = 0
			}
		}
		return
	}
	for i := range dx {
		if kept(seed, lo+i, threshold) {
			dx[i] += float32(dy[i] * scale)
		}
	}
}

// sumSquaresGo adds the squares in order. A square of a float32 is exact in float64, and
// adding +0 to a sum of squares (never -0) leaves it unchanged, so zeros may be skipped.
func sumSquaresGo(sum float64, g []float32) float64 {
	for _, x := range g {
		sum += float64(float64(x) * float64(x))
	}
	return sum
}

// sumSquaresAnyOrderGo adds the squares in eight partial sums (ClipScale's bound needs
// no particular order).
func sumSquaresAnyOrderGo(g []float32) float64 {
	var s [8]float64
	i := 0
	for ; i+8 <= len(g); i += 8 {
		b := g[i : i+8 : i+8]
		for l, x := range b {
			s[l] += float64(x) * float64(x)
		}
	}
	for ; i < len(g); i++ {
		s[0] += float64(g[i]) * float64(g[i])
	}
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

func layerNormRowGo(y, x, g, b []float32, m, s float32) {
	x, g, b = x[:len(y)], g[:len(y)], b[:len(y)]
	for j, v := range x {
		y[j] = float32((v-m)*s*g[j]) + b[j]
	}
}

func layerNormGradRowGo(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool) {
	dy, x, g = dy[:len(dx)], x[:len(dx)], g[:len(dx)]
	if set { // dx may be dy itself: no clearing first
		var zero float32
		for j, v := range x {
			dx[j] = zero + float32((float32(dy[j]*g[j])-meanG-float32((v-m)*s*meanGX))*s)
		}
		return
	}
	for j, v := range x {
		dx[j] += float32((float32(dy[j]*g[j]) - meanG - float32((v-m)*s*meanGX)) * s)
	}
}

func layerNormGainGradRowGo(dg, dy, x []float32, m, s float32) {
	dy, x = dy[:len(dg)], x[:len(dg)]
	for j, v := range x {
		dg[j] += float32(dy[j] * (v - m) * s)
	}
}
