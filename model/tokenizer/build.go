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
	t := &Tokenizer{ids: make(map[string]int32, len(vocab)+len(added))}
	// at records where each id was defined, for error messages. Ids must be dense, so no
	// valid id reaches the number of entries; the bound also keeps a bad id from
	// allocating gigabytes.
	at := make(map[int32]pos)
	t.idLimit = int32(len(vocab) + len(added))
	if err := t.addVocab(vocab, at); err != nil {
		return nil, err
	}
	if err := t.addAdded(added, at); err != nil {
		return nil, err
	}
	if err := t.checkDense(source, at); err != nil {
		return nil, err
	}
	if err := t.decodeTokens(at); err != nil {
		return nil, err
	}
	if err := t.findByteTokens(source); err != nil {
		return nil, err
	}
	if err := t.addMerges(merges); err != nil {
		return nil, err
	}
	t.specials = findSpecials(t.ids)
	return t, nil
}

// grow makes room for id in the id-indexed slices.
func (t *Tokenizer) grow(id int32) {
	for int(id) >= len(t.tokens) {
		t.tokens = append(t.tokens, "")
		t.isAdded = append(t.isAdded, false)
	}
}

// define records token as id, rejecting negative ids and ids or tokens defined twice.
func (t *Tokenizer) define(token string, id int32, where pos, at map[int32]pos) error {
	if id < 0 || id >= t.idLimit {
		return fmt.Errorf("%s: token %q has id %d, want 0 to %d for %d entries", where, token, id, t.idLimit-1, t.idLimit)
	}
	if old, ok := t.ids[token]; ok {
		if old == id {
			return nil // the same definition twice: an added token also in the vocabulary
		}
		return fmt.Errorf("%s: token %q has id %d, but %s gave it id %d", where, token, id, at[old], old)
	}
	if _, taken := at[id]; taken {
		return fmt.Errorf("%s: id %d of token %q already belongs to %q (%s)", where, id, token, t.tokens[id], at[id])
	}
	t.grow(id)
	t.tokens[id] = token
	t.ids[token] = id
	at[id] = where
	return nil
}

func (t *Tokenizer) addVocab(vocab []vocabEntry, at map[int32]pos) error {
	for _, v := range vocab {
		if err := t.define(v.token, v.id, v.at, at); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tokenizer) addAdded(added []addedEntry, at map[int32]pos) error {
	for _, a := range added {
		if a.content == "" {
			return fmt.Errorf("%s: added token %d has empty content", a.at, a.id)
		}
		if err := t.define(a.content, a.id, a.at, at); err != nil {
			return err
		}
		t.isAdded[a.id] = true
	}
	for id, tok := range t.tokens {
		if isSpecialName(tok) {
			t.isAdded[id] = true
		}
	}
	for id, added := range t.isAdded {
		if added {
			t.added = append(t.added, int32(id))
		}
	}
	return nil
}

// checkDense requires ids 0..n-1 to be all in use, so that every id decodes.
func (t *Tokenizer) checkDense(source pos, at map[int32]pos) error {
	if len(t.tokens) == 0 {
		return fmt.Errorf("%s: empty vocabulary", source)
	}
	for id := range t.tokens {
		if _, ok := at[int32(id)]; !ok {
			return fmt.Errorf("%s: no token has id %d, but ids run up to %d", source, id, len(t.tokens)-1)
		}
	}
	return nil
}

// decodeTokens computes the bytes each id decodes to. A BPE token must be byte-level
// spelled, or it could never be produced from bytes nor turned back into them.
func (t *Tokenizer) decodeTokens(at map[int32]pos) error {
	t.raw = make([]string, len(t.tokens))
	for id, tok := range t.tokens {
		if t.isAdded[id] {
			t.raw[id] = tok
			continue
		}
		raw, bad, ok := byteLevel.decode(tok)
		if !ok {
			return fmt.Errorf("%s: token %q is not byte-level BPE: rune %q stands for no byte", at[int32(id)], tok, bad)
		}
		t.raw[id] = raw
	}
	return nil
}

// findByteTokens locates the 256 one-byte tokens every word is first split into.
func (t *Tokenizer) findByteTokens(source pos) error {
	for b := range 256 {
		id, ok := t.ids[string(byteLevel.toRune[b])]
		if !ok || t.isAdded[id] {
			return fmt.Errorf("%s: vocabulary has no token for byte %#02x (spelled %q); a byte-level vocabulary needs all 256",
				source, b, byteLevel.toRune[b])
		}
		t.byteIDs[b] = id
	}
	return nil
}

// addMerges resolves each rule's tokens and result; rank is position in the list.
func (t *Tokenizer) addMerges(merges []mergeEntry) error {
	t.merges = make(map[pairKey]merge, len(merges))
	t.mergeOrder = make([]merge, 0, len(merges))
	first := make(map[pairKey]pos, len(merges))
	for _, m := range merges {
		left, ok := t.ids[m.left]
		if !ok || t.isAdded[left] {
			return fmt.Errorf("%s: merge %q %q: left token %q is not in the vocabulary", m.at, m.left, m.right, m.left)
		}
		right, ok := t.ids[m.right]
		if !ok || t.isAdded[right] {
			return fmt.Errorf("%s: merge %q %q: right token %q is not in the vocabulary", m.at, m.left, m.right, m.right)
		}
		result, ok := t.ids[m.left+m.right]
		if !ok || t.isAdded[result] {
			return fmt.Errorf("%s: merge %q %q: result %q is not in the vocabulary", m.at, m.left, m.right, m.left+m.right)
		}
		key := keyOf(left, right)
		if where, dup := first[key]; dup {
			return fmt.Errorf("%s: merge %q %q repeats the merge at %s", m.at, m.left, m.right, where)
		}
		first[key] = m.at
		rule := merge{left: left, right: right, result: result, rank: int32(len(t.mergeOrder))}
		t.merges[key] = rule
		t.mergeOrder = append(t.mergeOrder, rule)
	}
	return nil
}
