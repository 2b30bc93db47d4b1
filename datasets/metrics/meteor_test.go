package metrics

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestMETEOR(t *testing.T) {
	tests := []struct {
		name string
		cfg  METEORConfig
		hyps []string
		refs [][]string
		want float64
	}{
		{
			// Six exact matches, P = R = 1, Fmean = 1. The fewest chunks is 3:
			// [the cat] -> ref 4-5, [sat] -> ref 3, [on the mat] -> ref 0-2 (aligning the
			// first "the" to ref 1 would make more). Penalty 0.5 * (3/6)^3 = 1/16.
			name: "reordering", hyps: []string{"the cat sat on the mat"},
			refs: [][]string{{"on the mat sat the cat"}}, want: 15.0 / 16,
		},
		{
			// "the" exact, cats~cat and sleeping~sleeps by stem: m = 3 in one chunk.
			// Fmean = 1, penalty 0.5 * (1/3)^3 = 1/54.
			name: "stem matches", hyps: []string{"the cats sleeping"},
			refs: [][]string{{"the cat sleeps"}}, want: 53.0 / 54,
		},
		{
			// m = 3, P = 1, R = 1/2: Fmean = (1/2)/(0.9 + 0.05) = 10/19; one chunk,
			// penalty 1/54: (10/19)(53/54).
			name: "recall-weighted", hyps: []string{"a b c"},
			refs: [][]string{{"a b c d e f"}}, want: 10.0 / 19 * 53 / 54,
		},
		{
			// "sleeps" must match exactly (ref 3) rather than by stem (ref 1), though the stem
			// match would make one chunk: exact matches come first. Chunks [a] [sleeps] [b]:
			// penalty 0.5 * (3/3)^3 = 1/2. P = 1, R = 3/4: Fmean = 0.75/0.975 = 10/13.
			name: "exact before stem", hyps: []string{"a sleeps b"},
			refs: [][]string{{"a sleeping b sleeps"}}, want: 5.0 / 13,
		},
		{
			// The explicit original parameters give the zero config's score.
			name: "original parameters", cfg: OriginalMETEOR(), hyps: []string{"the cats sleeping"},
			refs: [][]string{{"the cat sleeps"}}, want: 53.0 / 54,
		},
		{
			// Best of the references: the second gives m = 2 in one chunk: 1 - 0.5/8.
			name: "best reference", hyps: []string{"the cat"},
			refs: [][]string{{"x y z", "the cat"}}, want: 15.0 / 16,
		},
		{
			name: "corpus mean", hyps: []string{"the cat", "q"},
			refs: [][]string{{"the cat"}, {"r"}}, want: 15.0 / 32,
		},
		{
			// alpha = 0.5 makes Fmean the harmonic mean 2PR/(P+R) = 1/(3/4) = 2/3 for P = 1,
			// R = 1/2; gamma = 0 removes the penalty.
			name: "custom parameters", cfg: METEORConfig{Alpha: 0.5, Beta: 1, Gamma: 0},
			hyps: []string{"a b c"}, refs: [][]string{{"a b c d e f"}}, want: 2.0 / 3,
		},
		{
			// A single matched unigram is one chunk per match: penalty 0.5.
			// P = R = 1/2, Fmean = 1/2: score 1/4.
			name: "single match", hyps: []string{"a x"}, refs: [][]string{{"a y"}}, want: 0.25,
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
			got, err := tt.cfg.Compute(hyps, refs)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "METEOR", got, tt.want)
		})
	}
}

func TestMETEORBadConfig(t *testing.T) {
	hyps, refs := corpus([]string{"a"}, [][]string{{"a"}})
	for _, cfg := range []METEORConfig{{Alpha: 1.5, Beta: 3, Gamma: 0.5}, {Alpha: 0.9, Beta: 0, Gamma: 0.5}, {Alpha: 0.9, Beta: 3, Gamma: -1}} {
		if _, err := cfg.Compute(hyps, refs); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: error %v, want ErrInvalid", cfg, err)
		}
	}
}

// TestAlignUnigramsAgainstExhaustiveSearch compares the search with an enumeration of every
// one-to-one alignment, on random short sentences over a vocabulary with repeated words and
// shared stems.
func TestAlignUnigramsAgainstExhaustiveSearch(t *testing.T) {
	vocabulary := []string{"run", "runs", "running", "the", "a", "cat", "cats"}
	rng := rand.New(rand.NewPCG(1, 2))
	sentence := func() []string {
		s := make([]string, rng.IntN(6))
		for i := range s {
			s[i] = vocabulary[rng.IntN(len(vocabulary))]
		}
		return s
	}
	for trial := range 300 {
		hyp, ref := newStemmedSentence(sentence()), newStemmedSentence(sentence())
		matches, chunks := alignUnigrams(hyp, ref)
		wantMatches, wantChunks := exhaustiveAlignment(hyp, ref)
		if matches != wantMatches || chunks != wantChunks {
			t.Errorf("trial %d: align(%q, %q) = %d matches, %d chunks; exhaustive search: %d, %d",
				trial, hyp.words, ref.words, matches, chunks, wantMatches, wantChunks)
		}
	}
}

// exhaustiveAlignment enumerates every one-to-one alignment of hyp to ref whose links join
// equal words or equal stems, keeps those with the most exact links and then the most links,
// and returns their size and their fewest chunks.
func exhaustiveAlignment(hyp, ref stemmedSentence) (matches, chunks int) {
	link := make([]int, len(hyp.words)) // link[i] is the reference position of hyp i, or -1
	used := make([]bool, len(ref.words))
	bestExact, bestMatches, bestChunks := -1, -1, 0
	var enumerate func(i int)
	enumerate = func(i int) {
		if i == len(hyp.words) {
			exact, total, c := 0, 0, 0
			for k, j := range link {
				if j < 0 {
					continue
				}
				total++
				if hyp.words[k] == ref.words[j] {
					exact++
				}
				if k == 0 || link[k-1] < 0 || link[k-1] != j-1 {
					c++
				}
			}
			better := exact > bestExact || exact == bestExact && total > bestMatches ||
				exact == bestExact && total == bestMatches && c < bestChunks
			if better {
				bestExact, bestMatches, bestChunks = exact, total, c
			}
			return
		}
		link[i] = -1
		enumerate(i + 1)
		for j := range ref.words {
			if !used[j] && hyp.stems[i] == ref.stems[j] {
				used[j], link[i] = true, j
				enumerate(i + 1)
				used[j], link[i] = false, -1
			}
		}
	}
	enumerate(0)
	return bestMatches, bestChunks
}

// TestAlignUnigramsRepetitive checks that inputs made of a few repeated words, whose
// alignments are too many to enumerate, still get the fewest chunks.
func TestAlignUnigramsRepetitive(t *testing.T) {
	var h, r []string
	for range 20 {
		h = append(h, "a", "b")
		r = append(r, "b", "a")
	}
	matches, chunks := alignUnigrams(newStemmedSentence(h), newStemmedSentence(r))
	// Hypothesis "a b a b ... a b" is reference "b a b a ... b a" shifted by one: aligning
	// hyp[i] to ref[i+1] puts 39 links in one chunk and the last b to ref[0]; one chunk is impossible
	// since the sentences differ.
	if matches != 40 || chunks != 2 {
		t.Errorf("align = %d matches, %d chunks, want 40 matches in 2 chunks", matches, chunks)
	}
}

// TestAlignUnigramsBudget checks that a search cut short still returns a complete alignment
// (all matches placed), no better than the optimum, and the same one every time.
func TestAlignUnigramsBudget(t *testing.T) {
	h := newStemmedSentence(words("a b a b b a a b a b a a b b a b"))
	r := newStemmedSentence(words("b a b b a a b a b a b a a b a b"))
	optimalMatches, optimalChunks := alignUnigrams(h, r)
	for _, budget := range []int{0, 1, 10, 100} {
		matches, chunks := alignUnigramsWithin(h, r, budget)
		again, chunksAgain := alignUnigramsWithin(h, r, budget)
		if matches != optimalMatches || chunks < optimalChunks || again != matches || chunksAgain != chunks {
			t.Errorf("budget %d: %d matches, %d chunks (again %d, %d); optimum %d, %d",
				budget, matches, chunks, again, chunksAgain, optimalMatches, optimalChunks)
		}
	}
}
