package metrics

import "strings"

// PorterStem returns the stem of an English word by the algorithm of M. F. Porter, "An
// algorithm for suffix stripping", Program 14(3), 1980, as the paper states it (the later
// reference C code differs in two step-2 rules: it maps "bli" to "ble" and "logi" to "log").
// METEOR matches words that share a stem, so "prices" and "priced" align.
//
// The word is lowercased; words of one or two letters, and words with characters other than
// the letters a to z, are returned as they are (lowercased), as in Porter's own code.
func PorterStem(word string) string {
	w := strings.ToLower(word)
	if len(w) <= 2 || strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return w
	}
	w = porterStep1a(w)
	w = porterStep1b(w)
	w = porterStep1c(w)
	w = applyLongestRule(w, porterStep2Rules())
	w = applyLongestRule(w, porterStep3Rules())
	w = applyLongestRule(w, porterStep4Rules())
	w = porterStep5a(w)
	return porterStep5b(w)
}

// porterRule replaces suffix by replacement when the stem left before the suffix satisfies
// the condition.
type porterRule struct {
	suffix, replacement string
	condition           func(stem string) bool
}

// applyLongestRule applies, of the rules whose suffix ends w, the one with the longest
// suffix, if its condition holds; a failed condition leaves w unchanged (Porter: "only one
// rule from each step can be obeyed").
func applyLongestRule(w string, rules []porterRule) string {
	best := -1
	for i, rule := range rules {
		if strings.HasSuffix(w, rule.suffix) && (best < 0 || len(rule.suffix) > len(rules[best].suffix)) {
			best = i
		}
	}
	if best < 0 {
		return w
	}
	stem := strings.TrimSuffix(w, rules[best].suffix)
	if !rules[best].condition(stem) {
		return w
	}
	return stem + rules[best].replacement
}

// Conditions of the rules, on the stem left when the suffix is removed.
func measureAbove0(stem string) bool { return porterMeasure(stem) > 0 }
func measureAbove1(stem string) bool { return porterMeasure(stem) > 1 }
func measureAbove1AndEndsSOrT(stem string) bool {
	return measureAbove1(stem) && (strings.HasSuffix(stem, "s") || strings.HasSuffix(stem, "t"))
}

// porterStep2Rules returns the rules that map double suffixes to single ones ("-ization" to "-ize").
func porterStep2Rules() []porterRule {
	return []porterRule{
		{"ational", "ate", measureAbove0}, {"tional", "tion", measureAbove0},
		{"enci", "ence", measureAbove0}, {"anci", "ance", measureAbove0},
		{"izer", "ize", measureAbove0}, {"abli", "able", measureAbove0},
		{"alli", "al", measureAbove0}, {"entli", "ent", measureAbove0},
		{"eli", "e", measureAbove0}, {"ousli", "ous", measureAbove0},
		{"ization", "ize", measureAbove0}, {"ation", "ate", measureAbove0},
		{"ator", "ate", measureAbove0}, {"alism", "al", measureAbove0},
		{"iveness", "ive", measureAbove0}, {"fulness", "ful", measureAbove0},
		{"ousness", "ous", measureAbove0}, {"aliti", "al", measureAbove0},
		{"iviti", "ive", measureAbove0}, {"biliti", "ble", measureAbove0},
	}
}

// porterStep3Rules returns the rules that strip or shorten "-ic-", "-full", "-ness" endings.
func porterStep3Rules() []porterRule {
	return []porterRule{
		{"icate", "ic", measureAbove0}, {"ative", "", measureAbove0},
		{"alize", "al", measureAbove0}, {"iciti", "ic", measureAbove0},
		{"ical", "ic", measureAbove0}, {"ful", "", measureAbove0},
		{"ness", "", measureAbove0},
	}
}

// porterStep4Rules returns the rules that strip the remaining suffixes from stems of measure above 1.
func porterStep4Rules() []porterRule {
	return []porterRule{
		{"al", "", measureAbove1}, {"ance", "", measureAbove1}, {"ence", "", measureAbove1},
		{"er", "", measureAbove1}, {"ic", "", measureAbove1}, {"able", "", measureAbove1},
		{"ible", "", measureAbove1}, {"ant", "", measureAbove1}, {"ement", "", measureAbove1},
		{"ment", "", measureAbove1}, {"ent", "", measureAbove1}, {"ion", "", measureAbove1AndEndsSOrT},
		{"ou", "", measureAbove1}, {"ism", "", measureAbove1}, {"ate", "", measureAbove1},
		{"iti", "", measureAbove1}, {"ous", "", measureAbove1}, {"ive", "", measureAbove1},
		{"ize", "", measureAbove1},
	}
}

// porterStep1a removes plurals: "sses" -> "ss", "ies" -> "i", "ss" stays, "s" -> "".
func porterStep1a(w string) string {
	switch {
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "ies"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// porterStep1b removes "-ed" and "-ing" from stems with a vowel ("eed" -> "ee" when the
// measure is above 0), then repairs the stem: "at", "bl", "iz" get their "e" back, a double
// consonant other than l, s, z is undoubled, and a short cvc stem gets an "e".
func porterStep1b(w string) string {
	if strings.HasSuffix(w, "eed") {
		if porterMeasure(w[:len(w)-3]) > 0 {
			return w[:len(w)-1]
		}
		return w
	}
	var stem string
	switch {
	case strings.HasSuffix(w, "ed") && porterHasVowel(w[:len(w)-2]):
		stem = w[:len(w)-2]
	case strings.HasSuffix(w, "ing") && porterHasVowel(w[:len(w)-3]):
		stem = w[:len(w)-3]
	default:
		return w
	}
	switch {
	case strings.HasSuffix(stem, "at"), strings.HasSuffix(stem, "bl"), strings.HasSuffix(stem, "iz"):
		return stem + "e"
	case porterEndsDoubleConsonant(stem) && !strings.ContainsAny(stem[len(stem)-1:], "lsz"):
		return stem[:len(stem)-1]
	case porterMeasure(stem) == 1 && porterEndsCVC(stem):
		return stem + "e"
	}
	return stem
}

// porterStep1c turns a final "y" into "i" when the stem has a vowel ("happy" -> "happi").
func porterStep1c(w string) string {
	if strings.HasSuffix(w, "y") && porterHasVowel(w[:len(w)-1]) {
		return w[:len(w)-1] + "i"
	}
	return w
}

// porterStep5a removes a final "e" when the measure of the stem is above 1, or is 1 and the
// stem does not end consonant-vowel-consonant ("probate" -> "probat", "rate" stays).
func porterStep5a(w string) string {
	if !strings.HasSuffix(w, "e") {
		return w
	}
	stem := w[:len(w)-1]
	if m := porterMeasure(stem); m > 1 || m == 1 && !porterEndsCVC(stem) {
		return stem
	}
	return w
}

// porterStep5b undoubles a final "ll" when the measure is above 1 ("controll" -> "control").
func porterStep5b(w string) string {
	if porterMeasure(w) > 1 && porterEndsDoubleConsonant(w) && strings.HasSuffix(w, "l") {
		return w[:len(w)-1]
	}
	return w
}

// porterIsConsonant reports whether w[i] is a consonant: a letter other than a, e, i, o, u,
// and other than a y that follows a consonant.
func porterIsConsonant(w string, i int) bool {
	switch w[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !porterIsConsonant(w, i-1)
	}
	return true
}

// porterMeasure is m in Porter's form [C](VC)^m[V] of w, where C and V are maximal runs of
// consonants and vowels: "tree" has m = 0, "trouble" 1, "troubles" 2.
func porterMeasure(w string) int {
	i, m := 0, 0
	for i < len(w) && porterIsConsonant(w, i) {
		i++
	}
	for {
		for i < len(w) && !porterIsConsonant(w, i) {
			i++
		}
		if i == len(w) {
			return m
		}
		for i < len(w) && porterIsConsonant(w, i) {
			i++
		}
		m++
	}
}

// porterHasVowel reports whether w contains a vowel (Porter's *v*).
func porterHasVowel(w string) bool {
	for i := range len(w) {
		if !porterIsConsonant(w, i) {
			return true
		}
	}
	return false
}

// porterEndsDoubleConsonant reports whether w ends with two equal consonants (Porter's *d).
func porterEndsDoubleConsonant(w string) bool {
	n := len(w)
	return n >= 2 && w[n-1] == w[n-2] && porterIsConsonant(w, n-1)
}

// porterEndsCVC reports whether w ends consonant-vowel-consonant with the last consonant not
// w, x or y (Porter's *o), as in "hop" or "fil": such short stems take back a final "e".
func porterEndsCVC(w string) bool {
	n := len(w)
	return n >= 3 && porterIsConsonant(w, n-3) && !porterIsConsonant(w, n-2) &&
		porterIsConsonant(w, n-1) && !strings.ContainsAny(w[n-1:], "wxy")
}
