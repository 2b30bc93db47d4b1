package analysis

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// diag is a d x d diagonal matrix.
func diag(values ...float64) *mat.Dense {
	m := mat.NewDense(len(values), len(values), nil)
	for i, v := range values {
		m.Set(i, i, v)
	}
	return m
}

func TestAmplifyHandDerived(t *testing.T) {
	// W = diag(10, 5, 1, 0.5). ΔW = s·B·A with B = 2·e_k, A = e_k^T (rank 1, s = 1.5) puts
	// 3 on the diagonal at k. Then with U, V = e_k: ||U^T W V|| = W[k][k], ||ΔW|| = 3, and
	// the factor 3 / W[k][k]. From W itself, the top direction gives 10.
	w := diag(10, 5, 1, 0.5)
	tests := []struct {
		name       string
		k          int
		projDeltaW float64
		factor     float64
	}{
		{"along W's top direction", 0, 10, 0.3},
		{"along a weak direction", 2, 1, 3},
		{"along the weakest", 3, 0.5, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := mat.NewDense(4, 1, nil)
			b.Set(tc.k, 0, 2)
			a := mat.NewDense(1, 4, nil)
			a.Set(0, tc.k, 1)
			dw, err := DeltaW(b, a, 1.5)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Amplify(w, dw, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			normW := math.Sqrt(100 + 25 + 1 + 0.25)
			checks := []struct {
				what      string
				got, want float64
			}{
				{"||U^T W V|| from ΔW", got.ProjDeltaW, tc.projDeltaW},
				{"||U^T W V|| from W", got.ProjW, 10},
				{"||W||", got.NormW, normW},
				{"||ΔW||", got.NormDeltaW, 3},
				{"factor", got.Factor, tc.factor},
			}
			for _, c := range checks {
				if math.Abs(c.got-c.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestAmplifyFromWIsTopSingularValues(t *testing.T) {
	// ||U^T W V||_F for W's own top-r singular vectors is sqrt(sum of the top r σ²).
	rng := newRand(5, 5)
	w := randomGaussian(12, 9, rng)
	var svd mat.SVD
	svd.Factorize(w, mat.SVDNone)
	sv := svd.Values(nil)
	got, err := Amplify(w, randomGaussian(12, 9, rng), 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := math.Sqrt(sv[0]*sv[0] + sv[1]*sv[1] + sv[2]*sv[2])
	if math.Abs(got.ProjW-want) > 1e-9 {
		t.Errorf("projection on W's top-3 = %v, want %v", got.ProjW, want)
	}
	if got.ProjDeltaW > got.ProjW+1e-9 || got.ProjRandom > got.ProjW+1e-9 {
		t.Errorf("no rank-3 projection may exceed W's own top-3 (%v): ΔW %v, random %v", got.ProjW, got.ProjDeltaW, got.ProjRandom)
	}
}

// TestAmplifyRandomExpectation checks the random projection against its expectation:
// for independent uniformly random U (m x r) and V (n x r),
// E ||U^T W V||_F^2 = tr(E[UU^T] W E[VV^T] W^T) = (r/m)(r/n) ||W||_F^2.
func TestAmplifyRandomExpectation(t *testing.T) {
	const m, n, r, trials = 10, 8, 2, 400
	w := randomGaussian(m, n, newRand(9, 9))
	dw := randomGaussian(m, n, newRand(10, 10))
	sum, normW := 0.0, 0.0
	for seed := range uint64(trials) {
		a, err := Amplify(w, dw, r, seed+1)
		if err != nil {
			t.Fatal(err)
		}
		sum += a.ProjRandom * a.ProjRandom
		normW = a.NormW
	}
	want := float64(r*r) / float64(m*n) * normW * normW
	if got := sum / trials; math.Abs(got-want) > 0.1*want {
		t.Errorf("mean ||U^T W V||² over random U, V = %.4f, want %.4f ± 10%%", got, want)
	}
}

func TestAmplifyErrors(t *testing.T) {
	w := diag(1, 2, 3)
	if _, err := Amplify(w, mat.NewDense(3, 2, nil), 1, 1); err == nil {
		t.Error("shape mismatch: no error")
	}
	if _, err := Amplify(w, diag(1, 1, 1), 4, 1); err == nil {
		t.Error("rank 4 of a 3x3 matrix: no error")
	}
	if _, err := DeltaW(mat.NewDense(3, 2, nil), mat.NewDense(3, 3, nil), 1); err == nil {
		t.Error("B and A ranks differ: no error")
	}
}
