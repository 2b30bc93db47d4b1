//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

//go:noescape
func sumRows4AVX(x *float32, d int, sums *[16]float64)

//go:noescape
func sqDevRows4AVX(x *float32, d int, mean *[4]float64, sums *[16]float64)

// haveMeanVariance4 says whether meanVariance4 runs the vector passes (AVX).
var haveMeanVariance4 = cpu.X86.HasAVX

// meanVariance4 is meanVariance of the four adjacent rows of d floats in x (d > 0, a
// multiple of 4), bit for bit, with the rows' sums computed side by side.
func meanVariance4(x []float32, d int, mean, variance *[4]float64) {
	_ = x[4*d-1]
	var s [16]float64
	sumRows4AVX(&x[0], d, &s)
	for r := range 4 {
		mean[r] = ((s[4*r] + s[4*r+1]) + (s[4*r+2] + s[4*r+3])) / float64(d)
	}
	sqDevRows4AVX(&x[0], d, mean, &s)
	for r := range 4 {
		variance[r] = ((s[4*r] + s[4*r+1]) + (s[4*r+2] + s[4*r+3])) / float64(d)
	}
}

//go:noescape
func layerNormGradSums4AVX(dy, x, gain *float32, d int, ms *[32]float32, sums *[8]float64)

// layerNormGradSums4 returns, for the four adjacent rows of d floats of dy and x (d > 0,
// a multiple of 4) with means m and scales s, layerNormGradSums of each row, bit for bit,
// with the four rows' sums computed side by side.
func layerNormGradSums4(dy, x, g []float32, d int, m, s *[4]float32) (sumG, sumGX [4]float64) {
	_, _, _ = dy[4*d-1], x[4*d-1], g[d-1]
	var ms [32]float32
	for r := range 4 {
		for j := range 4 {
			ms[8*r+j], ms[8*r+4+j] = m[r], s[r]
		}
	}
	var sums [8]float64
	layerNormGradSums4AVX(&dy[0], &x[0], &g[0], d, &ms, &sums)
	copy(sumG[:], sums[:4])
	copy(sumGX[:], sums[4:])
	return sumG, sumGX
}
