package metrics

import "testing"

func TestLongestCommonSubsequence(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a b c d", "a c b d", 3},
		{"the cat on mat", "the cat was on a mat", 4},
		{"a b", "c d", 0},
		{"", "a b", 0},
		{"a a a", "a a", 2},
	}
	for _, tt := range tests {
		if got := longestCommonSubsequence(words(tt.a), words(tt.b)); got != tt.want {
			t.Errorf("LCS(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestRougeL(t *testing.T) {
	tests := []struct {
		name string
		hyps []string
		refs [][]string
		want float64
	}{
		{
			// LCS "the cat on mat" = 4: P = 4/4, R = 4/6. With beta^2 = 1.44,
			// F = 2.44 * 1 * (2/3) / (2/3 + 1.44 * 1) = (4.88/3) / (6.32/3) = 4.88/6.32.
			name: "recall below precision", hyps: []string{"the cat on mat"},
			refs: [][]string{{"the cat was on a mat"}}, want: 4.88 / 6.32,
		},
		{
			// Swapped: P = 2/3, R = 1: F = 2.44 * (2/3) / (1 + 1.44 * 2/3) = (4.88/3)/(5.88/3).
			// Beta > 1 rewards recall: this scores higher than the case above.
			name: "precision below recall", hyps: []string{"the cat was on a mat"},
			refs: [][]string{{"the cat on mat"}}, want: 4.88 / 5.88,
		},
		{
			name: "best reference", hyps: []string{"the cat on mat"},
			refs: [][]string{{"the cat was on a mat", "the cat on mat"}}, want: 1,
		},
		{
			// Per-hypothesis scores 1 and 0, averaged.
			name: "corpus mean", hyps: []string{"a b", "c"}, refs: [][]string{{"a b"}, {"d"}}, want: 0.5,
		},
		{
			name: "no overlap", hyps: []string{"x y"}, refs: [][]string{{"a b"}}, want: 0,
		},
		{
			name: "empty hypothesis", hyps: []string{""}, refs: [][]string{{"a b"}}, want: 0,
		},
		{
			name: "empty reference", hyps: []string{"a"}, refs: [][]string{{""}}, want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyps, refs := corpus(tt.hyps, tt.refs)
			got, err := RougeL(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "RougeL", got, tt.want)
		})
	}
}
