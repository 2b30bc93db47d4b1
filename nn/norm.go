package nn

import (
	"fmt"
	"math"
)

// LayerNorm normalises each row of x [N,D] to zero mean and unit variance, then applies
// the gain g [D] and bias b [D]:
//
//	μ = mean(x), σ² = mean((x-μ)²), x̂ = (x-μ)/√(σ²+eps), y = g⊙x̂ + b.
//
// Backward, per row, with ĝ = dy⊙g:
//
//	dx += (ĝ - mean(ĝ) - x̂·mean(ĝ⊙x̂)) / √(σ²+eps),  dg += Σ_rows dy⊙x̂,  db += Σ_rows dy.
func (t *Tape) LayerNorm(x, g, b *Tensor, eps float32) *Tensor {
	const name = "nn.LayerNorm"
	need2D(name, "x", x)
	n, d := x.Shape[0], x.Shape[1]
	needVector(name, "g", g, d, "x", x.Shape)
	needVector(name, "b", b, d, "x", x.Shape)
	if !(eps > 0) {
		panic(fmt.Sprintf("%s: eps %v must be positive", name, eps))
	}
	o := t.record("LayerNorm", layerNormBackward, [5]*Tensor{x, g, b}, n, d)
	o.overwrites = 1 // a stale dx is written, not cleared and added into
	o.scalar = eps
	o.saved = t.floats.take(2 * n) // mean of each row, then 1/√(σ²+eps) of each row
	t.parallel(o, n, rowGrain(4*d), layerNormForward)
	return o.out
}

func layerNormForward(o *op, _, lo, hi int) {
	x, g, b := o.in[0], o.in[1].Data, o.in[2].Data
	n, d := x.Shape[0], x.Shape[1]
	mean, rstd := o.saved[:n], o.saved[n:]
	r := lo
	if haveMeanVariance4 && d%4 == 0 {
		// Four rows at a time: the same statistics as meanVariance, bit for bit.
		var mu4, var4 [4]float64
		for ; r+4 <= hi; r += 4 {
			meanVariance4(x.Data[r*d:(r+4)*d], d, &mu4, &var4)
			for i := range 4 {
				layerNormRowStats(o, g, b, r+i, d, mu4[i], var4[i], mean, rstd)
			}
		}
	}
	for ; r < hi; r++ {
		mu, variance := meanVariance(x.Data[r*d : (r+1)*d])
		layerNormRowStats(o, g, b, r, d, mu, variance, mean, rstd)
	}
}

// layerNormRowStats normalizes row r of o's input with its mean and variance and saves
// the mean and 1/σ for backward.
func layerNormRowStats(o *op, g, b []float32, r, d int, mu, variance float64, mean, rstd []float32) {
	xr, yr := o.in[0].Data[r*d:(r+1)*d], o.out.Data[r*d:(r+1)*d]
	rs := 1 / math.Sqrt(variance+float64(o.scalar))
	mean[r], rstd[r] = float32(mu), float32(rs)
	kern.layerNormRow(yr, xr, g, b, float32(mu), float32(rs))
}

// meanVariance returns the mean and the (biased) variance of a non-empty row, in two
// passes, each summing in float64 over four interleaved partial sums (separate variables,
// which the compiler keeps in registers, unlike an array).
func meanVariance(row []float32) (mean, variance float64) {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(row); i += 4 {
		r := row[i : i+4 : i+4]
		s0 += float64(r[0])
		s1 += float64(r[1])
		s2 += float64(r[2])
		s3 += float64(r[3])
	}
	for ; i < len(row); i++ {
		s0 += float64(row[i])
	}
	mean = ((s0 + s1) + (s2 + s3)) / float64(len(row))
	s0, s1, s2, s3 = 0, 0, 0, 0
	i = 0
	for ; i+4 <= len(row); i += 4 {
		r := row[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(r[0])-mean, float64(r[1])-mean, float64(r[2])-mean, float64(r[3])-mean
		s0 += float64(d0 * d0)
		s1 += float64(d1 * d1)
		s2 += float64(d2 * d2)
		s3 += float64(d3 * d3)
	}
	for ; i < len(row); i++ {
		dv := float64(row[i]) - mean
		s0 += float64(dv * dv)
	}
	return mean, ((s0 + s1) + (s2 + s3)) / float64(len(row))
}

func layerNormBackward(t *Tape, o *op) {
	n, d := o.in[0].Shape[0], o.in[0].Shape[1]
	if needsGrad(o.in[1]) || needsGrad(o.in[2]) { // first: they read dy, which dx may overwrite
		t.parallel(o, d, rowGrain(3*n), layerNormParamGradCols)
	}
	if needsGrad(o.in[0]) {
		o.takeStale(0)
		o.inPlace(0) // each row's sums read its dy before its dx is written
		t.parallel(o, n, rowGrain(6*d), layerNormInputGrad)
	}
}

func layerNormInputGrad(o *op, _, lo, hi int) {
	x, g := o.in[0], o.in[1].Data
	n, d := x.Shape[0], x.Shape[1]
	mean, rstd := o.saved[:n], o.saved[n:]
	set := o.setting(0)
	row := func(r int, sumG, sumGX float64) {
		meanG, meanGX := float32(sumG/float64(d)), float32(sumGX/float64(d))
		kern.layerNormGradRow(x.Grad[r*d:(r+1)*d], o.out.Grad[r*d:(r+1)*d], x.Data[r*d:(r+1)*d], g, mean[r], rstd[r], meanG, meanGX, set)
	}
	r := lo
	if haveMeanVariance4 && d%4 == 0 {
		// Four rows at a time: the same sums as layerNormGradSums, bit for bit.
		for ; r+4 <= hi; r += 4 {
			m4, s4 := (*[4]float32)(mean[r:r+4]), (*[4]float32)(rstd[r:r+4])
			sumG, sumGX := layerNormGradSums4(o.out.Grad[r*d:(r+4)*d], x.Data[r*d:(r+4)*d], g, d, m4, s4)
			for i := range 4 {
				row(r+i, sumG[i], sumGX[i])
			}
		}
	}
	for ; r < hi; r++ {
		sumG, sumGX := layerNormGradSums(o.out.Grad[r*d:(r+1)*d], x.Data[r*d:(r+1)*d], g, mean[r], rstd[r])
		row(r, sumG, sumGX)
	}
}

// layerNormGradSums returns Σ ĝ and Σ ĝ⊙x̂ of one row (ĝ = dy⊙g, x̂ = (x-m)·s), each
// added in column order in float64 (ĝ·x̂ is exact in float64).
func layerNormGradSums(dy, x, g []float32, m, s float32) (sumG, sumGX float64) {
	dy, g = dy[:len(x)], g[:len(x)]
	for j, v := range x {
		gh := float64(dy[j] * g[j])
		sumG += gh
		sumGX += float64(gh * float64((v-m)*s))
	}
	return sumG, sumGX
}

// layerNormParamGradCols accumulates the gain and bias gradients of columns [lo,hi),
// visiting rows in order.
func layerNormParamGradCols(o *op, _, lo, hi int) {
	x, g, b := o.in[0], o.in[1], o.in[2]
	n, d := x.Shape[0], x.Shape[1]
	mean, rstd := o.saved[:n], o.saved[n:]
	wantG, wantB := needsGrad(g), needsGrad(b)
	if wantG {
		for r := range n {
			kern.layerNormGainGradRow(g.Grad[lo:hi], o.out.Grad[r*d+lo:r*d+hi], x.Data[r*d+lo:r*d+hi], mean[r], rstd[r])
		}
	}
	if wantB {
		addColSums(b.Grad[lo:hi], o.out.Grad[lo:], d, n)
	}
}
