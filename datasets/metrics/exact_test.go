package metrics

import (
	"errors"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"k i t t e n", "s i t t i n g", 3}, // substitute k->s, e->i, insert g
		{"", "a b", 2},
		{"a b", "", 2},
		{"", "", 0},
		{"a b c", "a c", 1},
		{"a b", "b a", 2},
		{"a b c d", "a b c d", 0},
		{"x y z", "a b", 3},
	}
	for _, tt := range tests {
		a, b := words(tt.a), words(tt.b)
		if got := EditDistance(a, b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EditDistance(b, a); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestExactMatchAndErrorRate(t *testing.T) {
	tests := []struct {
		name       string
		hyps       []string
		refs       [][]string
		exactMatch float64
		errorRate  float64
	}{
		{
			// 3 edits over 7 reference tokens.
			name: "one pair", hyps: []string{"k i t t e n"}, refs: [][]string{{"s i t t i n g"}},
			exactMatch: 0, errorRate: 3.0 / 7,
		},
		{
			// Second example: "a b c d e" needs 3 edits (rate 3/5), "a c" 1 (rate 1/2): the
			// lower rate wins. Corpus: (3 + 1)/(7 + 2).
			name: "best reference by rate", hyps: []string{"k i t t e n", "a b c"},
			refs:       [][]string{{"s i t t i n g"}, {"a b c d e f g h", "a c"}},
			exactMatch: 0, errorRate: 4.0 / 9,
		},
		{
			// Rates 1/2 and 2/4 tie; the reference with fewer edits is used: (1)/(2).
			name: "tie on rate", hyps: []string{"a b"}, refs: [][]string{{"a b c d", "a x"}},
			exactMatch: 0, errorRate: 0.5,
		},
		{
			// Matches: example 0 and example 1 (second reference). Edits 0 + 0 + 1 over 2 + 1 + 1.
			name: "exact matches", hyps: []string{"a b", "c", "y"}, refs: [][]string{{"a b"}, {"d", "c"}, {"x"}},
			exactMatch: 2.0 / 3, errorRate: 1.0 / 4,
		},
		{
			// An empty output deletes every reference token: rate 1.
			name: "empty hypothesis", hyps: []string{""}, refs: [][]string{{"p a"}},
			exactMatch: 0, errorRate: 1,
		},
		{
			// Insertions can push the rate past 1: 4 edits over 2 tokens.
			name: "long hypothesis", hyps: []string{"p a x y z w"}, refs: [][]string{{"p a"}},
			exactMatch: 0, errorRate: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyps, refs := corpus(tt.hyps, tt.refs)
			em, err := ExactMatch(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "ExactMatch", em, tt.exactMatch)
			er, err := ErrorRate(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "ErrorRate", er, tt.errorRate)
		})
	}
}

func TestExactMatchEmptyReference(t *testing.T) {
	// An empty output matches an empty reference.
	got, err := ExactMatch([][]string{{}}, [][][]string{{{}}})
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "ExactMatch", got, 1)
}

func TestErrorRateEmptyReference(t *testing.T) {
	_, err := ErrorRate([][]string{{"a"}}, [][][]string{{{"a"}, {}}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "reference 1 of example 0 is empty") {
		t.Fatalf("error %v, want ErrInvalid naming reference 1 of example 0", err)
	}
}
