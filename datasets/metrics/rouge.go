package metrics

// rougeBeta is the recall weight of ROUGE-L's F-measure in the coco-caption scorer that the
// E2E NLG scripts call: beta = 1.2 weighs recall a little more than precision.
const rougeBeta = 1.2

// RougeL is ROUGE-L (Lin, 2004) as LoRA Table 3 reports it: for a hypothesis h and a
// reference g with a longest common subsequence of length LCS,
//
//	P = LCS / |h|,  R = LCS / |g|,  F = (1 + beta^2) P R / (R + beta^2 P),  beta = 1.2,
//
// and F is 0 when LCS is 0. A hypothesis scores the largest F over its references, and the
// corpus scores the mean over hypotheses, in [0, 1]. (The coco-caption scorer instead takes
// the largest P and the largest R over references separately before combining them; the two
// agree with a single reference.)
func RougeL(hyps [][]string, refs [][][]string) (float64, error) {
	if err := checkCorpus("rouge-l", hyps, refs); err != nil {
		return 0, err
	}
	var sum float64
	for i, hyp := range hyps {
		best := 0.0
		for _, ref := range refs[i] {
			best = max(best, rougeLF(hyp, ref))
		}
		sum += best
	}
	return sum / float64(len(hyps)), nil
}

// rougeLF is ROUGE-L's F-measure of one hypothesis against one reference.
func rougeLF(hyp, ref []string) float64 {
	lcs := float64(longestCommonSubsequence(hyp, ref))
	if lcs == 0 {
		return 0
	}
	p := lcs / float64(len(hyp))
	r := lcs / float64(len(ref))
	b2 := rougeBeta * rougeBeta
	return (1 + b2) * p * r / (r + b2*p)
}

// longestCommonSubsequence returns the length of the longest sequence of tokens that occurs,
// in order but not necessarily contiguously, in both a and b. It fills the classic dynamic
// programme row by row: L[i][j] = L[i-1][j-1] + 1 if a_i = b_j, else max(L[i-1][j], L[i][j-1]).
func longestCommonSubsequence(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
