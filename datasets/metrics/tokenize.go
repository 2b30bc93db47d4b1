package metrics

import (
	"strings"
	"unicode"
)

// Tokenize lowercases s and splits it into tokens the way the E2E NLG challenge's BLEU and
// NIST scripts do (they follow the international tokenization of NIST's mteval-v13a):
//
//   - whitespace separates tokens;
//   - each of the ASCII symbols ! " # $ % & ( ) * + / : ; < = > ? @ [ \ ] ^ _ ` { | } ~
//     is a token of its own;
//   - a period or comma is a token of its own unless it stands between two digits, so
//     "3.5" and "1,000" stay whole while "food." becomes "food" ".";
//   - a hyphen is split off when it follows a digit ("10-20" becomes "10" "-" "20"), and
//     otherwise stays inside the word ("family-friendly");
//   - the apostrophe stays inside the word ("don't", "children's").
//
// Letters outside ASCII are lowercased and kept inside words.
func Tokenize(s string) []string {
	runes := []rune(strings.ToLower(s))
	var tokens []string
	var word []rune
	flush := func() {
		if len(word) > 0 {
			tokens = append(tokens, string(word))
			word = word[:0]
		}
	}
	for i, r := range runes {
		switch {
		case unicode.IsSpace(r):
			flush()
		case splitsOff(runes, i):
			flush()
			tokens = append(tokens, string(r))
		default:
			word = append(word, r)
		}
	}
	flush()
	return tokens
}

// splitsOff reports whether the rune at runes[i] is punctuation that Tokenize makes a token
// of its own, given its neighbours.
func splitsOff(runes []rune, i int) bool {
	r := runes[i]
	switch r {
	case '.', ',':
		return !(digitAt(runes, i-1) && digitAt(runes, i+1))
	case '-':
		return digitAt(runes, i-1)
	case '\'':
		return false
	}
	return isSeparateSymbol(r)
}

// isSeparateSymbol reports whether r is one of the ASCII symbols that are always a token of
// their own: the printable ASCII punctuation except the apostrophe, hyphen, period and comma.
func isSeparateSymbol(r rune) bool {
	return r <= unicode.MaxASCII && (unicode.IsPunct(r) || unicode.IsSymbol(r))
}

// digitAt reports whether runes[i] exists and is an ASCII digit.
func digitAt(runes []rune, i int) bool {
	return i >= 0 && i < len(runes) && runes[i] >= '0' && runes[i] <= '9'
}
