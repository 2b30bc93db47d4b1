package metrics

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestBLEU(t *testing.T) {
	tests := []struct {
		name string
		cfg  BLEUConfig
		hyps []string
		refs [][]string
		want float64
	}{
		{
			// Papineni et al. (2002), section 2.1: the candidate "the" x 7 against these two
			// references has modified unigram precision 2/7 (the count of "the" is clipped at
			// 2, its count in the first reference). Closest reference length: 7 (second), so
			// BP = exp(1 - 7/7) = 1.
			name: "Papineni clipping example", cfg: BLEUConfig{MaxOrder: 1},
			hyps: []string{"the the the the the the the"},
			refs: [][]string{{"the cat is on the mat", "there is a cat on the mat"}},
			want: 2.0 / 7,
		},
		{
			name: "perfect match", hyps: []string{"a cheap pub near the river"},
			refs: [][]string{{"a cheap pub near the river"}}, want: 1,
		},
		{
			name: "no overlap", hyps: []string{"x y z w v"}, refs: [][]string{{"a b c d e"}}, want: 0,
		},
		{
			// "the cat sat on the mat" vs "the cat is on the mat": clipped matches
			// 1-grams 5/6 (the x2, cat, on, mat), 2-grams 3/5 (the cat, on the, the mat),
			// 3-grams 1/4 (on the mat), 4-grams 0/3: unsmoothed BLEU-4 is 0.
			name: "no 4-gram match", hyps: []string{"the cat sat on the mat"},
			refs: [][]string{{"the cat is on the mat"}}, want: 0,
		},
		{
			// Same counts, orders 1..3 only: (5/6 * 3/5 * 1/4)^(1/3) = (1/8)^(1/3) = 1/2.
			name: "BLEU-3", cfg: BLEUConfig{MaxOrder: 3}, hyps: []string{"the cat sat on the mat"},
			refs: [][]string{{"the cat is on the mat"}}, want: 0.5,
		},
		{
			// Add-one for n >= 2: p = (5/6, 4/6, 2/5, 1/4); product 40/720 = 1/18.
			name: "add-one smoothing", cfg: BLEUConfig{Smoothing: AddOne}, hyps: []string{"the cat sat on the mat"},
			refs: [][]string{{"the cat is on the mat"}}, want: math.Pow(1.0/18, 0.25),
		},
		{
			// Exponential: the first order without a match gets 1/(2^1 * 3); product
			// 5/6 * 3/5 * 1/4 * 1/6 = 1/48.
			name: "exponential smoothing", cfg: BLEUConfig{Smoothing: Exponential}, hyps: []string{"the cat sat on the mat"},
			refs: [][]string{{"the cat is on the mat"}}, want: math.Pow(1.0/48, 0.25),
		},
		{
			// Closest reference length to 2 is 4 (not 6): BP = exp(1 - 4/2) = e^-1; both
			// precisions are 1.
			name: "brevity penalty", cfg: BLEUConfig{MaxOrder: 2}, hyps: []string{"the cat"},
			refs: [][]string{{"the cat sat on the mat", "the cat is here"}}, want: math.Exp(-1),
		},
		{
			// Lengths 2 and 4 are equally close to 3: the shorter wins, so c = 3 > r = 2 and
			// BP = 1 (the longer would give exp(1 - 4/3)).
			name: "closest length tie", cfg: BLEUConfig{MaxOrder: 1}, hyps: []string{"a b c"},
			refs: [][]string{{"a b", "a b c d"}}, want: 1,
		},
		{
			// Corpus BLEU pools counts before dividing. "a b" matches fully (1-grams 2/2,
			// 2-grams 1/1); "c d e" vs "c d x" matches c, d and "c d" (2/3, 1/2). Pooled:
			// 1-grams 4/5, 2-grams 2/3; BP = 1 (5 tokens each side).
			// BLEU-2 = sqrt(4/5 * 2/3) = sqrt(8/15).
			name: "corpus pooling", cfg: BLEUConfig{MaxOrder: 2}, hyps: []string{"a b", "c d e"},
			refs: [][]string{{"a b"}, {"c d x"}}, want: math.Sqrt(8.0 / 15),
		},
		{
			// An empty output adds reference length but no tokens: c = 4, r = 1 + 4 = 5,
			// precisions all 1 (4/4, 3/3, 2/2, 1/1), BP = exp(1 - 5/4).
			name: "empty hypothesis in corpus", hyps: []string{"", "a b c d"},
			refs: [][]string{{"x"}, {"a b c d"}}, want: math.Exp(-0.25),
		},
		{
			name: "only empty hypotheses", hyps: []string{""}, refs: [][]string{{"a b"}}, want: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hyps, refs := corpus(tt.hyps, tt.refs)
			got, err := tt.cfg.Compute(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "BLEU", got.Score, tt.want)
		})
	}
}

func TestBLEUStatistics(t *testing.T) {
	hyps, refs := corpus([]string{"the cat sat on the mat"}, [][]string{{"the cat is on the mat", "a cat"}})
	got, err := BLEUConfig{}.Compute(hyps, refs)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{5, 3, 1, 0}; !slices.Equal(got.Matches, want) {
		t.Errorf("Matches = %v, want %v", got.Matches, want)
	}
	if want := []int{6, 5, 4, 3}; !slices.Equal(got.Totals, want) {
		t.Errorf("Totals = %v, want %v", got.Totals, want)
	}
	if got.HypLen != 6 || got.RefLen != 6 || got.BrevityPenalty != 1 {
		t.Errorf("HypLen, RefLen, BrevityPenalty = %d, %d, %v, want 6, 6, 1", got.HypLen, got.RefLen, got.BrevityPenalty)
	}
	plain, err := BLEU(hyps, refs)
	if err != nil || plain != got.Score {
		t.Errorf("BLEU = %v, %v, want %v (Compute's score)", plain, err, got.Score)
	}
}

func TestBLEUBadConfig(t *testing.T) {
	hyps, refs := corpus([]string{"a"}, [][]string{{"a"}})
	for _, cfg := range []BLEUConfig{{MaxOrder: -1}, {Smoothing: Smoothing(9)}} {
		if _, err := cfg.Compute(hyps, refs); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: error %v, want ErrInvalid", cfg, err)
		}
	}
}
