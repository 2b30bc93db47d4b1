package metrics

import (
	"math"
	"testing"
)

func TestNIST(t *testing.T) {
	// nistPenalty is exp(-beta ln^2(ratio)) with beta = ln 2 / ln^2(1.5).
	nistPenalty := func(ratio float64) float64 {
		return math.Exp(-math.Ln2 / math.Pow(math.Log(1.5), 2) * math.Pow(math.Log(ratio), 2))
	}
	tests := []struct {
		name     string
		maxOrder int
		hyps     []string
		refs     [][]string
		want     float64
	}{
		{
			// Reference "a b a c": 4 tokens; counts a 2, b 1, c 1; "a b" 1, "b a" 1, "a c" 1.
			// Info(a) = log2(4/2) = 1, Info(b) = log2(4/1) = 2, Info(a b) = log2(2/1) = 1.
			// 1-grams: (1 + 2)/2; 2-grams: 1/1; orders 3-5 have no hypothesis n-gram.
			// Length ratio 2/4: NIST = 2.5 * exp(-beta ln^2(1/2)).
			name: "short output", maxOrder: 5, hyps: []string{"a b"}, refs: [][]string{{"a b a c"}},
			want: 2.5 * nistPenalty(0.5),
		},
		{
			// Same reference, perfect output. 1-grams: Info a, b, a, c = 1+2+1+2 over 4 = 3/2.
			// 2-grams: Info(a b) = 1, Info(b a) = log2(1/1) = 0, Info(a c) = log2(2/1) = 1: 2/3.
			// 3-grams: Info(a b a) = log2(count(a b)/count(a b a)) = 0, Info(b a c) = 0: 0.
			// 4-gram: 0. NIST = 3/2 + 2/3 = 13/6: a perfect output is not a fixed score.
			name: "perfect match", maxOrder: 5, hyps: []string{"a b a c"}, refs: [][]string{{"a b a c"}},
			want: 13.0 / 6,
		},
		{
			// Info is counted over all references: a 2, b 1, c 1 of 4 tokens; "a c" 1.
			// Output "a c": 1-grams (log2(4/2) + log2(4/1))/2 = 3/2; 2-grams log2(2/1)/1 = 1.
			// Average reference length 2 = output length: no penalty.
			name: "several references", maxOrder: 5, hyps: []string{"a c"}, refs: [][]string{{"a b", "a c"}},
			want: 2.5,
		},
		{
			// "a" occurs once in the reference, so the second "a" is clipped:
			// Info(a) = log2(2/1) = 1 over 2 output unigrams; "a a" does not match.
			name: "clipping", maxOrder: 5, hyps: []string{"a a"}, refs: [][]string{{"a b"}},
			want: 0.5,
		},
		{
			// Two examples. Reference tokens: "x y" and "x z", so x 2, y 1, z 1 of 4;
			// "x y" 1, "x z" 1. Info(x) = 1, Info(y) = Info(z) = 2, Info(x y) = log2(2/1) = 1.
			// Outputs "x y" (matches x, y, "x y") and "z" (matches z). Unigrams
			// (1 + 2 + 2)/3, bigrams 1/1: 5/3 + 1 = 8/3. Lengths 3 vs 4: penalty at 3/4.
			name: "corpus", maxOrder: 2, hyps: []string{"x y", "z"}, refs: [][]string{{"x y"}, {"x z"}},
			want: 8.0 / 3 * nistPenalty(0.75),
		},
		{
			name: "no overlap", maxOrder: 5, hyps: []string{"p q"}, refs: [][]string{{"a b"}}, want: 0,
		},
		{
			name: "empty hypothesis", maxOrder: 5, hyps: []string{""}, refs: [][]string{{"a b"}}, want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyps, refs := corpus(tt.hyps, tt.refs)
			var got float64
			if tt.maxOrder == nistMaxOrder {
				var err error
				if got, err = NIST(hyps, refs); err != nil {
					t.Fatal(err)
				}
			} else {
				got = nist(hyps, refs, tt.maxOrder)
			}
			assertClose(t, "NIST", got, tt.want)
		})
	}
}

func TestNISTBrevityPenalty(t *testing.T) {
	tests := []struct {
		c, r, want float64
	}{
		{2, 3, 0.5}, // the point beta is chosen for
		{3, 3, 1},
		{5, 3, 1},
		{0, 3, 0},
		// ln(1/2)^2 / ln(3/2)^2 * ln 2 = 0.480453 / 0.164402 * 0.693147 = 2.025693.
		{1, 2, math.Exp(-math.Ln2 * math.Pow(math.Ln2/math.Log(1.5), 2))},
	}
	for _, tt := range tests {
		assertClose(t, "nistBrevityPenalty", nistBrevityPenalty(tt.c, tt.r), tt.want)
	}
}
