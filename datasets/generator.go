package datasets

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// generator draws the embedded data. Every embedded task owns one, seeded from the options'
// seed and a per-task stream number, so tasks do not shift when another one changes.
type generator struct{ rng *rand.Rand }

// Stream numbers of the embedded tasks, one per generator.
const (
	streamCorpus uint64 = iota + 101
	streamCls
	streamReg
	streamD2T
)

func newGenerator(seed, stream uint64) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, stream))}
}

// pick returns a uniformly chosen element.
func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// chance is true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// between returns an integer in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// sentence capitalises the first letter of s and ends it with a full stop unless it already
// ends in punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.ContainsAny(s[len(s)-1:], ".!?") {
		s += "."
	}
	return s
}

// article returns "a" or "an" to go before word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
