package metrics

import "math"

// nistMaxOrder is the longest n-gram NIST counts, as in mteval and the E2E scripts.
const nistMaxOrder = 5

// NIST is the NIST score (Doddington, 2002) of tokenized hypotheses against their reference
// sets, with n-grams up to 5 as in LoRA Table 3. Where BLEU counts every matching n-gram
// the same, NIST weights each by how informative it is in the references of the corpus:
//
//	Info(w_1..w_n) = log2( count(w_1..w_{n-1}) / count(w_1..w_n) ),
//
// with counts over all references of all examples, and count() of the empty prefix the
// number of reference tokens; a rare continuation of a frequent prefix weighs most. Then
//
//	NIST = sum_{n=1..5} [ sum of Info over the matched n-grams / number of hypothesis n-grams ]
//	       * exp(-beta * log^2(min(c / r, 1))),
//
// where the matched n-grams of a hypothesis are clipped as in BLEU, c is the number of
// hypothesis tokens, r sums each example's average reference length, and beta puts the
// penalty at 0.5 when c/r = 2/3. An order with no hypothesis n-gram adds nothing. NIST is
// unbounded above (around 8 to 9 on E2E); it is 0 for empty hypotheses.
func NIST(hyps [][]string, refs [][][]string) (float64, error) {
	if err := checkCorpus("nist", hyps, refs); err != nil {
		return 0, err
	}
	return nist(hyps, refs, nistMaxOrder), nil
}

// nist computes NIST with n-grams up to maxOrder on validated input.
func nist(hyps [][]string, refs [][][]string, maxOrder int) float64 {
	refCounts, refTokens := referenceNgramCounts(refs, maxOrder)
	info := func(key string) float64 {
		prefixCount := float64(refTokens)
		if prefix := ngramPrefix(key); prefix != "" {
			prefixCount = float64(refCounts[ngramOrder(prefix)-1].get(prefix))
		}
		return math.Log2(prefixCount / float64(refCounts[ngramOrder(key)-1].get(key)))
	}
	matchedInfo := make([]float64, maxOrder)
	totals := make([]int, maxOrder)
	var hypLen int
	var refLen float64
	for i, hyp := range hyps {
		hypLen += len(hyp)
		refLen += averageLength(refs[i])
		for n := 1; n <= maxOrder; n++ {
			counts := countNgrams(hyp, n)
			totals[n-1] += counts.total()
			clippedMatches(counts, maxRefCounts(refs[i], n), func(key string, count int) {
				matchedInfo[n-1] += float64(count) * info(key)
			})
		}
	}
	var score float64
	for n := range maxOrder {
		if totals[n] > 0 {
			score += matchedInfo[n] / float64(totals[n])
		}
	}
	return score * nistBrevityPenalty(float64(hypLen), refLen)
}

// referenceNgramCounts counts the n-grams of every order up to maxOrder over all references
// of the corpus, and the reference tokens.
func referenceNgramCounts(refs [][][]string, maxOrder int) ([]*ngramCounts, int) {
	counts := make([]*ngramCounts, maxOrder)
	for n := range counts {
		counts[n] = newNgramCounts()
	}
	tokens := 0
	for _, set := range refs {
		for _, ref := range set {
			tokens += len(ref)
			for n := 1; n <= maxOrder; n++ {
				counts[n-1].addSequence(ref, n)
			}
		}
	}
	return counts, tokens
}

// averageLength is the mean number of tokens of the references.
func averageLength(refs [][]string) float64 {
	sum := 0
	for _, ref := range refs {
		sum += len(ref)
	}
	return float64(sum) / float64(len(refs))
}

// nistBrevityPenalty is exp(-beta * log^2(c/r)) for c < r, 1 for c >= r, and 0 for c = 0.
// beta = ln 2 / ln^2(3/2) makes the penalty 0.5 when the hypotheses are 2/3 as long as the
// references.
func nistBrevityPenalty(c, r float64) float64 {
	beta := math.Ln2 / math.Pow(math.Log(1.5), 2)
	switch {
	case c <= 0:
		return 0
	case c >= r:
		return 1
	}
	l := math.Log(c / r)
	return math.Exp(-beta * l * l)
}
