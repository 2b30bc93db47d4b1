package spectral

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Values returns the singular values of m in decreasing order.
func Values(m mat.Matrix) ([]float64, error) {
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDNone) {
		r, c := m.Dims()
		return nil, fmt.Errorf("spectral: SVD of a %dx%d matrix did not converge", r, c)
	}
	return svd.Values(nil), nil
}

// leftVectors returns the left singular vectors of m as the columns of a rows x min(rows,
// cols) matrix, in order of decreasing singular value.
func leftVectors(m mat.Matrix) (*mat.Dense, error) {
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDThinU) {
		r, c := m.Dims()
		return nil, fmt.Errorf("spectral: SVD of a %dx%d matrix did not converge", r, c)
	}
	var u mat.Dense
	svd.UTo(&u)
	return &u, nil
}
