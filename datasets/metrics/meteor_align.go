package metrics

// alignSearchBudget bounds the number of partial alignments alignUnigrams explores. Finding
// the alignment with the fewest chunks contains the minimum common string partition problem,
// which is NP-hard, so the search is exact only within this budget. Sentences of the length
// and vocabulary of E2E outputs finish far below it (random 30-token sentences over 30
// distinct words: always optimal, about 1 ms at worst). Long sentences made of a handful of
// distinct words can exhaust it (30 tokens over 2 to 10 distinct words: about 5 ms, and
// 10-20% more chunks than the optimum); the search then returns the fewest chunks found so
// far, the same on every run.
const alignSearchBudget = 50_000

// alignUnigrams returns the size and the number of chunks of a METEOR alignment of hyp to
// ref: a one-to-one matching of tokens with the most exact matches, then the most matches
// by stem among the tokens left, and, among those, the fewest chunks.
//
// The sizes are fixed by counting: word w has min(hyp count, ref count) exact matches, and
// stem class s has min(hyp count, ref count) matches in all. Which tokens match, and so the
// chunks, is found by a depth-first search over the hypothesis positions left to right,
// trying first the match that extends the current chunk, pruning a branch once it cannot
// beat the best alignment found and once the tokens left cannot complete the counts.
func alignUnigrams(hyp, ref stemmedSentence) (matches, chunks int) {
	return alignUnigramsWithin(hyp, ref, alignSearchBudget)
}

// alignUnigramsWithin is alignUnigrams with a search budget of the given number of partial
// alignments.
func alignUnigramsWithin(hyp, ref stemmedSentence, budget int) (matches, chunks int) {
	s := newAlignSearch(hyp, ref)
	s.budget = budget
	if s.needed == 0 {
		return 0, 0
	}
	s.visit(0, -1, 0)
	return s.needed, s.bestChunks
}

// alignSearch is the state of alignUnigrams's search.
type alignSearch struct {
	hyp, ref stemmedSentence
	// needExact[w] exact matches of word w and needStem[s] stem-only matches of stem s are
	// still to be placed; needExactInStem[s] sums needExact over the words of stem s.
	needExact, needStem, needExactInStem map[string]int
	// sameWordLater[i] and sameStemLater[i] count the tokens of hyp[i+1:] with the word,
	// and with the stem, of hyp[i].
	sameWordLater, sameStemLater []int
	// linkableFrom[i] counts the positions k >= i where hyp[k-1] and hyp[k] have the stems
	// of two adjacent reference tokens: only there can a match continue a chunk.
	linkableFrom []int
	// freeRefWords[w] counts the reference tokens of word w not yet matched.
	freeRefWords map[string]int
	refUsed      []bool
	// candidates[i] lists the reference positions with the stem of hyp[i], in order.
	candidates [][]int
	needed     int // matches of a complete alignment
	left       int // matches still to place
	bestChunks int // fewest chunks of a complete alignment found so far
	explored   int
	budget     int
}

// newAlignSearch counts the matches a complete alignment must make.
func newAlignSearch(hyp, ref stemmedSentence) *alignSearch {
	s := &alignSearch{
		hyp: hyp, ref: ref,
		needExact: map[string]int{}, needStem: map[string]int{}, needExactInStem: map[string]int{},
		freeRefWords: map[string]int{},
		refUsed:      make([]bool, len(ref.words)),
	}
	hypWords, hypStems, refStems := map[string]int{}, map[string]int{}, map[string]int{}
	stemOf := map[string]string{}
	for i, w := range hyp.words {
		hypWords[w]++
		hypStems[hyp.stems[i]]++
		stemOf[w] = hyp.stems[i]
	}
	for i, w := range ref.words {
		s.freeRefWords[w]++
		refStems[ref.stems[i]]++
	}
	for w, n := range hypWords {
		if exact := min(n, s.freeRefWords[w]); exact > 0 {
			s.needExact[w] = exact
			s.needExactInStem[stemOf[w]] += exact
		}
	}
	for stem, n := range hypStems {
		total := min(n, refStems[stem])
		s.needStem[stem] = total - s.needExactInStem[stem]
		s.needed += total
	}
	s.sameWordLater = make([]int, len(hyp.words))
	s.sameStemLater = make([]int, len(hyp.words))
	for i := range hyp.words {
		for k := i + 1; k < len(hyp.words); k++ {
			if hyp.words[k] == hyp.words[i] {
				s.sameWordLater[i]++
			}
			if hyp.stems[k] == hyp.stems[i] {
				s.sameStemLater[i]++
			}
		}
	}
	s.candidates = make([][]int, len(hyp.words))
	for i := range hyp.words {
		for j := range ref.words {
			if hyp.stems[i] == ref.stems[j] {
				s.candidates[i] = append(s.candidates[i], j)
			}
		}
	}
	s.linkableFrom = make([]int, len(hyp.words)+1)
	for k := len(hyp.words) - 1; k >= 1; k-- {
		s.linkableFrom[k] = s.linkableFrom[k+1]
		for j := 1; j < len(ref.words); j++ {
			if hyp.stems[k-1] == ref.stems[j-1] && hyp.stems[k] == ref.stems[j] {
				s.linkableFrom[k]++
				break
			}
		}
	}
	s.left = s.needed
	s.bestChunks = s.needed + 1
	return s
}

// visit decides hypothesis position i, given the reference position matched to i-1 (-1 if
// none), the chunks so far and the matches still to place.
func (s *alignSearch) visit(i, prevRef, chunks int) {
	s.explored++
	if s.left == 0 {
		s.bestChunks = min(s.bestChunks, chunks)
		return
	}
	if i == len(s.hyp.words) {
		return
	}
	// Every match still to place adds a chunk unless it links to the match before it,
	// which only a linkable position can do, and not the first one placed after a gap.
	maxLinks := s.linkableFrom[i+1]
	if prevRef >= 0 {
		maxLinks++
	}
	if prevRef < 0 {
		maxLinks = min(maxLinks, s.left-1)
	}
	lowerBound := chunks + s.left - min(maxLinks, s.left)
	if lowerBound >= s.bestChunks || s.explored > s.budget && s.bestChunks <= s.needed {
		return
	}
	if prevRef >= 0 && prevRef+1 < len(s.ref.words) {
		s.tryMatch(i, prevRef+1, chunks)
	}
	for _, j := range s.candidates[i] {
		if j != prevRef+1 || prevRef < 0 {
			s.tryMatch(i, j, chunks+1)
		}
	}
	if s.feasibleAfter(i) {
		s.visit(i+1, -1, chunks)
	}
}

// tryMatch matches hyp[i] to ref[j], if they match and the counts allow it, searches on, and
// undoes the match.
func (s *alignSearch) tryMatch(i, j, chunks int) {
	if s.refUsed[j] {
		return
	}
	hw, hs := s.hyp.words[i], s.hyp.stems[i]
	rw, rs := s.ref.words[j], s.ref.stems[j]
	var exact bool
	switch {
	case hw == rw && s.needExact[hw] > 0:
		exact = true
	case hw != rw && hs == rs && s.needStem[hs] > 0 && s.freeRefWords[rw] > s.needExact[rw]:
	default:
		return
	}
	s.place(i, j, exact, -1)
	if s.feasibleAfter(i) {
		s.visit(i+1, j, chunks)
	}
	s.place(i, j, exact, +1)
}

// place records (delta -1) or undoes (delta +1) the match of hyp[i] to ref[j].
func (s *alignSearch) place(i, j int, exact bool, delta int) {
	hw, hs := s.hyp.words[i], s.hyp.stems[i]
	if exact {
		s.needExact[hw] += delta
		s.needExactInStem[hs] += delta
	} else {
		s.needStem[hs] += delta
	}
	s.freeRefWords[s.ref.words[j]] += delta
	s.left += delta
	s.refUsed[j] = delta < 0
}

// feasibleAfter reports whether the hypothesis tokens after position i can still place the
// matches owed by hyp[i]'s word and stem (the only counts position i changes).
func (s *alignSearch) feasibleAfter(i int) bool {
	w, stem := s.hyp.words[i], s.hyp.stems[i]
	return s.sameWordLater[i] >= s.needExact[w] &&
		s.sameStemLater[i] >= s.needExactInStem[stem]+s.needStem[stem]
}
