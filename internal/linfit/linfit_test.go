package linfit

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestLogisticGradient checks the analytic gradient of the logistic objective against
// central finite differences.
func TestLogisticGradient(t *testing.T) {
	x := []Row{
		{Cols: []int{0, 1, 3}, Vals: []float64{1, 0.7, 1.1}},
		{Cols: []int{0, 2}, Vals: []float64{1, 0.4}},
		{Cols: []int{0, 1, 2, 3}, Vals: []float64{1, 0.2, 0.9, 0.3}},
	}
	labels := []int{2, 0, 1}
	const features, classes = 4, 3
	for _, penalty := range []float64{0, 0.3} {
		f := LogisticObjective(x, labels, features, classes, penalty)
		params := make([]float64, features*classes)
		for i := range params {
			params[i] = math.Sin(float64(i)) // arbitrary, deterministic, non-zero
		}
		grad := make([]float64, len(params))
		f(params, grad)
		numeric := fd.Gradient(nil, func(p []float64) float64 { return f(p, nil) }, params, &fd.Settings{Formula: fd.Central, Step: 1e-6})
		if !floats.EqualApprox(grad, numeric, 1e-7) {
			t.Errorf("penalty %g: gradient %v, finite differences %v", penalty, grad, numeric)
		}
	}
}

// TestLogisticLossAtZero: with all weights zero every class has probability 1/K, so the
// loss is log K whatever the data.
func TestLogisticLossAtZero(t *testing.T) {
	x := []Row{{Cols: []int{0, 1}, Vals: []float64{1, 2}}, {Cols: []int{0}, Vals: []float64{1}}}
	f := LogisticObjective(x, []int{0, 3}, 2, 4, 1)
	if got := f(make([]float64, 8), nil); math.Abs(got-math.Log(4)) > 1e-12 {
		t.Fatalf("loss at zero = %v, want log 4 = %v", got, math.Log(4))
	}
}

// TestChooseLogistic: one feature decides the class; the fitted model classifies the
// validation rows perfectly, and on an unlearnable validation set (labels opposite to the
// train rule) the choice still returns one of the penalties tried.
func TestChooseLogistic(t *testing.T) {
	var x, v []Row
	var y, vy []int
	for i := range 40 {
		f := float64(i%10) - 4.5
		x = append(x, DenseRow([]float64{f, math.Cos(float64(i))}))
		y = append(y, btoi(f > 0))
		v = append(v, DenseRow([]float64{-f, math.Sin(float64(i))}))
		vy = append(vy, btoi(-f > 0))
	}
	m, penalty, err := ChooseLogistic(x, y, v, vy, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Predict(v) {
		if p != vy[i] {
			t.Fatalf("row %d predicted %d, want %d (penalty %g)", i, p, vy[i], penalty)
		}
	}
	if penalty != Penalties[0] {
		// Every penalty separates this data; the first (smallest) one wins the tie.
		t.Fatalf("penalty %g, want the smallest on a tie, %g", penalty, Penalties[0])
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDenseRow(t *testing.T) {
	r := DenseRow([]float64{2.5, -1})
	if !equalInts(r.Cols, []int{0, 1, 2}) || !floats.Equal(r.Vals, []float64{1, 2.5, -1}) {
		t.Fatalf("DenseRow = %+v, want cols [0 1 2], vals [1 2.5 -1]", r)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFitRidge: on y = 2 + 3 x1 - x2 exactly, a tiny penalty recovers the coefficients;
// a huge one shrinks the slopes to zero and leaves the mean (the bias is not penalised).
func TestFitRidge(t *testing.T) {
	var x []Row
	var y []float64
	for i := range 20 {
		x1, x2 := float64(i%5), float64(i%7)
		x = append(x, Row{Cols: []int{0, 1, 2}, Vals: []float64{1, x1, x2}})
		y = append(y, 2+3*x1-x2)
	}
	gram, xty := NormalEquations(x, y, 3)
	w, err := FitRidge(gram, xty, len(y), 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	if want := mat.NewVecDense(3, []float64{2, 3, -1}); !mat.EqualApprox(w, want, 1e-6) {
		t.Fatalf("weights %v, want %v", w.RawVector().Data, want.RawVector().Data)
	}
	w, _ = FitRidge(gram, xty, len(y), 1e9)
	mean := floats.Sum(y) / float64(len(y))
	if math.Abs(w.AtVec(1)) > 1e-6 || math.Abs(w.AtVec(2)) > 1e-6 || math.Abs(w.AtVec(0)-mean) > 1e-3 {
		t.Fatalf("heavily penalised weights %v, want [%v 0 0]", w.RawVector().Data, mean)
	}
	// ChooseRidge on noiseless data picks the smallest penalty and predicts the
	// validation targets.
	w, penalty, err := ChooseRidge(x, y, x[:5], y[:5], 3)
	if err != nil || penalty != Penalties[0] {
		t.Fatalf("ChooseRidge penalty %g, err %v; want %g", penalty, err, Penalties[0])
	}
	if got := PredictLinear(x[:5], w); !floats.EqualApprox(got, y[:5], 1e-2) {
		t.Fatalf("ChooseRidge predictions %v, want %v", got, y[:5])
	}
}
