//go:build !amd64 || purego

package nn

const haveMeanVariance4 = false

// meanVariance4 is meanVariance of four adjacent rows of d floats in x.
func meanVariance4(x []float32, d int, mean, variance *[4]float64) {
	for r := range 4 {
		mean[r], variance[r] = meanVariance(x[r*d : (r+1)*d])
	}
}

// layerNormGradSums4 is layerNormGradSums of four adjacent rows of d floats.
func layerNormGradSums4(dy, x, g []float32, d int, m, s *[4]float32) (sumG, sumGX [4]float64) {
	for r := range 4 {
		sumG[r], sumGX[r] = layerNormGradSums(dy[r*d:(r+1)*d], x[r*d:(r+1)*d], g, m[r], s[r])
	}
	return sumG, sumGX
}
