package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGPT2FilesEncode encodes strings with the tiny vocab.json + merges.txt and compares
// with ids worked out by hand. Byte b has id b; merges, by rank: 0 "Ġ t" -> 256,
// 1 "h e" -> 257, 2 "Ġt he" -> 258, 3 "l l" -> 259, 4 "ll o" -> 260.
func TestGPT2FilesEncode(t *testing.T) {
	tok := loadTinyGPT2(t)
	tests := []struct {
		text string
		want []int32
	}{
		// "the": t h e -> (h e) -> t he; "t he" is no merge.
		// " hello": Ġ h e l l o -> Ġ he l l o -> Ġ he ll o -> Ġ he llo.
		{"the hello", []int32{'t', 257, ' ', 257, 260}},
		// " the": Ġ t h e -> Ġt h e -> Ġt he -> Ġthe: rank order, not left to right.
		{" the", []int32{258}},
		{"hell", []int32{257, 259}},
		{"lll", []int32{259, 'l'}},  // occurrences merge left to right without overlap
		{"llll", []int32{259, 259}}, // both occurrences in one step
		{"the\n", []int32{'t', 257, '\n'}},
		{"é", []int32{0xc3, 0xa9}},     // UTF-8 bytes, each a token
		{"\x00\xff", []int32{0, 0xff}}, // any byte, even outside UTF-8
		{"", []int32{}},
		{"<|endoftext|>", []int32{'<', '|', 'e', 'n', 'd', 'o', 'f', 't', 'e', 'x', 't', '|', '>'}}, // Encode: plain text
	}
	for _, tc := range tests {
		got := tok.Encode(tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Encode(%q) = %v, want %v", tc.text, got, tc.want)
		}
		if back := tok.Decode(got); back != tc.text {
			t.Errorf("Decode(Encode(%q)) = %q", tc.text, back)
		}
	}
}

func TestGPT2FilesSpecials(t *testing.T) {
	tok := loadTinyGPT2(t)
	want := Specials{BOS: 261, EOS: 261, PAD: 261, MASK: NoToken, CLS: NoToken, SEP: NoToken}
	if got := tok.Specials(); got != want {
		t.Errorf("Specials() = %+v, want %+v", got, want)
	}
	if tok.VocabSize() != 262 || tok.NumMerges() != 5 {
		t.Errorf("VocabSize %d, NumMerges %d; want 262, 5", tok.VocabSize(), tok.NumMerges())
	}
	tests := []struct {
		text string
		want []int32
	}{
		{"hi<|endoftext|>", []int32{'h', 'i', 261}},
		{"<|endoftext|><|endoftext|>", []int32{261, 261}},
		{"a <|endoftext|> the", []int32{'a', ' ', 261, 258}},
		{"<|endoftext", []int32{'<', '|', 'e', 'n', 'd', 'o', 'f', 't', 'e', 'x', 't'}},
	}
	for _, tc := range tests {
		got := tok.EncodeSpecial(tc.text)
		if !slices.Equal(got, tc.want) {
			t.Errorf("EncodeSpecial(%q) = %v, want %v", tc.text, got, tc.want)
		}
		if back := tok.Decode(got); back != tc.text {
			t.Errorf("Decode(EncodeSpecial(%q)) = %q", tc.text, back)
		}
	}
	if id, ok := tok.ID("Ġthe"); !ok || id != 258 {
		t.Errorf(`ID("Ġthe") = %d, %v; want 258`, id, ok)
	}
	if s, ok := tok.Token(258); !ok || s != "Ġthe" {
		t.Errorf("Token(258) = %q, %v; want Ġthe", s, ok)
	}
	if _, ok := tok.Token(262); ok {
		t.Error("Token(262) found a token beyond the vocabulary")
	}
	if got := tok.Decode([]int32{'a', -1, 262, 'b'}); got != "a\uFFFD\uFFFDb" {
		t.Errorf("Decode with bad ids = %q, want replacement characters", got)
	}
	if !tok.IsAdded(261) || tok.IsAdded(258) {
		t.Error("IsAdded: <|endoftext|> should be added, Ġthe not")
	}
}

// robertaJSON is a RoBERTa-style tokenizer.json: specials <s> <pad> </s> <unk> first,
// bytes at 4..259, merges to Ġt (260), he (261), Ġthe (262), and <mask> last (263).
// mergeList is the JSON of the merges array, in either spelling.
func robertaJSON(mergeList string) string {
	vocab := []token{{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}}
	vocab = append(vocab, byteTokens(4)...)
	vocab = append(vocab, token{"Ġt", 260}, token{"he", 261}, token{"Ġthe", 262}, token{"<mask>", 263})
	added := `[
    {"id": 0, "content": "<s>", "special": true},
    {"id": 1, "content": "<pad>", "special": true},
    {"id": 2, "content": "</s>", "special": true},
    {"id": 3, "content": "<unk>", "special": true},
    {"id": 263, "content": "<mask>", "special": true, "lstrip": true}
  ]`
	return `{"version": "1.0", "added_tokens": ` + added + `,
  "normalizer": null, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
  "model": {"type": "BPE", "dropout": null, "continuing_subword_prefix": "", "vocab": ` +
		vocabJSON(vocab) + `, "merges": ` + mergeList + `}}`
}

func TestTokenizerJSON(t *testing.T) {
	dir := t.TempDir()
	for name, merges := range map[string]string{
		"strings": `["Ġ t", "h e", "Ġt he"]`,
		"pairs":   `[["Ġ", "t"], ["h", "e"], ["Ġt", "he"]]`,
	} {
		tok, err := LoadFile(writeFile(t, dir, name+".json", robertaJSON(merges)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := Specials{BOS: 0, EOS: 2, PAD: 1, MASK: 263, CLS: 0, SEP: 2}
		if got := tok.Specials(); got != want {
			t.Errorf("%s: Specials() = %+v, want %+v", name, got, want)
		}
		// " the" -> 262; "the" -> t (116+4) he (261); "!" -> 33+4.
		if got, want := tok.Encode("the the!"), []int32{120, 261, 262, 37}; !slices.Equal(got, want) {
			t.Errorf("%s: Encode = %v, want %v", name, got, want)
		}
		if got, want := tok.EncodeSpecial("<s>the<mask></s>"), []int32{0, 120, 261, 263, 2}; !slices.Equal(got, want) {
			t.Errorf("%s: EncodeSpecial = %v, want %v", name, got, want)
		}
		if got := tok.Decode([]int32{0, 262, 1}); got != "<s> the<pad>" {
			t.Errorf("%s: Decode = %q", name, got)
		}
	}
}

func TestLoadDir(t *testing.T) {
	gpt2 := t.TempDir()
	vocab, merges := tinyGPT2()
	writeFile(t, gpt2, "vocab.json", vocabJSON(vocab))
	writeFile(t, gpt2, "merges.txt", merges)
	roberta := t.TempDir()
	writeFile(t, roberta, "tokenizer.json", robertaJSON(`["Ġ t"]`))
	tests := []struct {
		dir       string
		vocabSize int
	}{{gpt2, 262}, {roberta, 264}}
	for _, tc := range tests {
		tok, err := LoadDir(tc.dir)
		if err != nil {
			t.Fatal(err)
		}
		if tok.VocabSize() != tc.vocabSize {
			t.Errorf("LoadDir(%s): vocabulary %d, want %d", tc.dir, tok.VocabSize(), tc.vocabSize)
		}
	}
	empty := t.TempDir()
	_, err := LoadDir(empty)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(empty, "vocab.json")) {
		t.Errorf("LoadDir(empty) error %v, want a missing vocab.json", err)
	}
}
