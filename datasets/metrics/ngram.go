package metrics

import "strings"

// ngramSeparator joins the tokens of an n-gram into a map key. It is a control character
// that tokenizers never produce inside a token.
const ngramSeparator = "\x00"

// ngramCounts counts the n-grams of one order in a token sequence (or several). It keeps the
// n-grams in order of first appearance, so that sums over them, and hence the metrics, are
// bit-identical from run to run (Go randomizes map iteration order).
type ngramCounts struct {
	index  map[string]int
	keys   []string
	counts []int
}

// newNgramCounts returns an empty count.
func newNgramCounts() *ngramCounts {
	return &ngramCounts{index: make(map[string]int)}
}

// countNgrams returns the counts of the n-grams of order n in tokens.
func countNgrams(tokens []string, n int) *ngramCounts {
	c := newNgramCounts()
	c.addSequence(tokens, n)
	return c
}

// addSequence adds one occurrence of every n-gram of order n in tokens.
func (c *ngramCounts) addSequence(tokens []string, n int) {
	for i := 0; i+n <= len(tokens); i++ {
		c.add(strings.Join(tokens[i:i+n], ngramSeparator), 1)
	}
}

// add adds count occurrences of key.
func (c *ngramCounts) add(key string, count int) {
	if i, ok := c.index[key]; ok {
		c.counts[i] += count
		return
	}
	c.index[key] = len(c.keys)
	c.keys = append(c.keys, key)
	c.counts = append(c.counts, count)
}

// get returns the count of key, 0 when absent.
func (c *ngramCounts) get(key string) int {
	if i, ok := c.index[key]; ok {
		return c.counts[i]
	}
	return 0
}

// total is the number of n-gram occurrences counted.
func (c *ngramCounts) total() int {
	sum := 0
	for _, n := range c.counts {
		sum += n
	}
	return sum
}

// maxRefCounts returns, for every n-gram of order n in any of refs, the largest number of
// times it occurs in a single reference: the ceiling used to clip a hypothesis's counts in
// BLEU and NIST.
func maxRefCounts(refs [][]string, n int) *ngramCounts {
	ceiling := newNgramCounts()
	for _, ref := range refs {
		counts := countNgrams(ref, n)
		for i, key := range counts.keys {
			if have := ceiling.get(key); counts.counts[i] > have {
				ceiling.add(key, counts.counts[i]-have)
			}
		}
	}
	return ceiling
}

// clippedMatches returns the n-grams of hyp that a reference accounts for: each n-gram's
// count in hyp, clipped at ceiling, and calls visit (when not nil) with each n-gram and its
// clipped count.
func clippedMatches(hyp, ceiling *ngramCounts, visit func(key string, count int)) int {
	matched := 0
	for i, key := range hyp.keys {
		clipped := min(hyp.counts[i], ceiling.get(key))
		if clipped == 0 {
			continue
		}
		matched += clipped
		if visit != nil {
			visit(key, clipped)
		}
	}
	return matched
}

// ngramOrder returns the number of tokens in an n-gram key.
func ngramOrder(key string) int {
	return strings.Count(key, ngramSeparator) + 1
}

// ngramPrefix returns the key of the n-gram without its last token, "" for a unigram.
func ngramPrefix(key string) string {
	i := strings.LastIndex(key, ngramSeparator)
	if i < 0 {
		return ""
	}
	return key[:i]
}
