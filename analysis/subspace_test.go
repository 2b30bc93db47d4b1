package analysis

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// rowsOfIdentity is the r x d matrix whose rows are e_k for k in idx, each scaled by a
// distinct weight so that the singular vectors are ordered and unique.
func rowsOfIdentity(d int, idx ...int) *mat.Dense {
	a := mat.NewDense(len(idx), d, nil)
	for row, k := range idx {
		a.Set(row, k, float64(len(idx)-row+1))
	}
	return a
}

func TestSimilarityKnownSubspaces(t *testing.T) {
	const d = 16
	rng := newRand(7, 1)
	a := randomGaussian(4, d, rng)
	q := randomOrthonormal(4, 4, rng) // Q·A has the same right-singular vectors as A
	var rotated mat.Dense
	rotated.Mul(q, a)
	var scaled mat.Dense
	scaled.Scale(-3, a)

	tests := []struct {
		name   string
		a1, a2 mat.Matrix
		want   func(i, j int) float64 // expected phi(i, j), 1-based
	}{
		{"identical", a, a, func(i, j int) float64 { return 1 }},
		{"scaled copy", a, &scaled, func(i, j int) float64 { return 1 }},
		{"rotated rows", a, &rotated, func(i, j int) float64 { return 1 }},
		{"orthogonal", rowsOfIdentity(d, 0, 1, 2), rowsOfIdentity(d, 3, 4, 5, 6, 7), func(i, j int) float64 { return 0 }},
		// A1 spans e0 (top), e1; A2 spans e1 (top), e2, e0. U1 = [e0 e1], U2 = [e1 e2 e0]:
		// phi(i, j) = (number of shared vectors among the first i and first j) / min(i, j).
		{"nested", rowsOfIdentity(d, 0, 1), rowsOfIdentity(d, 1, 2, 0), func(i, j int) float64 {
			shared := [3][4]float64{{}, {0, 0, 0, 1}, {0, 1, 1, 2}}
			return shared[i][j] / float64(min(i, j))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			phi, err := Similarity(tc.a1, tc.a2)
			if err != nil {
				t.Fatal(err)
			}
			r1, _ := tc.a1.Dims()
			r2, _ := tc.a2.Dims()
			if pr, pc := phi.Dims(); pr != r1 || pc != r2 {
				t.Fatalf("grid is %dx%d, want %dx%d", pr, pc, r1, r2)
			}
			for i := 1; i <= r1; i++ {
				for j := 1; j <= r2; j++ {
					if got, want := phi.At(i-1, j-1), tc.want(i, j); math.Abs(got-want) > 1e-9 {
						t.Errorf("phi(%d, %d) = %.12f, want %g", i, j, got, want)
					}
				}
			}
		})
	}
}

func TestSimilaritySymmetric(t *testing.T) {
	rng := newRand(3, 3)
	a1, a2 := randomGaussian(3, 20, rng), randomGaussian(6, 20, rng)
	p12, err := Similarity(a1, a2)
	if err != nil {
		t.Fatal(err)
	}
	p21, err := Similarity(a2, a1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		for j := range 6 {
			if math.Abs(p12.At(i, j)-p21.At(j, i)) > 1e-12 {
				t.Errorf("phi(A1,A2,%d,%d) = %v but phi(A2,A1,%d,%d) = %v", i+1, j+1, p12.At(i, j), j+1, i+1, p21.At(j, i))
			}
			if v := p12.At(i, j); v < -1e-12 || v > 1+1e-12 {
				t.Errorf("phi(%d,%d) = %v outside [0, 1]", i+1, j+1, v)
			}
		}
	}
}

// TestRandomSimilarityExpectation averages the random baseline over seeds and compares it
// with E phi(i, j) = max(i, j)/d.
func TestRandomSimilarityExpectation(t *testing.T) {
	const r1, r2, d, trials = 4, 8, 32, 200
	mean := mat.NewDense(r1, r2, nil)
	for seed := range uint64(trials) {
		phi, err := RandomSimilarity(r1, r2, d, seed+1)
		if err != nil {
			t.Fatal(err)
		}
		mean.Add(mean, phi)
	}
	mean.Scale(1.0/trials, mean)
	for i := 1; i <= r1; i++ {
		for j := 1; j <= r2; j++ {
			want := ExpectedRandomPhi(i, j, d)
			// The standard error of the mean is below 0.01 at these sizes; allow 0.02.
			if got := mean.At(i-1, j-1); math.Abs(got-want) > 0.02 {
				t.Errorf("mean phi(%d, %d) = %.4f over %d seeds, want %.4f", i, j, got, trials, want)
			}
		}
	}
}

func TestRandomSimilarityDeterministic(t *testing.T) {
	a, _ := RandomSimilarity(2, 5, 10, 42)
	b, _ := RandomSimilarity(2, 5, 10, 42)
	c, _ := RandomSimilarity(2, 5, 10, 43)
	if !mat.Equal(a, b) {
		t.Error("same seed gave different baselines")
	}
	if mat.Equal(a, c) {
		t.Error("different seeds gave the same baseline")
	}
}

func TestSimilarityErrors(t *testing.T) {
	tests := []struct {
		name   string
		a1, a2 mat.Matrix
	}{
		{"input dims differ", mat.NewDense(2, 8, nil), mat.NewDense(2, 9, nil)},
		{"rank above input dim", randomGaussian(5, 3, newRand(1, 1)), randomGaussian(2, 3, newRand(2, 1))},
	}
	for _, tc := range tests {
		if _, err := Similarity(tc.a1, tc.a2); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
