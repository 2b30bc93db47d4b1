package tokenizer

import (
	"container/heap"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"
)

// TrainConfig sets what Train learns.
type TrainConfig struct {
	// VocabSize is the size of the vocabulary to reach: special tokens, the 256 byte
	// tokens and one token per merge. Training stops early if no pair is frequent enough.
	VocabSize int
	// Specials are the special tokens, given ids 0, 1, ... in order. Nil means
	// DefaultSpecials(); an empty non-nil slice means none.
	Specials []string
	// MinFrequency is the fewest occurrences a pair needs to be merged; below 1 means 2.
	MinFrequency int
}

// DefaultSpecials are RoBERTa's special tokens, which give a trained tokenizer every
// role in Specials: <s> begins (BOS, CLS), </s> ends (EOS, SEP), <pad> pads, <mask> masks.
func DefaultSpecials() []string { return []string{"<s>", "<pad>", "</s>", "<mask>"} }

// Train learns a byte-level BPE tokenizer from a corpus, as GPT-2 did: split the text into
// pre-tokenizer words, start from one token per byte, and repeatedly merge the most
// frequent adjacent pair of tokens into a new token until the vocabulary is full.
//
// Training is deterministic: among pairs of equal frequency, the pair whose left token has
// the smaller id wins, then the one whose right token has. Pair counts are kept up to date
// incrementally, touching only the words that contain the merged pair, so each merge costs
// time in proportion to those words rather than to the corpus.
func Train(corpus []string, cfg TrainConfig) (*Tokenizer, error) {
	specials := cfg.Specials
	if specials == nil {
		specials = DefaultSpecials()
	}
	if err := checkTrainConfig(cfg, specials); err != nil {
		return nil, fmt.Errorf("tokenizer: train: %w", err)
	}
	minFreq := int64(cfg.MinFrequency)
	if minFreq < 1 {
		minFreq = 2
	}
	tr := newTrainer(countWords(corpus), len(specials))
	tr.run(cfg.VocabSize, minFreq)
	t, err := build(pos{label: "trained"}, tr.vocabEntries(), addedEntries(specials), tr.merges)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: train: %w", err) // a bug: the trainer made an inconsistent model
	}
	return t, nil
}

// checkTrainConfig rejects vocabulary sizes too small for the alphabet and bad specials.
func checkTrainConfig(cfg TrainConfig, specials []string) error {
	if least := len(specials) + 256; cfg.VocabSize < least {
		return fmt.Errorf("vocabulary size %d is below %d, the %d special tokens plus 256 bytes", cfg.VocabSize, least, len(specials))
	}
	seen := make(map[string]bool)
	for _, s := range specials {
		switch {
		case s == "" || !utf8.ValidString(s):
			return fmt.Errorf("special token %q must be non-empty UTF-8", s)
		case seen[s]:
			return fmt.Errorf("special token %q given twice", s)
		case utf8.RuneCountInString(s) == 1:
			return fmt.Errorf("special token %q would hide a byte token; use at least two characters", s)
		}
		seen[s] = true
	}
	return nil
}

// countWords splits every document into pre-tokenizer words and counts each distinct word.
func countWords(corpus []string) map[string]int64 {
	counts := make(map[string]int64)
	for _, doc := range corpus {
		for i := 0; i < len(doc); {
			end := wordEnd(doc, i)
			counts[doc[i:end]]++
			i = end
		}
	}
	return counts
}

// trainer holds the state of BPE training. Token ids during training are final ids: the
// specials come first, then the 256 bytes in byte order, then merged tokens in order.
type trainer struct {
	tokens []string         // byte-level spelling of every non-special token, by id-offset
	ids    map[string]int32 // spelling -> id, to reuse an id when a merge recreates a token
	offset int32            // id of tokens[0]: the number of specials

	words  []trainWord
	counts map[pairKey]int64   // occurrences of each adjacent pair, weighted by word frequency
	where  map[pairKey][]int32 // words that contain (or once contained) each pair
	done   map[pairKey]bool    // pairs already merged
	queue  pairQueue           // candidate pairs, most frequent first; stale entries skipped
	merges []mergeEntry
}

// trainWord is a distinct word as its current token ids, and how often it occurs.
type trainWord struct {
	symbols []int32
	freq    int64
}

func newTrainer(wordCounts map[string]int64, numSpecials int) *trainer {
	tr := &trainer{
		ids:    make(map[string]int32),
		offset: int32(numSpecials),
		counts: make(map[pairKey]int64),
		where:  make(map[pairKey][]int32),
		done:   make(map[pairKey]bool),
	}
	for b := range 256 {
		tr.addToken(string(byteLevel.toRune[b]))
	}
	// Sorted words give the same word indices, hence the same work order, on every run.
	for i, w := range slices.Sorted(maps.Keys(wordCounts)) {
		symbols := make([]int32, len(w))
		for j := range len(w) {
			symbols[j] = tr.offset + int32(w[j])
		}
		tr.words = append(tr.words, trainWord{symbols: symbols, freq: wordCounts[w]})
		for j := 0; j+1 < len(symbols); j++ {
			key := keyOf(symbols[j], symbols[j+1])
			tr.counts[key] += wordCounts[w]
			tr.noteWord(key, int32(i))
		}
	}
	for key, n := range tr.counts {
		tr.queue = append(tr.queue, candidate{key: key, count: n})
	}
	heap.Init(&tr.queue)
	return tr
}

// addToken returns the id of a token spelling, adding it if new.
func (tr *trainer) addToken(token string) int32 {
	if id, ok := tr.ids[token]; ok {
		return id
	}
	id := tr.offset + int32(len(tr.tokens))
	tr.tokens = append(tr.tokens, token)
	tr.ids[token] = id
	return id
}

// noteWord records that word i contains pair key, once per word.
func (tr *trainer) noteWord(key pairKey, i int32) {
	list := tr.where[key]
	if len(list) == 0 || list[len(list)-1] != i {
		tr.where[key] = append(list, i)
	}
}

// run merges the best pair until the vocabulary reaches size or no pair occurs minFreq times.
func (tr *trainer) run(size int, minFreq int64) {
	for int(tr.offset)+len(tr.tokens) < size && tr.queue.Len() > 0 {
		best := heap.Pop(&tr.queue).(candidate)
		if tr.done[best.key] || tr.counts[best.key] != best.count {
			continue // stale: the count changed after this entry was queued
		}
		if best.count < minFreq {
			break
		}
		tr.merge(best.key)
	}
}

// merge applies pair key to every word containing it, adjusting the pair counts by the
// difference between each word's pairs before and after, and queues the changed pairs.
func (tr *trainer) merge(key pairKey) {
	left, right := int32(key>>32), int32(uint32(key))
	leftTok, rightTok := tr.tokens[left-tr.offset], tr.tokens[right-tr.offset]
	result := tr.addToken(leftTok + rightTok)
	tr.merges = append(tr.merges, mergeEntry{left: leftTok, right: rightTok, at: pos{label: "trained"}})
	tr.done[key] = true
	rule := merge{left: left, right: right, result: result}

	delta := make(map[pairKey]int64)
	for _, i := range tr.where[key] {
		w := &tr.words[i]
		if !containsPair(w.symbols, left, right) {
			continue // the word lost this pair to an earlier merge
		}
		forEachPair(w.symbols, func(k pairKey) { delta[k] -= w.freq })
		w.symbols = applyMerge(w.symbols, rule)
		forEachPair(w.symbols, func(k pairKey) {
			delta[k] += w.freq
			if int32(k>>32) == result || int32(uint32(k)) == result {
				tr.noteWord(k, i)
			}
		})
	}
	delete(tr.where, key)
	// The queue orders candidates totally by (count, key), so the order of these pushes,
	// which follows map iteration, cannot change which pair is merged next.
	for k, d := range delta {
		if d == 0 {
			continue
		}
		tr.counts[k] += d
		if n := tr.counts[k]; n > 0 && !tr.done[k] {
			heap.Push(&tr.queue, candidate{key: k, count: n})
		}
	}
}

func containsPair(symbols []int32, left, right int32) bool {
	for j := 0; j+1 < len(symbols); j++ {
		if symbols[j] == left && symbols[j+1] == right {
			return true
		}
	}
	return false
}

func forEachPair(symbols []int32, fn func(pairKey)) {
	for j := 0; j+1 < len(symbols); j++ {
		fn(keyOf(symbols[j], symbols[j+1]))
	}
}

// vocabEntries lists the specials and the learned tokens with their ids.
func (tr *trainer) vocabEntries() []vocabEntry {
	trained := pos{label: "trained"}
	var vocab []vocabEntry
	for i, tok := range tr.tokens {
		vocab = append(vocab, vocabEntry{token: tok, id: tr.offset + int32(i), at: trained})
	}
	return vocab
}

// addedEntries gives the specials ids 0, 1, ...
func addedEntries(specials []string) []addedEntry {
	added := make([]addedEntry, len(specials))
	for i, s := range specials {
		added[i] = addedEntry{content: s, id: int32(i), at: pos{label: "special token " + quote(s)}}
	}
	return added
}

// candidate is a queued pair with its count when queued.
type candidate struct {
	key   pairKey
	count int64
}

// pairQueue is a max-heap of candidates: higher count first, then lower left id, then
// lower right id. pairKey packs left above right, so comparing keys compares (left, right).
type pairQueue []candidate

func (q pairQueue) Len() int { return len(q) }
func (q pairQueue) Less(i, j int) bool {
	if q[i].count != q[j].count {
		return q[i].count > q[j].count
	}
	return q[i].key < q[j].key
}
func (q pairQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pairQueue) Push(x any)   { *q = append(*q, x.(candidate)) }
func (q *pairQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}
