package datasets

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestLogisticGradient checks the analytic gradient of the logistic objective against
// central finite differences.
func TestLogisticGradient(t *testing.T) {
	x := []sparseRow{
		{cols: []int{0, 1, 3}, vals: []float64{1, 0.7, 1.1}},
		{cols: []int{0, 2}, vals: []float64{1, 0.4}},
		{cols: []int{0, 1, 2, 3}, vals: []float64{1, 0.2, 0.9, 0.3}},
	}
	labels := []int{2, 0, 1}
	const features, classes = 4, 3
	for _, penalty := range []float64{0, 0.3} {
		f := logisticObjective(x, labels, features, classes, penalty)
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
	x := []sparseRow{{cols: []int{0, 1}, vals: []float64{1, 2}}, {cols: []int{0}, vals: []float64{1}}}
	f := logisticObjective(x, []int{0, 3}, 2, 4, 1)
	if got := f(make([]float64, 8), nil); math.Abs(got-math.Log(4)) > 1e-12 {
		t.Fatalf("loss at zero = %v, want log 4 = %v", got, math.Log(4))
	}
}

// TestFitRidge: on y = 2 + 3 x1 - x2 exactly, a tiny penalty recovers the coefficients;
// a huge one shrinks the slopes to zero and leaves the mean (the bias is not penalised).
func TestFitRidge(t *testing.T) {
	var x []sparseRow
	var y []float64
	for i := range 20 {
		x1, x2 := float64(i%5), float64(i%7)
		x = append(x, sparseRow{cols: []int{0, 1, 2}, vals: []float64{1, x1, x2}})
		y = append(y, 2+3*x1-x2)
	}
	gram, xty := normalEquations(x, y, 3)
	w, err := fitRidge(gram, xty, len(y), 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	if want := mat.NewVecDense(3, []float64{2, 3, -1}); !mat.EqualApprox(w, want, 1e-6) {
		t.Fatalf("weights %v, want %v", w.RawVector().Data, want.RawVector().Data)
	}
	w, _ = fitRidge(gram, xty, len(y), 1e9)
	mean := floats.Sum(y) / float64(len(y))
	if math.Abs(w.AtVec(1)) > 1e-6 || math.Abs(w.AtVec(2)) > 1e-6 || math.Abs(w.AtVec(0)-mean) > 1e-3 {
		t.Fatalf("heavily penalised weights %v, want [%v 0 0]", w.RawVector().Data, mean)
	}
}

func TestNearestSource(t *testing.T) {
	train := []Example{{Source: "name[A], food[Thai]"}, {Source: "name[B], food[Indian], area[riverside]"}, {Source: "banana"}}
	queries := []Example{{Source: "name[C], food[Indian], area[riverside]"}, {Source: "bandana"}, {Source: "name[A], food[Thai], near[x]"}}
	got := nearestSource(train, queries, sourceFeatures)
	if want := []int{1, 2, 0}; !equalInts(got, want) {
		t.Fatalf("nearest %v, want %v", got, want)
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

// TestBaselinesOnEmbeddedTasks: bag of words beats chance on the embedded classification
// and regression tasks, but stays far from perfect: the labels need more than word counts.
func TestBaselinesOnEmbeddedTasks(t *testing.T) {
	r := NewRegistry(Options{MaxTrain: 800, MaxValidation: 200, MaxTest: 300})
	cls, err := r.Load(context.Background(), "embedded-cls")
	if err != nil {
		t.Fatal(err)
	}
	chance, bow := ChancePredictions(cls), must(BagOfWordsPredictions(cls))
	accChance, accBow := accuracyOf(cls.Test, chance.Labels), accuracyOf(cls.Test, bow.Labels)
	if accBow < accChance+0.05 || accBow > 0.8 {
		t.Errorf("embedded-cls accuracy: chance %.3f, bag of words %.3f; want bow 5 points above chance and below 0.8", accChance, accBow)
	}
	reg, err := r.Load(context.Background(), "embedded-reg")
	if err != nil {
		t.Fatal(err)
	}
	pred := must(BagOfWordsPredictions(reg)).Values
	y := make([]float64, len(reg.Test))
	for i, ex := range reg.Test {
		y[i] = ex.Target
	}
	if r := stat.Correlation(pred, y, nil); r < 0.3 || r > 0.85 {
		t.Errorf("embedded-reg bag-of-words pearson %.3f, want 0.3-0.85", r)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func accuracyOf(exs []Example, labels []int) float64 {
	c := 0
	for i, l := range labels {
		if exs[i].Label == l {
			c++
		}
	}
	return float64(c) / float64(len(exs))
}
