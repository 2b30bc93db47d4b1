package metrics

import (
	"fmt"
	"math"
)

// Smoothing says how BLEU treats an n-gram order with no match, whose precision of 0 would
// otherwise make the geometric mean, and the score, 0.
type Smoothing int

const (
	// NoSmoothing is corpus BLEU as Papineni et al. (2002) define it and the E2E scripts
	// compute it: any order without a match gives a score of 0.
	NoSmoothing Smoothing = iota
	// AddOne adds 1 to the matches and the total of every order n >= 2
	// (Lin and Och, 2004; method 2 of Chen and Cherry, 2014).
	AddOne
	// Exponential replaces the precision of the k-th order without a match by
	// 1 / (2^k * total), as NIST's mteval-v13a does (method 3 of Chen and Cherry, 2014).
	Exponential
)

// String names the smoothing method.
func (s Smoothing) String() string {
	switch s {
	case NoSmoothing:
		return "none"
	case AddOne:
		return "add-one"
	case Exponential:
		return "exponential"
	}
	return fmt.Sprintf("Smoothing(%d)", int(s))
}

// BLEUConfig chooses the variant of BLEU to compute. The zero value is corpus BLEU-4 without
// smoothing, the score of LoRA Table 3.
type BLEUConfig struct {
	// MaxOrder is the longest n-gram counted, N in the formula; 0 means 4.
	MaxOrder int
	// Smoothing handles orders without a match.
	Smoothing Smoothing
}

// BLEUResult is a corpus BLEU score with the statistics it is computed from.
type BLEUResult struct {
	// Score is BLEU in [0, 1]; papers print 100 times it.
	Score float64
	// Matches[n-1] and Totals[n-1] are the clipped matching n-grams and the n-grams of the
	// hypotheses, summed over the corpus; Precisions[n-1] is their (smoothed) quotient.
	Matches, Totals []int
	Precisions      []float64
	// BrevityPenalty is exp(1 - RefLen/HypLen) when HypLen <= RefLen, else 1.
	BrevityPenalty float64
	// HypLen is the number of hypothesis tokens; RefLen sums, over the examples, the length
	// of the reference closest in length to the hypothesis.
	HypLen, RefLen int
}

// BLEU is corpus BLEU-4 (Papineni et al., 2002) of tokenized hypotheses against their
// reference sets, without smoothing; see BLEUConfig.Compute.
func BLEU(hyps [][]string, refs [][][]string) (float64, error) {
	result, err := BLEUConfig{}.Compute(hyps, refs)
	return result.Score, err
}

// Compute returns corpus BLEU of hyps against refs, where refs[i] holds the references of
// hyps[i]. For each order n = 1..N, the clipped count of an n-gram of a hypothesis is its
// count capped at the largest count in any one of that hypothesis's references; m_n sums
// the clipped counts over the corpus and t_n the hypothesis n-grams, and p_n = m_n / t_n.
// With c the total hypothesis length and r the sum of the reference lengths closest to each
// hypothesis's length (the shorter one on a tie),
//
//	BLEU = BP * exp(sum_n (1/N) log p_n),   BP = 1 if c > r, else exp(1 - r/c),
//
// and BLEU is 0 when c is 0 or, without smoothing, when some p_n is 0.
func (cfg BLEUConfig) Compute(hyps [][]string, refs [][][]string) (BLEUResult, error) {
	order := cfg.MaxOrder
	if order == 0 {
		order = 4
	}
	if order < 0 {
		return BLEUResult{}, fmt.Errorf("bleu: max order %d, want >= 1: %w", cfg.MaxOrder, ErrInvalid)
	}
	if cfg.Smoothing < NoSmoothing || cfg.Smoothing > Exponential {
		return BLEUResult{}, fmt.Errorf("bleu: unknown smoothing %v: %w", cfg.Smoothing, ErrInvalid)
	}
	if err := checkCorpus("bleu", hyps, refs); err != nil {
		return BLEUResult{}, err
	}
	result := BLEUResult{Matches: make([]int, order), Totals: make([]int, order)}
	for i, hyp := range hyps {
		result.HypLen += len(hyp)
		result.RefLen += closestRefLength(len(hyp), refs[i])
		for n := 1; n <= order; n++ {
			counts := countNgrams(hyp, n)
			result.Matches[n-1] += clippedMatches(counts, maxRefCounts(refs[i], n), nil)
			result.Totals[n-1] += counts.total()
		}
	}
	result.Precisions = cfg.precisions(result.Matches, result.Totals)
	result.BrevityPenalty = brevityPenalty(result.HypLen, result.RefLen)
	var logSum float64
	for _, p := range result.Precisions {
		logSum += math.Log(p) / float64(order)
	}
	if result.HypLen > 0 {
		result.Score = result.BrevityPenalty * math.Exp(logSum)
	}
	return result, nil
}

// precisions returns the modified n-gram precisions p_n, smoothed as cfg asks. An order with
// no hypothesis n-gram at all (t_n = 0) has precision 0 unless smoothing defines it.
func (cfg BLEUConfig) precisions(matches, totals []int) []float64 {
	p := make([]float64, len(matches))
	unmatched := 0
	for i := range matches {
		m, t := float64(matches[i]), float64(totals[i])
		switch {
		case cfg.Smoothing == AddOne && i > 0:
			p[i] = (m + 1) / (t + 1)
		case m > 0:
			p[i] = m / t
		case cfg.Smoothing == Exponential:
			unmatched++
			p[i] = 1 / (math.Exp2(float64(unmatched)) * math.Max(t, 1))
		}
	}
	return p
}

// brevityPenalty is BLEU's penalty for a corpus of c hypothesis tokens against r reference
// tokens: 1 if c > r, exp(1 - r/c) otherwise, and 0 for an empty output.
func brevityPenalty(c, r int) float64 {
	switch {
	case c == 0:
		return 0
	case c > r:
		return 1
	}
	return math.Exp(1 - float64(r)/float64(c))
}

// closestRefLength returns the length of the reference closest to hypLen, the shorter one
// when two are equally close.
func closestRefLength(hypLen int, refs [][]string) int {
	best := len(refs[0])
	for _, ref := range refs[1:] {
		d, bestD := abs(len(ref)-hypLen), abs(best-hypLen)
		if d < bestD || d == bestD && len(ref) < best {
			best = len(ref)
		}
	}
	return best
}

// abs is the absolute value of an int.
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
