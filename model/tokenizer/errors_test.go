package tokenizer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withToken returns the tiny GPT-2 vocabulary with one more entry.
func withToken(text string, id int) string {
	vocab, _ := tinyGPT2()
	return vocabJSON(append(vocab, token{text, id}))
}

// replaced returns the tiny GPT-2 vocabulary with entry i replaced.
func replaced(i int, e token) string {
	vocab, _ := tinyGPT2()
	vocab[i] = e
	return vocabJSON(vocab)
}

// TestLoadGPT2Errors feeds broken vocab.json / merges.txt pairs to LoadGPT2. Each error
// must name the file and, for a bad entry, its line and column (entry i of vocabJSON is on
// line i+2, column 3).
func TestLoadGPT2Errors(t *testing.T) {
	vocab, merges := tinyGPT2()
	good := vocabJSON(vocab)
	tests := []struct {
		name   string
		vocab  string // "" means the file is absent
		merges string
		want   string
	}{
		{"missing vocab", "", merges, "vocab.json: no such file"},
		{"missing merges", good, "", "merges.txt: no such file"},
		{"malformed JSON", "{\n  \"a\": 0,\n  ,\n}", merges, "vocab.json:3:"},
		{"truncated JSON", `{"a": 0`, merges, "vocab.json:1:8: want the end of the object, found the end of the file"},
		{"not an object", `[1, 2]`, merges, `vocab.json:1:1: want a JSON object mapping tokens to ids, found "["`},
		{"trailing data", good + "{}", merges, "want the end of the file, found more data"},
		{"string id", "{\n  \"a\": \"zero\"\n}", merges, `vocab.json:2:8: want an integer id for token "a", found JSON string`},
		{"fractional id", "{\n  \"a\": 1.5\n}", merges, `vocab.json:2:8: want an integer id for token "a", found JSON number 1.5`},
		{"duplicate key", withToken("he", 262), merges, `vocab.json:264:3: duplicate key "he"`},
		{"duplicate id", withToken("xy", 5), merges, `vocab.json:264:3: id 5 of token "xy" already belongs to "ą"`},
		{"id out of range", withToken("xy", 300), merges, `vocab.json:264:3: token "xy" has id 300, want 0 to 262 for 263 entries`},
		{"negative id", withToken("xy", -1), merges, `token "xy" has id -1`},
		{"not byte-level", withToken("▁the", 262), merges, `vocab.json:264:3: token "▁the" is not byte-level BPE: rune '▁' stands for no byte`},
		{"missing byte", replaced('a', token{"aa", 'a'}), merges, "vocabulary has no token for byte 0x61"},
		{"empty vocabulary", "{}", "", "merges.txt"}, // the merges file is read before building
		{"bad merge line", good, "#version: 0.2\nĠ t\nbad\n", `merges.txt:3:1: want two tokens separated by one space, found "bad"`},
		{"two spaces", good, "h e\nl  l\n", `merges.txt:2:1: want two tokens separated by one space, found "l  l"`},
		{"three tokens", good, "h e x\n", `merges.txt:1:1: want two tokens`},
		{"unknown token", good, "Ġ t\nzz q\n", `merges.txt:2:1: merge "zz" "q": left token "zz" is not in the vocabulary`},
		{"unknown right token", good, "h qq\n", `merges.txt:1:1: merge "h" "qq": right token "qq" is not in the vocabulary`},
		{"unknown result", good, "a b\n", `merges.txt:1:1: merge "a" "b": result "ab" is not in the vocabulary`},
		{"duplicate merge", good, "Ġ t\nh e\n\nĠ t\n", `merges.txt:4:1: merge "Ġ" "t" repeats the merge at /`},
		{"special in merge", good, "<|endoftext|> a\n", `left token "<|endoftext|>" is not in the vocabulary`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			vocabPath, mergesPath := filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt")
			if tc.vocab != "" {
				writeFile(t, dir, "vocab.json", tc.vocab)
			}
			if tc.merges != "" {
				writeFile(t, dir, "merges.txt", tc.merges)
			}
			_, err := LoadGPT2(vocabPath, mergesPath)
			if err == nil {
				t.Fatal("LoadGPT2 succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "tokenizer: ") || !strings.Contains(msg, dir) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q\nwant the package prefix, the file path and %q", msg, tc.want)
			}
		})
	}
}

// TestLoadGPT2MissingFileIsNotExist checks that a missing file can be detected with errors.Is.
func TestLoadGPT2MissingFileIsNotExist(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadGPT2(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap os.ErrNotExist", err)
	}
}

// TestLoadFileErrors feeds broken tokenizer.json files to LoadFile.
func TestLoadFileErrors(t *testing.T) {
	good := robertaJSON(`["Ġ t", "h e"]`)
	tests := []struct {
		name string
		file string
		want string
	}{
		{"invalid JSON", `{"model": {"type": "BPE",}}`, "tokenizer.json:1:"},
		{"empty file", "", "tokenizer.json:1:1: want a tokenizer.json object, found the end of the file"},
		{"no model", `{"added_tokens": []}`, `no "model" object`},
		{"no vocab", `{"model": {"type": "BPE", "merges": []}}`, `tokenizer.json:1:2: model has no "vocab"`},
		{"word piece", strings.Replace(good, `"type": "BPE"`, `"type": "WordPiece"`, 1), `model type "WordPiece" is not supported, want "BPE"`},
		{"suffix", strings.Replace(good, `"dropout": null`, `"end_of_word_suffix": "</w>"`, 1), `model option "end_of_word_suffix" = </w> is not supported`},
		{"dropout", strings.Replace(good, `"dropout": null`, `"dropout": 0.1`, 1), `model option "dropout" = 0.1 is not supported`},
		{"merge not a string", robertaJSON(`["Ġ t", 7]`), `merges[1]: want a merge "left right" or ["left", "right"], found 7`},
		{"merge of one token", robertaJSON(`[["Ġ", "t"], ["h"]]`), `merges[1]: want a merge`},
		{"merge unknown token", robertaJSON(`["Ġ t", "q zz"]`), `merge "q" "zz": right token "zz" is not in the vocabulary`},
		{"added without content", strings.Replace(good, `{"id": 1, "content": "<pad>", "special": true}`, `{"id": 1}`, 1),
			`tokenizer.json:3:5: added token needs "id" and "content"`},
		{"added conflicts with vocab", strings.Replace(good, `{"id": 263, "content": "<mask>"`, `{"id": 7, "content": "<mask>"`, 1),
			`tokenizer.json:6:5: token "<mask>" has id 7, but /`},
		{"added not an array", `{"added_tokens": {}}`, `tokenizer.json:1:18: want an "added_tokens" array, found "{"`},
		{"duplicate model", `{"model": {"vocab": {}}, "model": {}}`, `duplicate key "model"`},
		{"hole in ids", holeJSON(), "no token has id 256, but ids run up to 257"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "tokenizer.json", tc.file)
			_, err := LoadFile(path)
			if err == nil {
				t.Fatal("LoadFile succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "tokenizer: ") || !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q\nwant the package prefix, the file path and %q", msg, tc.want)
			}
		})
	}
}

// holeJSON has bytes at 0..255 and a token at 257 but none at 256; an added token that
// repeats byte 0's entry makes 257 a valid id, so only the hole is wrong.
func holeJSON() string {
	vocab := append(byteTokens(0), token{"Ġt", 257})
	return `{"added_tokens": [{"id": 0, "content": "Ā"}], "model": {"type": "BPE", "vocab": ` + vocabJSON(vocab) + `, "merges": []}}`
}
