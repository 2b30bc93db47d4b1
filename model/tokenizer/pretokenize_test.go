package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitWords checks the pre-tokenizer against splits derived by hand from GPT-2's
// regular expression 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+.
func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello world", []string{"Hello", " world"}},
		{"I'm here", []string{"I", "'m", " here"}},
		{"don't", []string{"don", "'t"}},
		{"they'll've", []string{"they", "'ll", "'ve"}},
		{"we're 'd", []string{"we", "'re", " '", "d"}}, // a space before ' makes it a symbol
		{"DON'T", []string{"DON", "'", "T"}},           // contractions are lower case only
		{"it’s", []string{"it", "’", "s"}},             // and ASCII apostrophe only
		{"a  b", []string{"a", " ", " b"}},             // the last space joins the word
		{"a   \n  b", []string{"a", "   \n ", " b"}},   // a run gives up its last character
		{"x\n\ny", []string{"x", "\n", "\n", "y"}},     // a lone newline is its own word
		{"trailing   ", []string{"trailing", "   "}},   // at the end the run takes all
		{" ", []string{" "}},                           // a single space alone
		{"\tindent", []string{"\t", "indent"}},         // only ' ' joins a word, not \t
		{"123 4567.89", []string{"123", " 4567", ".", "89"}},
		{"abc123def", []string{"abc", "123", "def"}},
		{"hello!!! ??", []string{"hello", "!!!", " ??"}}, // symbol runs
		{"(x)", []string{"(", "x", ")"}},
		{"naïve café", []string{"naïve", " café"}},
		{"日本語 テキスト", []string{"日本語", " テキスト"}},
		{"emoji 😀😀 ok", []string{"emoji", " 😀😀", " ok"}},
		{"½ Ⅻ²", []string{"½", " Ⅻ²"}},             // \p{N} includes No and Nl
		{"a\u00a0b", []string{"a", "\u00a0", "b"}}, // NBSP is whitespace, not ' '
		{"a\u3000\u3000b", []string{"a", "\u3000", "\u3000", "b"}},
		{"a\xffb", []string{"a", "\xff", "b"}}, // invalid UTF-8 bytes are symbols
		{"a\xff\xfe b", []string{"a", "\xff\xfe", " b"}},
		{"\r\n\r\nend", []string{"\r\n\r", "\n", "end"}},
	}
	for _, tc := range tests {
		if got := splitWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestSplitWordsCoversText checks that words are non-empty and concatenate to the input,
// for inputs built from every character class the pre-tokenizer distinguishes.
func TestSplitWordsCoversText(t *testing.T) {
	pieces := []string{"a", "Z", "é", "日", "7", "½", " ", "  ", "\n", "\t", "\u00a0", "'", "'s", "'ll", "!", "😀", "\xff", "-"}
	// Every string of up to three pieces: 18^3 inputs, covering each pair of neighbours.
	for _, a := range pieces {
		for _, b := range pieces {
			for _, c := range pieces {
				in := a + b + c
				words := splitWords(in)
				if strings.Join(words, "") != in {
					t.Fatalf("splitWords(%q) = %q does not cover the input", in, words)
				}
				for _, w := range words {
					if w == "" {
						t.Fatalf("splitWords(%q) = %q has an empty word", in, words)
					}
				}
			}
		}
	}
}
