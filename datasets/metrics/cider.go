package metrics

import "math"

// CIDEr-D constants, as in the coco-caption scorer the E2E NLG scripts call.
const (
	ciderMaxOrder = 4    // n-grams of 1 to 4 tokens
	ciderSigma    = 6.0  // width of the gaussian length penalty, in tokens
	ciderScale    = 10.0 // brings scores to the range the captioning literature reports
)

// CIDErD is CIDEr-D (Vedantam et al., 2015), the consensus metric of LoRA Table 3. Each
// sentence becomes, for n = 1..4, a vector g^n of TF-IDF weights of its n-grams:
//
//	g^n_k(s) = count_k(s) * log(N / max(1, df_k)),
//
// where N is the number of examples in the corpus and df_k the number of examples whose
// references contain n-gram k, so n-grams common to every example weigh nothing. With
// hypothesis h, references g_1..g_m and l(.) the length in tokens,
//
//	CIDEr-D_n(h) = (1/m) sum_j [ sum_k min(g^n_k(h), g^n_k(g_j)) g^n_k(g_j) / (|g^n(h)| |g^n(g_j)|) ]
//	               * exp(-(l(h) - l(g_j))^2 / (2 sigma^2)),  sigma = 6,
//
// a cosine similarity whose hypothesis weights are clipped at the reference's (so repeating
// a good n-gram does not pay) and which decays when lengths differ. A hypothesis scores
// 10 * (1/4) sum_n CIDEr-D_n, the corpus the mean over hypotheses. A zero vector makes its
// cosine 0. With a single example every reference n-gram has df = N and weight 0, so the
// score is 0: CIDEr-D needs a corpus.
func CIDErD(hyps [][]string, refs [][][]string) (float64, error) {
	if err := checkCorpus("cider-d", hyps, refs); err != nil {
		return 0, err
	}
	idf := inverseDocumentFrequencies(refs)
	var sum float64
	for i, hyp := range hyps {
		h := newTFIDF(hyp, idf)
		var score float64
		for _, ref := range refs[i] {
			r := newTFIDF(ref, idf)
			lengthPenalty := math.Exp(-math.Pow(float64(len(hyp)-len(ref)), 2) / (2 * ciderSigma * ciderSigma))
			for n := range ciderMaxOrder {
				score += h.clippedCosine(r, n) * lengthPenalty
			}
		}
		sum += ciderScale * score / ciderMaxOrder / float64(len(refs[i]))
	}
	return sum / float64(len(hyps)), nil
}

// idfWeights gives the inverse document frequency log(N / max(1, df)) of an n-gram key.
type idfWeights func(key string) float64

// inverseDocumentFrequencies counts, for every n-gram of order 1..4, how many examples have
// it in at least one reference, and returns the weight function over those counts.
func inverseDocumentFrequencies(refs [][][]string) idfWeights {
	df := newNgramCounts()
	for _, set := range refs {
		seen := newNgramCounts()
		for _, ref := range set {
			for n := 1; n <= ciderMaxOrder; n++ {
				seen.addSequence(ref, n)
			}
		}
		for _, key := range seen.keys {
			df.add(key, 1)
		}
	}
	logN := math.Log(float64(len(refs)))
	return func(key string) float64 {
		return logN - math.Log(math.Max(1, float64(df.get(key))))
	}
}

// tfidf holds a sentence's n-gram counts and TF-IDF vector norms, order by order.
type tfidf struct {
	counts []*ngramCounts
	norms  []float64
	idf    idfWeights
}

// newTFIDF builds the TF-IDF vectors of tokens for orders 1..4.
func newTFIDF(tokens []string, idf idfWeights) *tfidf {
	v := &tfidf{idf: idf, counts: make([]*ngramCounts, ciderMaxOrder), norms: make([]float64, ciderMaxOrder)}
	for n := range ciderMaxOrder {
		v.counts[n] = countNgrams(tokens, n+1)
		var squares float64
		for i, key := range v.counts[n].keys {
			w := float64(v.counts[n].counts[i]) * idf(key)
			squares += w * w
		}
		v.norms[n] = math.Sqrt(squares)
	}
	return v
}

// clippedCosine is sum_k min(h_k, r_k) r_k / (|h| |r|) over the n-grams of order n+1, with h
// the receiver's weights and r the reference's; 0 when either vector is zero.
func (h *tfidf) clippedCosine(r *tfidf, n int) float64 {
	if h.norms[n] == 0 || r.norms[n] == 0 {
		return 0
	}
	var dot float64
	for i, key := range h.counts[n].keys {
		weight := h.idf(key)
		hw := float64(h.counts[n].counts[i]) * weight
		rw := float64(r.counts[n].get(key)) * weight
		dot += min(hw, rw) * rw
	}
	return dot / (h.norms[n] * r.norms[n])
}
