package metrics

import (
	"math"
	"testing"
)

func TestCIDErD(t *testing.T) {
	tests := []struct {
		name string
		hyps []string
		refs [][]string
		want float64
	}{
		{
			// N = 2 examples. Every reference n-gram occurs in one example: idf = ln 2 - ln 1.
			// Example 1: unigram and bigram vectors equal, cosine 1; orders 3, 4 are empty
			// (cosine 0): 10 * (1 + 1 + 0 + 0)/4 = 5.
			// Example 2: hypothesis unigrams {c: ln2}, reference {c: ln2, d: ln2}:
			// cosine ln2^2 / (ln2 * sqrt(2) ln2) = 1/sqrt(2); no bigram; lengths 1 vs 2 give
			// exp(-1/72): 10 * (1/sqrt(2)) * exp(-1/72) / 4.
			name: "short sentences and length penalty", hyps: []string{"a b", "c"}, refs: [][]string{{"a b"}, {"c d"}},
			want: (5 + 2.5/math.Sqrt2*math.Exp(-1.0/72)) / 2,
		},
		{
			// Four tokens or more, vocabularies disjoint between examples: all four cosines
			// are 1 and the score is the maximum, 10.
			name: "perfect match", hyps: []string{"a b c d", "e f g h i"}, refs: [][]string{{"a b c d"}, {"e f g h i"}},
			want: 10,
		},
		{
			// "x" is in every example's references: idf = ln 2 - ln 2 = 0, so matching it is
			// worth nothing.
			name: "word common to every example", hyps: []string{"x", "x"}, refs: [][]string{{"x a"}, {"x b"}},
			want: 0,
		},
		{
			// Example 1: hypothesis {a: 2 ln2}, reference {a: ln2, b: ln2}; the clipped dot
			// product is min(2 ln2, ln2) * ln2 = ln2^2, over norms 2 ln2 and sqrt(2) ln2:
			// cosine 1/(2 sqrt 2) (without clipping it would be 1/sqrt 2). Bigram "a a" does
			// not match. Score 10/(4 * 2 sqrt 2). Example 2 is perfect on orders 1, 2: 5.
			name: "clipping", hyps: []string{"a a", "c d"}, refs: [][]string{{"a b"}, {"c d"}},
			want: (10/(8*math.Sqrt2) + 5) / 2,
		},
		{
			// Example 1 averages over its two references: (2 + 0) cosines * 10 / 4 / 2 = 2.5;
			// example 2 scores 5.
			name: "references averaged", hyps: []string{"a b", "c d"}, refs: [][]string{{"a b", "e f"}, {"c d"}},
			want: 3.75,
		},
		{
			// A single example: every reference n-gram has df = N = 1 and weighs 0.
			name: "single example", hyps: []string{"a b c d"}, refs: [][]string{{"a b c d"}}, want: 0,
		},
		{
			name: "empty hypothesis", hyps: []string{"", "c d"}, refs: [][]string{{"a b"}, {"c d"}}, want: 2.5,
		},
		{
			name: "no overlap", hyps: []string{"p q", "r s"}, refs: [][]string{{"a b"}, {"c d"}}, want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyps, refs := corpus(tt.hyps, tt.refs)
			got, err := CIDErD(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "CIDErD", got, tt.want)
		})
	}
}
