package metrics

import (
	"fmt"
	"slices"
)

// ExactMatch is the fraction of hypotheses equal, token for token, to at least one of their
// references. It is the strictest generation metric: a word-to-phoneme model either spells
// the pronunciation right or not.
func ExactMatch(hyps [][]string, refs [][][]string) (float64, error) {
	if err := checkCorpus("exact match", hyps, refs); err != nil {
		return 0, err
	}
	matched := 0
	for i, hyp := range hyps {
		if slices.ContainsFunc(refs[i], func(ref []string) bool { return slices.Equal(hyp, ref) }) {
			matched++
		}
	}
	return float64(matched) / float64(len(hyps)), nil
}

// ErrorRate is the token error rate of the corpus: the Levenshtein distance between each
// hypothesis and its reference (insertions, deletions and substitutions of one token each
// cost 1), summed over the corpus and divided by the summed reference lengths. Tokens that
// are characters give the character error rate, phonemes the phoneme error rate, words the
// word error rate. Where an example has several references, the one with the lowest rate
// distance/length is used (the fewer edits on a tie). The rate is 0 for a perfect output and
// can exceed 1 when hypotheses are longer than their references. Every reference must have
// at least one token.
func ErrorRate(hyps [][]string, refs [][][]string) (float64, error) {
	if err := checkCorpus("error rate", hyps, refs); err != nil {
		return 0, err
	}
	var edits, length int
	for i, hyp := range hyps {
		bestEdits, bestLen := -1, 0
		for j, ref := range refs[i] {
			if len(ref) == 0 {
				return 0, fmt.Errorf("error rate: reference %d of example %d is empty: %w", j, i, ErrInvalid)
			}
			d := EditDistance(hyp, ref)
			// d/len(ref) < bestEdits/bestLen, compared without division.
			if bestEdits < 0 || d*bestLen < bestEdits*len(ref) || d*bestLen == bestEdits*len(ref) && d < bestEdits {
				bestEdits, bestLen = d, len(ref)
			}
		}
		edits += bestEdits
		length += bestLen
	}
	return float64(edits) / float64(length), nil
}

// EditDistance is the Levenshtein distance between token sequences a and b: the fewest
// insertions, deletions and substitutions of single tokens that turn a into b. It fills the
// dynamic programme D[i][j] = min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + [a_i != b_j])
// one row at a time.
func EditDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur[0] = i + 1
		for j := range b {
			substitution := prev[j]
			if a[i] != b[j] {
				substitution++
			}
			cur[j+1] = min(prev[j+1]+1, cur[j]+1, substitution)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
