package metrics

import (
	"slices"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"The Eagle is a cheap, family-friendly coffee shop.",
			[]string{"the", "eagle", "is", "a", "cheap", ",", "family-friendly", "coffee", "shop", "."}},
		// A period or comma between digits stays; a hyphen after a digit splits.
		{"It costs 3.50 or 1,000 (5-star)", []string{"it", "costs", "3.50", "or", "1,000", "(", "5", "-", "star", ")"}},
		// Non-ASCII symbols stay inside words; the final period follows a digit but precedes
		// nothing, so it splits.
		{"Price range: £20-25.", []string{"price", "range", ":", "£20", "-", "25", "."}},
		{"don't [sic] a/b x+y \"q\"", []string{"don't", "[", "sic", "]", "a", "/", "b", "x", "+", "y", "\"", "q", "\""}},
		{"e.g. 5.", []string{"e", ".", "g", ".", "5", "."}},
		{"-3 and ,5", []string{"-3", "and", ",", "5"}},
		{"ÉCOLE  Ünïcode\tTab\nline", []string{"école", "ünïcode", "tab", "line"}},
		{"", nil},
		{" \t\n ", nil},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
