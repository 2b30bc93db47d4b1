package analysis

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// denseFromFloat32 copies a row-major float32 matrix into a float64 mat.Dense.
func denseFromFloat32(rows, cols int, data []float32) *mat.Dense {
	d := make([]float64, len(data))
	for i, v := range data {
		d[i] = float64(v)
	}
	return mat.NewDense(rows, cols, d)
}

// topSingular returns the top-k left (rows x k) and right (cols x k) singular vectors of m,
// as columns, in order of decreasing singular value.
func topSingular(m mat.Matrix, k int) (u, v *mat.Dense, err error) {
	rows, cols := m.Dims()
	if k < 1 || k > min(rows, cols) {
		return nil, nil, fmt.Errorf("top %d singular vectors of a %dx%d matrix: want 1 <= k <= %d", k, rows, cols, min(rows, cols))
	}
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThin) {
		return nil, nil, fmt.Errorf("SVD of a %dx%d matrix did not converge", rows, cols)
	}
	var uAll, vAll mat.Dense
	svd.UTo(&uAll)
	svd.VTo(&vAll)
	return mat.DenseCopyOf(uAll.Slice(0, rows, 0, k)), mat.DenseCopyOf(vAll.Slice(0, cols, 0, k)), nil
}

// newRand is the generator of the random baselines: PCG seeded by seed and a stream
// constant, so results are the same on every machine.
func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

// randomGaussian is a rows x cols matrix of independent standard normal entries.
func randomGaussian(rows, cols int, rng *rand.Rand) *mat.Dense {
	d := make([]float64, rows*cols)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return mat.NewDense(rows, cols, d)
}

// randomOrthonormal is an n x k matrix with orthonormal columns spanning a uniformly random
// k-dimensional subspace of R^n: the Q factor of a Gaussian matrix.
func randomOrthonormal(n, k int, rng *rand.Rand) *mat.Dense {
	var qr mat.QR
	qr.Factorize(randomGaussian(n, k, rng))
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, n, 0, k))
}
