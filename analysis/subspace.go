package analysis

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Similarity computes the normalized subspace similarity of the paper's Section 7.2, eq. 4,
//
//	phi(A1, A2, i, j) = ||U1[:, :i]^T U2[:, :j]||_F^2 / min(i, j)
//
// for every i in 1..r1 and j in 1..r2, where A1 (r1 x d) and A2 (r2 x d) are LoRA A matrices
// and U1 (d x r1), U2 (d x r2) their right-singular vectors in order of decreasing singular
// value. phi(i, j) is in [0, 1]: 1 when the span of the top-i directions of one contains
// that of the top-j of the other (or the reverse), 0 when they are orthogonal. The result
// holds phi(i, j) at row i-1, column j-1.
func Similarity(a1, a2 mat.Matrix) (*mat.Dense, error) {
	r1, _ := a1.Dims()
	r2, _ := a2.Dims()
	return similarity(a1, r1, a2, r2)
}

// similarity is phi over the top-r1 right-singular vectors of m1 and the top-r2 of m2 (any
// shapes with the same number of columns): Similarity of two A matrices takes all their
// rows; two updates ΔW take the top r of theirs.
func similarity(a1 mat.Matrix, r1 int, a2 mat.Matrix, r2 int) (*mat.Dense, error) {
	_, d1 := a1.Dims()
	_, d2 := a2.Dims()
	if d1 != d2 {
		rows1, _ := a1.Dims()
		rows2, _ := a2.Dims()
		return nil, fmt.Errorf("analysis: subspace similarity of %dx%d and %dx%d matrices: input dimensions differ", rows1, d1, rows2, d2)
	}
	_, u1, err := topSingular(a1, r1)
	if err != nil {
		return nil, fmt.Errorf("analysis: subspace similarity: A1: %w", err)
	}
	_, u2, err := topSingular(a2, r2)
	if err != nil {
		return nil, fmt.Errorf("analysis: subspace similarity: A2: %w", err)
	}
	var overlap mat.Dense // overlap[p][q] = <u1_p, u2_q>
	overlap.Mul(u1.T(), u2)
	return phiGrid(&overlap), nil
}

// phiGrid turns the overlaps M = U1^T U2 into phi(i, j) = sum_{p<i, q<j} M[p,q]^2 / min(i, j)
// with one pass of 2-D prefix sums.
func phiGrid(overlap *mat.Dense) *mat.Dense {
	r1, r2 := overlap.Dims()
	phi := mat.NewDense(r1, r2, nil)
	prefix := make([]float64, r2) // prefix[q] = sum over rows < i, columns <= q
	for i := range r1 {
		row := 0.0
		for j := range r2 {
			m := overlap.At(i, j)
			row += m * m
			prefix[j] += row
			phi.Set(i, j, prefix[j]/float64(min(i, j)+1))
		}
	}
	return phi
}

// RandomSimilarity is the baseline of the paper's heatmaps: phi between two random Gaussian
// matrices of shapes r1 x d and r2 x d, drawn from seed.
//
// Its expectation is known. The row space of a Gaussian matrix, and the span of each prefix
// of its right-singular vectors, is a uniformly random subspace: the distribution of A is
// invariant under A -> A Q for orthogonal Q. For a fixed j-dimensional U2 and a uniformly
// random i-dimensional U1, E[U1 U1^T] = (i/d) I, so
//
//	E ||U1^T U2||_F^2 = tr(E[U1 U1^T] U2 U2^T) = (i/d) j,
//
// and E phi(i, j) = i j / (d min(i, j)) = max(i, j) / d (ExpectedRandomPhi).
func RandomSimilarity(r1, r2, d int, seed uint64) (*mat.Dense, error) {
	rng := newRand(seed, 0x5eed_5b5)
	return Similarity(randomGaussian(r1, d, rng), randomGaussian(r2, d, rng))
}

// ExpectedRandomPhi is E phi(i, j) = max(i, j)/d for independent uniformly random subspaces
// of dimensions i and j in R^d (see RandomSimilarity).
func ExpectedRandomPhi(i, j, d int) float64 { return float64(max(i, j)) / float64(d) }
