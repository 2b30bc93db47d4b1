package metrics

// alignSearchBudget bounds the number of partial alignments alignUnigrams explores. Finding
// the alignment with the fewest chunks contains the minimum common string partition problem,
// which is NP-hard, so the search is exact only within this budget. Sentences of the length
// and vocabulary of E2E outputs finish far below it (random 30-token sentences over 30
// distinct words: always optimal, well under 1 ms). Long sentences made of a handful of
// distinct words can exhaust it (30 tokens over 2 to 10 distinct words: about 2 ms, and
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

// alignSearch is the state of alignUnigrams's search. Words and stems are interned as small
// integers so that the innermost steps index slices instead of hashing strings.
type alignSearch struct {
	// hypWord[i], hypStem[i], refWord[j], refStem[j] are the ids of the tokens' words and stems.
	hypWord, hypStem, refWord, refStem []int
	// needExact[w] exact matches of word w and needStem[s] stem-only matches of stem s are
	// still to be placed; needExactInStem[s] sums needExact over the words of stem s.
	needExact, needStem, needExactInStem []int
	// freeRefWords[w] counts the reference tokens of word w not yet matched.
	freeRefWords []int
	// sameWordLater[i] and sameStemLater[i] count the tokens of hyp[i+1:] with the word,
	// and with the stem, of hyp[i].
	sameWordLater, sameStemLater []int
	// linkableFrom[i] counts the positions k >= i where hyp[k-1] and hyp[k] have the stems
	// of two adjacent reference tokens: only there can a match continue a chunk.
	linkableFrom []int
	// candidates[i] lists the reference positions with the stem of hyp[i], in order.
	candidates [][]int
	refUsed    []bool
	needed     int // matches of a complete alignment
	left       int // matches still to place
	bestChunks int // fewest chunks of a complete alignment found so far
	explored   int
	budget     int
}

// interner numbers distinct strings in order of first appearance.
type interner map[string]int

// ids returns the id of every string of values, numbering new ones.
func (in interner) ids(values []string) []int {
	ids := make([]int, len(values))
	for i, v := range values {
		id, ok := in[v]
		if !ok {
			id = len(in)
			in[v] = id
		}
		ids[i] = id
	}
	return ids
}

// newAlignSearch interns the tokens and counts the matches a complete alignment must make.
func newAlignSearch(hyp, ref stemmedSentence) *alignSearch {
	wordIDs, stemIDs := interner{}, interner{}
	s := &alignSearch{
		hypWord: wordIDs.ids(hyp.words), refWord: wordIDs.ids(ref.words),
		hypStem: stemIDs.ids(hyp.stems), refStem: stemIDs.ids(ref.stems),
		refUsed: make([]bool, len(ref.words)),
	}
	words, stems := len(wordIDs), len(stemIDs)
	s.needExact, s.freeRefWords = make([]int, words), make([]int, words)
	s.needStem, s.needExactInStem = make([]int, stems), make([]int, stems)
	hypWords, hypStems, refStems := make([]int, words), make([]int, stems), make([]int, stems)
	stemOf := make([]int, words)
	for i, w := range s.hypWord {
		hypWords[w]++
		hypStems[s.hypStem[i]]++
		stemOf[w] = s.hypStem[i]
	}
	for j, w := range s.refWord {
		s.freeRefWords[w]++
		refStems[s.refStem[j]]++
	}
	for w, n := range hypWords {
		exact := min(n, s.freeRefWords[w])
		s.needExact[w] = exact
		s.needExactInStem[stemOf[w]] += exact
	}
	for stem, n := range hypStems {
		total := min(n, refStems[stem])
		s.needStem[stem] = total - s.needExactInStem[stem]
		s.needed += total
	}
	s.countLater()
	s.findCandidates()
	s.left = s.needed
	s.bestChunks = s.needed + 1
	return s
}

// countLater fills sameWordLater and sameStemLater.
func (s *alignSearch) countLater() {
	n := len(s.hypWord)
	s.sameWordLater, s.sameStemLater = make([]int, n), make([]int, n)
	for i := range n {
		for k := i + 1; k < n; k++ {
			if s.hypWord[k] == s.hypWord[i] {
				s.sameWordLater[i]++
			}
			if s.hypStem[k] == s.hypStem[i] {
				s.sameStemLater[i]++
			}
		}
	}
}

// findCandidates fills candidates and linkableFrom.
func (s *alignSearch) findCandidates() {
	s.candidates = make([][]int, len(s.hypStem))
	for i, hs := range s.hypStem {
		for j, rs := range s.refStem {
			if hs == rs {
				s.candidates[i] = append(s.candidates[i], j)
			}
		}
	}
	s.linkableFrom = make([]int, len(s.hypStem)+1)
	for k := len(s.hypStem) - 1; k >= 1; k-- {
		s.linkableFrom[k] = s.linkableFrom[k+1]
		for _, j := range s.candidates[k] {
			if j >= 1 && s.refStem[j-1] == s.hypStem[k-1] {
				s.linkableFrom[k]++
				break
			}
		}
	}
}

// visit decides hypothesis position i, given the reference position matched to i-1 (-1 if
// none), the chunks so far and the matches still to place.
func (s *alignSearch) visit(i, prevRef, chunks int) {
	s.explored++
	if s.left == 0 {
		s.bestChunks = min(s.bestChunks, chunks)
		return
	}
	if i == len(s.hypWord) {
		return
	}
	// Every match still to place adds a chunk unless it links to the match before it,
	// which only a linkable position can do, and not the first one placed after a gap.
	maxLinks := s.linkableFrom[i+1]
	if prevRef >= 0 {
		maxLinks++
	} else {
		maxLinks = min(maxLinks, s.left-1)
	}
	lowerBound := chunks + s.left - min(maxLinks, s.left)
	if lowerBound >= s.bestChunks || s.explored > s.budget && s.bestChunks <= s.needed {
		return
	}
	if prevRef >= 0 && prevRef+1 < len(s.refWord) {
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
	hw, hs := s.hypWord[i], s.hypStem[i]
	rw, rs := s.refWord[j], s.refStem[j]
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
	hw, hs := s.hypWord[i], s.hypStem[i]
	if exact {
		s.needExact[hw] += delta
		s.needExactInStem[hs] += delta
	} else {
		s.needStem[hs] += delta
	}
	s.freeRefWords[s.refWord[j]] += delta
	s.left += delta
	s.refUsed[j] = delta < 0
}

// feasibleAfter reports whether the hypothesis tokens after position i can still place the
// matches owed by hyp[i]'s word and stem (the only counts position i changes).
func (s *alignSearch) feasibleAfter(i int) bool {
	w, stem := s.hypWord[i], s.hypStem[i]
	return s.sameWordLater[i] >= s.needExact[w] &&
		s.sameStemLater[i] >= s.needExactInStem[stem]+s.needStem[stem]
}
