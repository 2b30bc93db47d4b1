package tokenizer

import "fmt"

// Every loader and the trainer describe a tokenizer as entries and hand them to build,
// which checks them once, in one place. Each entry carries where it came from ("merges.txt:12"
// or "tokenizer.json:40:7"), so that errors point at the offending line.

// vocabEntry is one vocabulary token in byte-level spelling.
type vocabEntry struct {
	token string
	id    int32
	at    pos
}

// addedEntry is one added token, spelled literally.
type addedEntry struct {
	content string
	id      int32
	at      pos
}

// mergeEntry is one merge rule; its rank is its index in the list.
type mergeEntry struct {
	left, right string
	at          pos
}

// build checks the entries and assembles a Tokenizer. source names the input as a whole
// for errors that belong to no single entry. Tokens named like specials (<s>, <pad>,
// <|endoftext|>, ...) count as added tokens even if they are only in the vocabulary.
func build(source pos, vocab []vocabEntry, added []addedEntry, merges []mergeEntry) (*Tokenizer, error) {
	b := &builder{
		Tokenizer: &Tokenizer{ids: make(map[string]int32, len(vocab)+len(added))},
		at:        make(map[int32]pos),
		limit:     int32(len(vocab) + len(added)),
	}
	if err := b.addVocab(vocab); err != nil {
		return nil, err
	}
	if err := b.addAdded(added); err != nil {
		return nil, err
	}
	if err := b.checkDense(source); err != nil {
		return nil, err
	}
	if err := b.decodeTokens(); err != nil {
		return nil, err
	}
	if err := b.findByteTokens(source); err != nil {
		return nil, err
	}
	if err := b.addMerges(merges); err != nil {
		return nil, err
	}
	b.specials = findSpecials(b.ids)
	return b.Tokenizer, nil
}

// builder is a Tokenizer under construction with what checking it needs.
type builder struct {
	*Tokenizer
	// at records where each id was defined, for error messages.
	at map[int32]pos
	// limit bounds ids: they must be dense, so none reaches the number of entries. The
	// bound also keeps one bad id from allocating gigabytes.
	limit int32
}

// grow makes room for id in the id-indexed slices.
func (b *builder) grow(id int32) {
	for int(id) >= len(b.tokens) {
		b.tokens = append(b.tokens, "")
		b.isAdded = append(b.isAdded, false)
	}
}

// define records token as id, rejecting negative ids and ids or tokens defined twice.
func (b *builder) define(token string, id int32, where pos) error {
	if id < 0 || id >= b.limit {
		return fmt.Errorf("%s: token %q has id %d, want 0 to %d for %d entries", where, token, id, b.limit-1, b.limit)
	}
	if old, ok := b.ids[token]; ok {
		if old == id {
			return nil // the same definition twice: an added token also in the vocabulary
		}
		return fmt.Errorf("%s: token %q has id %d, but %s gave it id %d", where, token, id, b.at[old], old)
	}
	if _, taken := b.at[id]; taken {
		return fmt.Errorf("%s: id %d of token %q already belongs to %q (%s)", where, id, token, b.tokens[id], b.at[id])
	}
	b.grow(id)
	b.tokens[id] = token
	b.ids[token] = id
	b.at[id] = where
	return nil
}

func (b *builder) addVocab(vocab []vocabEntry) error {
	for _, v := range vocab {
		if err := b.define(v.token, v.id, v.at); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) addAdded(added []addedEntry) error {
	for _, a := range added {
		if a.content == "" {
			return fmt.Errorf("%s: added token %d has empty content", a.at, a.id)
		}
		if err := b.define(a.content, a.id, a.at); err != nil {
			return err
		}
		b.isAdded[a.id] = true
	}
	for _, id := range specialIDs(b.ids) {
		b.isAdded[id] = true
	}
	for id, added := range b.isAdded {
		if added {
			b.added = append(b.added, int32(id))
		}
	}
	return nil
}

// checkDense requires ids 0..n-1 to be all in use, so that every id decodes.
func (b *builder) checkDense(source pos) error {
	if len(b.tokens) == 0 {
		return fmt.Errorf("%s: empty vocabulary", source)
	}
	for id := range b.tokens {
		if _, ok := b.at[int32(id)]; !ok {
			return fmt.Errorf("%s: no token has id %d, but ids run up to %d", source, id, len(b.tokens)-1)
		}
	}
	return nil
}

// decodeTokens computes the bytes each id decodes to. A BPE token must be byte-level
// spelled, or it could never be produced from bytes nor turned back into them.
func (b *builder) decodeTokens() error {
	b.raw = make([]string, len(b.tokens))
	for id, tok := range b.tokens {
		if b.isAdded[id] {
			b.raw[id] = tok
			continue
		}
		raw, bad, ok := byteLevel.decode(tok)
		if !ok {
			return fmt.Errorf("%s: token %q is not byte-level BPE: rune %q stands for no byte", b.at[int32(id)], tok, bad)
		}
		b.raw[id] = raw
	}
	return nil
}

// findByteTokens locates the 256 one-byte tokens every word is first split into.
func (b *builder) findByteTokens(source pos) error {
	for c := range 256 {
		id, ok := b.ids[string(byteLevel.toRune[c])]
		if !ok || b.isAdded[id] {
			return fmt.Errorf("%s: vocabulary has no token for byte %#02x (spelled %q); a byte-level vocabulary needs all 256",
				source, c, byteLevel.toRune[c])
		}
		b.byteIDs[c] = id
	}
	return nil
}

// addMerges resolves each rule's tokens and result; rank is position in the list.
func (b *builder) addMerges(merges []mergeEntry) error {
	b.merges = make(map[pairKey]merge, len(merges))
	b.mergeOrder = make([]merge, 0, len(merges))
	first := make(map[pairKey]pos, len(merges))
	for _, m := range merges {
		left, ok := b.ids[m.left]
		if !ok || b.isAdded[left] {
			return fmt.Errorf("%s: merge %q %q: left token %q is not in the vocabulary", m.at, m.left, m.right, m.left)
		}
		right, ok := b.ids[m.right]
		if !ok || b.isAdded[right] {
			return fmt.Errorf("%s: merge %q %q: right token %q is not in the vocabulary", m.at, m.left, m.right, m.right)
		}
		result, ok := b.ids[m.left+m.right]
		if !ok || b.isAdded[result] {
			return fmt.Errorf("%s: merge %q %q: result %q is not in the vocabulary", m.at, m.left, m.right, m.left+m.right)
		}
		key := keyOf(left, right)
		if where, dup := first[key]; dup {
			return fmt.Errorf("%s: merge %q %q repeats the merge at %s", m.at, m.left, m.right, where)
		}
		first[key] = m.at
		rule := merge{left: left, right: right, result: result, rank: int32(len(b.mergeOrder))}
		b.merges[key] = rule
		b.mergeOrder = append(b.mergeOrder, rule)
	}
	return nil
}
