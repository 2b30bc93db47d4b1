package metrics

import (
	"fmt"
	"math"
)

// METEORConfig holds the parameters of METEOR's score. The zero value means OriginalMETEOR().
type METEORConfig struct {
	// Alpha weighs precision against recall in Fmean = P R / (Alpha P + (1 - Alpha) R).
	Alpha float64
	// Beta is the exponent and Gamma the maximum of the fragmentation penalty
	// Gamma * (chunks / matches)^Beta.
	Beta, Gamma float64
}

// OriginalMETEOR returns the parameters of the original METEOR (Banerjee and Lavie, 2005, the
// "METEOR 1.0" of Lavie and Agarwal, 2007): Fmean = 10 P R / (R + 9 P) and penalty
// 0.5 * (chunks / matches)^3. The E2E scripts run METEOR 1.5, with tuned parameters
// (alpha 0.85, beta 0.2, gamma 0.6, delta 0.75) and synonym and paraphrase matching that
// have no equivalent here, so scores are lower than, and not comparable to, LoRA Table 3's.
func OriginalMETEOR() METEORConfig {
	return METEORConfig{Alpha: 0.9, Beta: 3, Gamma: 0.5}
}

// METEOR is METEOR with OriginalMETEOR's parameters; see METEORConfig.Compute.
func METEOR(hyps [][]string, refs [][][]string) (float64, error) {
	return METEORConfig{}.Compute(hyps, refs)
}

// Compute returns the METEOR score (Banerjee and Lavie, 2005) of the corpus: the mean over
// hypotheses of the best sentence score against any of their references. A sentence score
// aligns hypothesis and reference unigrams one to one, first exact matches, then words with
// the same Porter stem (PorterStem) among those left; among the alignments with the most
// exact matches and the most matches in all, it takes one with the fewest chunks, where a
// chunk is a run of matched unigrams adjacent, and in the same order, in both sentences.
// With m matches, P = m / |hypothesis| and R = m / |reference|,
//
//	Fmean = P R / (alpha P + (1 - alpha) R),  Penalty = gamma (chunks / m)^beta,
//	score = Fmean (1 - Penalty),
//
// and the score is 0 when nothing matches. The original METEOR chooses, among alignments
// of equal size, the one with the fewest crossing links stage by stage; counting chunks
// directly scores what the penalty measures.
func (cfg METEORConfig) Compute(hyps [][]string, refs [][][]string) (float64, error) {
	if cfg == (METEORConfig{}) {
		cfg = OriginalMETEOR()
	}
	if !(cfg.Alpha >= 0 && cfg.Alpha <= 1) || !(cfg.Beta > 0) || !(cfg.Gamma >= 0 && cfg.Gamma <= 1) {
		return 0, fmt.Errorf("meteor: parameters %+v, want alpha and gamma in [0, 1] and beta > 0: %w", cfg, ErrInvalid)
	}
	if err := checkCorpus("meteor", hyps, refs); err != nil {
		return 0, err
	}
	var sum float64
	for i, hyp := range hyps {
		h := newStemmedSentence(hyp)
		best := 0.0
		for _, ref := range refs[i] {
			best = max(best, cfg.sentenceScore(h, newStemmedSentence(ref)))
		}
		sum += best
	}
	return sum / float64(len(hyps)), nil
}

// sentenceScore is METEOR of one hypothesis against one reference.
func (cfg METEORConfig) sentenceScore(hyp, ref stemmedSentence) float64 {
	matches, chunks := alignUnigrams(hyp, ref)
	if matches == 0 {
		return 0
	}
	m := float64(matches)
	p := m / float64(len(hyp.words))
	r := m / float64(len(ref.words))
	fmean := p * r / (cfg.Alpha*p + (1-cfg.Alpha)*r)
	penalty := cfg.Gamma * math.Pow(float64(chunks)/m, cfg.Beta)
	return fmean * (1 - penalty)
}

// stemmedSentence is a tokenized sentence with the Porter stem of each token.
type stemmedSentence struct {
	words, stems []string
}

// newStemmedSentence stems every token of words.
func newStemmedSentence(words []string) stemmedSentence {
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = PorterStem(w)
	}
	return stemmedSentence{words: words, stems: stems}
}
