package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The pre-tokenizer cuts text into the words that BPE encodes one at a time, the way the
// GPT-2 regular expression does:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Go's regexp has no lookahead, so wordEnd implements the alternatives by hand, in order:
// an English contraction; a run of letters, of numbers, or of other symbols, each taking
// one leading ASCII space; and a run of whitespace which, when more text follows, leaves its
// last character to start the next word (so " world" keeps its space). Words are substrings
// of the text and cover it exactly, which is what makes Decode(Encode(s)) == s.

// wordEnd returns the end of the word that starts at byte i of s (i < len(s)).
func wordEnd(s string, i int) int {
	if n := contraction(s[i:]); n > 0 {
		return i + n
	}
	start := i
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == ' ' && i+size < len(s) {
		if next, _ := utf8.DecodeRuneInString(s[i+size:]); !unicode.IsSpace(next) {
			start, r = i+size, next // " ?": the space joins the run that follows
		}
	}
	switch {
	case unicode.IsLetter(r):
		return runEnd(s, start, unicode.IsLetter)
	case unicode.IsNumber(r):
		return runEnd(s, start, unicode.IsNumber)
	case !unicode.IsSpace(r):
		return runEnd(s, start, isSymbol)
	}
	end := runEnd(s, i, unicode.IsSpace)
	if end == len(s) {
		return end // \s+ at the end of the text takes everything
	}
	// \s+(?!\S): a run followed by text gives up its last character, unless that is all it has.
	if _, lastSize := utf8.DecodeLastRuneInString(s[i:end]); end-lastSize > i {
		return end - lastSize
	}
	return end
}

// contraction returns the length of the English contraction ('s 't 're 've 'm 'll 'd) that
// starts s, or 0. Like GPT-2 it only knows the ASCII apostrophe and lower case.
func contraction(s string) int {
	if len(s) < 2 || s[0] != '\'' {
		return 0
	}
	switch s[1] {
	case 's', 't', 'm', 'd':
		return 2
	}
	if len(s) >= 3 {
		switch s[1:3] {
		case "re", "ve", "ll":
			return 3
		}
	}
	return 0
}

// isSymbol is [^\s\p{L}\p{N}]: anything that is not whitespace, a letter or a number.
// Invalid UTF-8 bytes decode as U+FFFD and so count as symbols, one byte each.
func isSymbol(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsLetter(r) && !unicode.IsNumber(r)
}

// runEnd returns the end of the run of runes satisfying in that starts at byte i of s.
func runEnd(s string, i int, in func(rune) bool) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !in(r) {
			break
		}
		i += size
	}
	return i
}

// splitWords cuts text into pre-tokenizer words.
func splitWords(text string) []string {
	var words []string
	for i := 0; i < len(text); {
		end := wordEnd(text, i)
		words = append(words, text[i:end])
		i = end
	}
	return words
}
