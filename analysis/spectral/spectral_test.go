package spectral

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// withSingularValues is Q1 diag(sv) Q2ᵀ for random orthogonal Q1 (rows x rows) and Q2
// (cols x cols): a matrix whose singular values are sv and nothing else.
func withSingularValues(rows, cols int, sv []float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := mat.NewDense(rows, cols, nil)
	for i, s := range sv {
		d.Set(i, i, s)
	}
	var out mat.Dense
	out.Mul(randomOrthogonal(rows, rng), d)
	out.Mul(&out, randomOrthogonal(cols, rng).T())
	return &out
}

func randomOrthogonal(n int, rng *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

func TestValuesOfAConstructedMatrix(t *testing.T) {
	want := []float64{5, 3, 2, 0.5}
	got, err := Values(withSingularValues(6, 4, want, 3))
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("singular values %v, want %v", got, want)
		}
	}
}

func TestEnergyRank(t *testing.T) {
	for _, c := range []struct {
		name string
		sv   []float64
		frac float64
		want int
	}{
		// 9, 1, 1, 1 of 12: 9 < 10.8, 10 < 10.8, 11 >= 10.8.
		{"one large", []float64{3, 1, 1, 1}, 0.9, 3},
		// 4, 1, 1 of 6: 5/6 is reached exactly by the first two.
		{"exact boundary", []float64{2, 1, 1}, 5.0 / 6, 2},
		{"equal", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0.9, 9},
		{"rank one", []float64{7, 0, 0}, 0.9, 1},
		{"all", []float64{1, 1}, 1, 2},
		{"zero matrix", []float64{0, 0}, 0.9, 0},
	} {
		if got := EnergyRank(c.sv, c.frac); got != c.want {
			t.Errorf("%s: EnergyRank(%v, %g) = %d, want %d", c.name, c.sv, c.frac, got, c.want)
		}
	}
}

func TestEntropyRank(t *testing.T) {
	for _, c := range []struct {
		name string
		sv   []float64
		want float64
	}{
		// p = 1/2, 1/6, 1/6, 1/6: H = ln2/2 + ln6/2, exp(H) = sqrt(12).
		{"one large", []float64{3, 1, 1, 1}, math.Sqrt(12)},
		{"equal", []float64{2, 2, 2, 2, 2}, 5},
		{"rank one", []float64{4, 0, 0}, 1},
		// p = 3/4, 1/4: H = -(3/4) ln(3/4) - (1/4) ln(1/4).
		{"two", []float64{3, 1}, math.Exp(-0.75*math.Log(0.75) - 0.25*math.Log(0.25))},
		{"zero matrix", []float64{0, 0}, 0},
	} {
		if got := EntropyRank(c.sv); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: EntropyRank(%v) = %.15g, want %.15g", c.name, c.sv, got, c.want)
		}
	}
}

// TestRanksOfARotatedDiagonal checks the whole path, SVD included: the ranks of a matrix
// depend only on its singular values.
func TestRanksOfARotatedDiagonal(t *testing.T) {
	sv, err := Values(withSingularValues(8, 5, []float64{3, 1, 1, 1, 0}, 9))
	if err != nil {
		t.Fatal(err)
	}
	if got := EnergyRank(sv, 0.9); got != 3 {
		t.Errorf("EnergyRank = %d, want 3", got)
	}
	if got := EntropyRank(sv); math.Abs(got-math.Sqrt(12)) > 1e-9 {
		t.Errorf("EntropyRank = %.12g, want sqrt(12)", got)
	}
}

// rotatedTop builds the base W = diag(5, 4, 3, 2, 1) and the fine-tuned weight whose top
// left singular vector is e1 rotated by theta towards e5 (the fifth one rotated with it, so
// the left vectors stay orthonormal): W' = 5 u1 e1ᵀ + 4 e2 e2ᵀ + 3 e3 e3ᵀ + 2 e4 e4ᵀ + u5 e5ᵀ
// with u1 = cos θ e1 + sin θ e5 and u5 = -sin θ e1 + cos θ e5.
func rotatedTop(theta float64) (w, wft *mat.Dense) {
	w = mat.NewDense(5, 5, nil)
	for i, s := range []float64{5, 4, 3, 2, 1} {
		w.Set(i, i, s)
	}
	wft = mat.DenseCopyOf(w)
	c, s := math.Cos(theta), math.Sin(theta)
	wft.Set(0, 0, 5*c)
	wft.Set(4, 0, 5*s)
	wft.Set(0, 4, -s)
	wft.Set(4, 4, c)
	return w, wft
}

func TestOneRotationMakesOneIntruder(t *testing.T) {
	theta := 80 * math.Pi / 180
	w, wft := rotatedTop(theta)
	cos, err := MaxCosines(w, wft, 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	// u1 against e1..e4: |cos θ|; e2, e3, e4 are W's own.
	want := []float64{math.Cos(theta), 1, 1, 1}
	for i := range want {
		if math.Abs(cos[i]-want[i]) > 1e-12 {
			t.Fatalf("max cosines %v, want %v", cos, want)
		}
	}
	for _, c := range []struct {
		eps  float64
		want int
	}{{0.1, 0}, {0.17, 0}, {0.18, 1}, {0.5, 1}, {0.999, 1}, {1.0001, 4}} {
		if got := CountBelow(cos, c.eps); got != c.want {
			t.Errorf("ε = %g: %d intruders, want %d (cos θ = %.4f)", c.eps, got, c.want, math.Cos(theta))
		}
	}
	// Compared with every singular vector of W, u1 still has cosine sin θ with e5.
	all, err := MaxCosines(w, wft, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(all[0]-math.Sin(theta)) > 1e-12 {
		t.Errorf("max cosine against all of W's vectors %g, want sin θ = %g", all[0], math.Sin(theta))
	}
}

func TestNoUpdateNoIntruder(t *testing.T) {
	w := withSingularValues(7, 5, []float64{5, 4, 3, 2, 1}, 4)
	cos, err := MaxCosines(w, w, 5, 5)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cos {
		if math.Abs(c-1) > 1e-9 {
			t.Errorf("vector %d: max cosine %g with itself, want 1", i, c)
		}
	}
}

func TestMaxCosinesRejectsBadShapes(t *testing.T) {
	w := mat.NewDense(4, 3, []float64{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0})
	for _, c := range []struct {
		name     string
		wft      *mat.Dense
		k, baseK int
	}{
		{"shape", mat.NewDense(3, 4, nil), 1, 1},
		{"k zero", w, 0, 1},
		{"k too large", w, 4, 1},
		{"base k too large", w, 1, 4},
	} {
		if _, err := MaxCosines(w, c.wft, c.k, c.baseK); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
