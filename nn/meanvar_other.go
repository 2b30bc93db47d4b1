//go:build !amd64 || purego

package nn

const haveMeanVariance4 = false

// meanVariance4 is meanVariance of four adjacent rows of d floats in x.
func meanVariance4(x []float32, d int, mean, variance *[4]float64) {
	for r := range 4 {
		mean[r], variance[r] = meanVariance(x[r*d : (r+1)*d])
	}
}
