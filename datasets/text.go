package datasets

import (
	"regexp"
	"strings"
	"unicode"
)

// collapseSpace replaces every run of white space with one space and trims the ends.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentences splits running text after ".", "?" or "!" (optionally followed by closing
// quotes or brackets) when white space and then an upper-case letter, digit or opening
// quote follow. It is a heuristic that keeps "Mr. Speaker" whole only by luck, which is all
// passage chunking needs.
func sentences(text string) []string {
	var out []string
	runes := []rune(text)
	start := 0
	for i := 0; i < len(runes); i++ {
		if !strings.ContainsRune(".?!", runes[i]) {
			continue
		}
		j := i + 1
		for j < len(runes) && strings.ContainsRune(`"')]”’`, runes[j]) {
			j++
		}
		k := j
		for k < len(runes) && unicode.IsSpace(runes[k]) {
			k++
		}
		if k == j || k == len(runes) {
			continue
		}
		if r := runes[k]; unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune(`"'“‘[(`, r) {
			if s := strings.TrimSpace(string(runes[start:j])); s != "" {
				out = append(out, s)
			}
			start = k
			i = k - 1
		}
	}
	if s := strings.TrimSpace(string(runes[start:])); s != "" {
		out = append(out, s)
	}
	return out
}

// passages groups consecutive sentences into passages of at least minWords words, cutting
// a passage early rather than letting it grow past maxWords. The State of the Union texts
// have no paragraph breaks, so these passages stand in for paragraphs. A trailing passage
// shorter than minWords/2 is dropped.
func passages(text string, minWords, maxWords int) []string {
	var out []string
	var cur []string
	words := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
		}
		cur, words = nil, 0
	}
	for _, s := range sentences(collapseSpace(text)) {
		n := len(strings.Fields(s))
		if words > 0 && words+n > maxWords {
			flush()
		}
		cur = append(cur, s)
		words += n
		if words >= minWords {
			flush()
		}
	}
	if words >= minWords/2 {
		flush()
	}
	return out
}

var (
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlBlock = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
)

// stripHTML removes tags, scripts and styles; entities are left for the caller to decode.
func stripHTML(s string) string {
	s = htmlBlock.ReplaceAllString(s, " ")
	s = htmlTag.ReplaceAllString(s, " ")
	return s
}

// truncateWords keeps the first n words of s.
func truncateWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
