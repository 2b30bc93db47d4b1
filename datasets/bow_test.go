package datasets

import (
	"context"
	"testing"

	"gonum.org/v1/gonum/stat"
)

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
