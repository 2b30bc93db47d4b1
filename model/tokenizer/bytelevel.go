package tokenizer

import "unicode/utf8"

// Byte-level BPE works on bytes, but vocabularies and merge lists are text files, so GPT-2
// gives every byte a printable stand-in rune: the printable Latin-1 bytes ('!'..'~',
// '¡'..'¬', '®'..'ÿ') stand for themselves, and the other 68 bytes (controls, space, DEL,
// NBSP, soft hyphen) take the runes U+0100, U+0101, ... in increasing byte order. A space
// thus reads 'Ġ' (U+0120) and a newline 'Ċ' (U+010A) in a vocabulary file.

// byteTable maps bytes to their stand-in runes and back. It is built once and only read.
type byteTable struct {
	toRune [256]rune
	toByte map[rune]byte
}

// byteLevel is the GPT-2 byte-to-rune table. It is never modified after initialisation.
var byteLevel = newByteTable()

func newByteTable() *byteTable {
	t := &byteTable{toByte: make(map[rune]byte, 256)}
	next := rune(256)
	for b := range 256 {
		r := rune(b)
		if !printableLatin1(r) {
			r = next
			next++
		}
		t.toRune[b] = r
		t.toByte[r] = byte(b)
	}
	return t
}

// printableLatin1 reports whether GPT-2 lets byte r stand for itself.
func printableLatin1(r rune) bool {
	return ('!' <= r && r <= '~') || ('¡' <= r && r <= '¬') || ('®' <= r && r <= 'ÿ')
}

// encode returns the byte-level spelling of raw bytes s, the form tokens take in files.
func (t *byteTable) encode(s string) string {
	out := make([]rune, len(s))
	for i := range len(s) {
		out[i] = t.toRune[s[i]]
	}
	return string(out)
}

// decode turns a byte-level spelling back into raw bytes. ok is false if some rune stands
// for no byte, which means the token is not byte-level.
func (t *byteTable) decode(token string) (raw string, bad rune, ok bool) {
	buf := make([]byte, 0, utf8.RuneCountInString(token))
	for _, r := range token {
		b, found := t.toByte[r]
		if !found {
			return "", r, false
		}
		buf = append(buf, b)
	}
	return string(buf), 0, true
}
