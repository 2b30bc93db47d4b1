package datasets

import (
	"fmt"
	"testing"
)

func TestSplitByGroupKeepsGroupsWholeAndStratifies(t *testing.T) {
	// 40 groups of 5 examples; groups 0-29 have label 0, groups 30-39 label 1.
	var exs []Example
	for g := range 40 {
		for i := range 5 {
			exs = append(exs, Example{Text: fmt.Sprint(g, "-", i), Group: fmt.Sprint("g", g), Label: min(1, g/30)})
		}
	}
	train, val, test := splitByGroup(exs, Fractions{Validation: 0.2, Test: 0.1}, 1, func(ex Example) int { return ex.Label })
	where := map[string]string{}
	count := func(name string, split []Example) (labels [2]int) {
		for _, ex := range split {
			if w, ok := where[ex.Group]; ok && w != name {
				t.Fatalf("group %s in %s and %s", ex.Group, w, name)
			}
			where[ex.Group] = name
			labels[ex.Label]++
		}
		return labels
	}
	// Hand-computed: label 0 has 150 examples -> test 15 (3 groups of 5), validation 30;
	// label 1 has 50 -> test 5, validation 10.
	for _, tc := range []struct {
		name  string
		split []Example
		want  [2]int
	}{{"train", train, [2]int{105, 35}}, {"validation", val, [2]int{30, 10}}, {"test", test, [2]int{15, 5}}} {
		if got := count(tc.name, tc.split); got != tc.want {
			t.Errorf("%s label counts %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSplitByGroupDoesNotDependOnInputOrder(t *testing.T) {
	var exs []Example
	for g := range 50 {
		exs = append(exs, Example{Text: fmt.Sprint(g), Group: fmt.Sprint(g)})
	}
	reversed := make([]Example, len(exs))
	for i, ex := range exs {
		reversed[len(exs)-1-i] = ex
	}
	_, _, a := splitByGroup(exs, defaultFractions, 9, nil)
	_, _, b := splitByGroup(reversed, defaultFractions, 9, nil)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("test split depends on input order: %v vs %v", a, b)
	}
}

func TestLabelQuotas(t *testing.T) {
	tests := []struct {
		counts map[int]int
		n      int
		want   map[int]int
	}{
		// 7:3 of 10 -> exactly 7 and 3.
		{map[int]int{0: 70, 1: 30}, 10, map[int]int{0: 7, 1: 3}},
		// 1/3 each of 10: 3.33 each, one extra to the smallest label.
		{map[int]int{0: 3, 1: 3, 2: 3}, 10, map[int]int{0: 4, 1: 3, 2: 3}},
		// 5:1 of 4: 3.33 and 0.67 -> remainders .33 and .67 -> 3 and 1.
		{map[int]int{0: 5, 1: 1}, 4, map[int]int{0: 3, 1: 1}},
	}
	for _, tt := range tests {
		var exs []Example
		for l, c := range tt.counts {
			for range c {
				exs = append(exs, Example{Label: l})
			}
		}
		if got := labelQuotas(exs, tt.n); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("labelQuotas(%v, %d) = %v, want %v", tt.counts, tt.n, got, tt.want)
		}
	}
}

func TestSubsample(t *testing.T) {
	var exs []Example
	for i := range 100 {
		exs = append(exs, Example{Text: fmt.Sprint(i), Group: fmt.Sprint(i), Label: min(1, i/80)})
	}
	got := subsample(exs, 10, 4, true)
	if len(got) != 10 {
		t.Fatalf("got %d examples, want 10", len(got))
	}
	ones := 0
	for _, ex := range got {
		ones += ex.Label
	}
	if ones != 2 {
		t.Fatalf("%d of 10 have label 1, want 2 (20%% of the population)", ones)
	}
	if all := subsample(exs, 0, 4, true); len(all) != 100 {
		t.Fatalf("n=0 kept %d, want all 100", len(all))
	}
	if fmt.Sprint(subsample(exs, 10, 4, true)) != fmt.Sprint(got) {
		t.Fatal("subsample is not deterministic")
	}
	if fmt.Sprint(subsample(exs, 10, 5, true)) == fmt.Sprint(got) {
		t.Fatal("subsample ignores the seed")
	}
}
