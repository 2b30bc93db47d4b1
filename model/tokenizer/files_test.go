package tokenizer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// token is one vocabulary entry of a test file.
type token struct {
	text string
	id   int
}

// byteTokens returns the 256 one-byte tokens in GPT-2 spelling with ids first, first+1, ...
// in byte order, so that byte b has id first+b.
func byteTokens(first int) []token {
	out := make([]token, 256)
	for b := range 256 {
		out[b] = token{string(byteLevel.toRune[b]), first + b}
	}
	return out
}

// vocabJSON renders entries as a vocab.json object, one entry per line starting on
// line 2, so that entry i sits on line i+2.
func vocabJSON(entries []token) string {
	var b strings.Builder
	b.WriteString("{\n")
	for i, e := range entries {
		b.WriteString("  " + quote(e.text) + ": " + strconv.Itoa(e.id))
		if i+1 < len(entries) {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// writeFile writes content to name in dir and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tinyGPT2 is a GPT-2 style vocabulary small enough to encode by hand: byte b has id b,
// then five merged tokens and <|endoftext|>.
func tinyGPT2() (vocab []token, merges string) {
	vocab = append(byteTokens(0),
		token{"Ġt", 256}, token{"he", 257}, token{"Ġthe", 258}, token{"ll", 259}, token{"llo", 260},
		token{"<|endoftext|>", 261})
	merges = "#version: 0.2\nĠ t\nh e\nĠt he\nl l\nll o\n"
	return vocab, merges
}

// loadTinyGPT2 writes the tiny GPT-2 files and loads them.
func loadTinyGPT2(t *testing.T) *Tokenizer {
	t.Helper()
	dir := t.TempDir()
	vocab, merges := tinyGPT2()
	tok, err := LoadGPT2(writeFile(t, dir, "vocab.json", vocabJSON(vocab)), writeFile(t, dir, "merges.txt", merges))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
