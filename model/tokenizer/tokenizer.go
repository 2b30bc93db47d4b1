package tokenizer

import (
	"strings"
	"sync"
)

// Tokenizer is a byte-level BPE tokenizer: a vocabulary of byte strings, an ordered list
// of merges, and a set of added (special) tokens. Its methods are safe for concurrent use.
type Tokenizer struct {
	// tokens[id] is the token as vocabulary files spell it: byte-level runes for BPE
	// tokens, the literal text for added tokens.
	tokens []string
	// raw[id] is the text Decode emits for id.
	raw []string
	ids map[string]int32
	// byteIDs[b] is the id of the one-byte token for byte b, where every word starts.
	byteIDs [256]int32
	// merges maps an adjacent pair to its rank and result; mergeOrder lists them by rank.
	merges     map[pairKey]merge
	mergeOrder []merge
	// added lists the added tokens' ids in id order; specials are recognised by name.
	added    []int32
	isAdded  []bool
	specials Specials

	cache wordCache
}

// pairKey packs two adjacent token ids into one map key.
type pairKey uint64

func keyOf(left, right int32) pairKey {
	return pairKey(uint64(uint32(left))<<32 | uint64(uint32(right)))
}

// merge is one BPE rule: the pair left, right becomes result. Lower rank applies first.
type merge struct {
	left, right, result int32
	rank                int32
}

// VocabSize is the number of token ids, 0 through VocabSize()-1.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// NumMerges is the number of merge rules.
func (t *Tokenizer) NumMerges() int { return len(t.mergeOrder) }

// Merges lists the merge rules in rank order, each as its two tokens in vocabulary spelling.
func (t *Tokenizer) Merges() [][2]string {
	out := make([][2]string, len(t.mergeOrder))
	for i, m := range t.mergeOrder {
		out[i] = [2]string{t.tokens[m.left], t.tokens[m.right]}
	}
	return out
}

// ID returns the id of a token spelled as in the vocabulary file (so " the" is "Ġthe").
func (t *Tokenizer) ID(token string) (id int32, ok bool) {
	id, ok = t.ids[token]
	return id, ok
}

// Token returns the vocabulary spelling of id; ok is false if id is out of range.
func (t *Tokenizer) Token(id int32) (token string, ok bool) {
	if id < 0 || int(id) >= len(t.tokens) {
		return "", false
	}
	return t.tokens[id], true
}

// IsAdded reports whether id is an added token (a special token such as "<pad>"), which
// Decode writes literally and Encode never produces.
func (t *Tokenizer) IsAdded(id int32) bool {
	return id >= 0 && int(id) < len(t.isAdded) && t.isAdded[id]
}

// Specials returns the ids of the special tokens.
func (t *Tokenizer) Specials() Specials { return t.specials }

// Encode turns text into token ids. Every byte of text is encoded as data: a special token's
// spelling in text ("<|endoftext|>") is encoded as ordinary bytes; see EncodeSpecial.
func (t *Tokenizer) Encode(text string) []int32 {
	ids := make([]int32, 0, len(text)/3+1)
	for i := 0; i < len(text); {
		end := wordEnd(text, i)
		ids = t.appendWord(ids, text[i:end])
		i = end
	}
	return ids
}

// EncodeSpecial is Encode, except that occurrences of added tokens in text become their
// ids, as Hugging Face tokenizers do. The longest added token wins where several start at
// the same place. The text around an added token is encoded as it stands: the lstrip and
// rstrip options of tokenizer.json, which would swallow neighbouring spaces, are ignored.
func (t *Tokenizer) EncodeSpecial(text string) []int32 {
	var ids []int32
	for len(text) > 0 {
		at, id, n := t.nextAdded(text)
		if at < 0 {
			return append(ids, t.Encode(text)...)
		}
		ids = append(ids, t.Encode(text[:at])...)
		ids = append(ids, id)
		text = text[at+n:]
	}
	return ids
}

// nextAdded finds the first added token in text: its byte offset, id and length, or -1.
func (t *Tokenizer) nextAdded(text string) (at int, id int32, n int) {
	at = -1
	for _, a := range t.added {
		s := t.tokens[a]
		i := strings.Index(text, s)
		if i >= 0 && (at < 0 || i < at || (i == at && len(s) > n)) {
			at, id, n = i, a, len(s)
		}
	}
	return at, id, n
}

// Decode turns ids back into text. For ids from Encode it returns the encoded text exactly.
// An id outside the vocabulary decodes to U+FFFD, the replacement character.
func (t *Tokenizer) Decode(ids []int32) string {
	var b strings.Builder
	for _, id := range ids {
		if id < 0 || int(id) >= len(t.raw) {
			b.WriteRune('\uFFFD')
			continue
		}
		b.WriteString(t.raw[id])
	}
	return b.String()
}

// appendWord appends the BPE encoding of one pre-tokenizer word, using the cache for
// words short enough to recur.
func (t *Tokenizer) appendWord(ids []int32, word string) []int32 {
	if len(word) > maxCachedWordLen {
		return append(ids, t.bpe(word)...)
	}
	if cached, ok := t.cache.get(word); ok {
		return append(ids, cached...)
	}
	encoded := t.bpe(word)
	t.cache.put(word, encoded)
	return append(ids, encoded...)
}

// bpe encodes one word: start from its bytes and, while some adjacent pair has a merge,
// apply the lowest-ranked one to every occurrence, left to right, as GPT-2 does.
func (t *Tokenizer) bpe(word string) []int32 {
	symbols := make([]int32, len(word))
	for i := range len(word) {
		symbols[i] = t.byteIDs[word[i]]
	}
	for len(symbols) > 1 {
		best, found := t.lowestMerge(symbols)
		if !found {
			break
		}
		symbols = applyMerge(symbols, best)
	}
	return symbols
}

// lowestMerge returns the lowest-ranked merge among the adjacent pairs of symbols.
func (t *Tokenizer) lowestMerge(symbols []int32) (best merge, found bool) {
	for i := 0; i+1 < len(symbols); i++ {
		m, ok := t.merges[keyOf(symbols[i], symbols[i+1])]
		if ok && (!found || m.rank < best.rank) {
			best, found = m, true
		}
	}
	return best, found
}

// applyMerge replaces every non-overlapping occurrence of m's pair, left to right, in place.
func applyMerge(symbols []int32, m merge) []int32 {
	out := symbols[:0]
	for i := 0; i < len(symbols); i++ {
		if i+1 < len(symbols) && symbols[i] == m.left && symbols[i+1] == m.right {
			out = append(out, m.result)
			i++
			continue
		}
		out = append(out, symbols[i])
	}
	return out
}

// maxCachedWords bounds the encode cache; when full it is emptied and refilled. Words
// longer than maxCachedWordLen (whitespace runs, long identifiers) are rare enough not to
// repeat, and are not cached, so the cache's memory stays bounded too.
const (
	maxCachedWords   = 1 << 16
	maxCachedWordLen = 64
)

// wordCache remembers the encoding of recent words: text repeats its words, and BPE on a
// word costs far more than a map lookup.
type wordCache struct {
	mu    sync.RWMutex
	words map[string][]int32
}

func (c *wordCache) get(word string) ([]int32, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids, ok := c.words[word]
	return ids, ok
}

func (c *wordCache) put(word string, ids []int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.words == nil || len(c.words) >= maxCachedWords {
		c.words = make(map[string][]int32)
	}
	c.words[strings.Clone(word)] = ids // the clone lets the caller's text be collected
}
