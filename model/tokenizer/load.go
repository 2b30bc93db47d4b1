package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LoadDir loads the tokenizer files of a model directory: tokenizer.json if present,
// otherwise the GPT-2 pair vocab.json and merges.txt.
func LoadDir(dir string) (*Tokenizer, error) {
	path := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(path); err == nil {
		return LoadFile(path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return LoadGPT2(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"))
}

// LoadGPT2 loads a GPT-2 style pair of files: vocab.json, an object mapping byte-level
// tokens to ids, and merges.txt, one merge "left right" per line in rank order after an
// optional "#version" line. Special tokens are recognised by name (<|endoftext|>, <s>, ...).
func LoadGPT2(vocabPath, mergesPath string) (*Tokenizer, error) {
	vocabSrc, err := readSource(vocabPath)
	if err != nil {
		return nil, err
	}
	vocab, err := readVocabJSON(vocabSrc)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	mergesSrc, err := readSource(mergesPath)
	if err != nil {
		return nil, err
	}
	merges, err := readMergesTxt(mergesSrc)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := build(pos{label: vocabPath}, vocab, nil, merges)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

// readSource reads a whole input file.
func readSource(path string) (*source, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return &source{path: path, data: data}, nil
}

// readVocabJSON reads vocab.json: {"token": id, ...}.
func readVocabJSON(src *source) ([]vocabEntry, error) {
	w := newJSONWalker(src)
	vocab, err := readVocabObject(w)
	if err != nil {
		return nil, err
	}
	return vocab, w.end()
}

// readVocabObject reads an object mapping tokens to integer ids.
func readVocabObject(w *jsonWalker) ([]vocabEntry, error) {
	var vocab []vocabEntry
	err := w.object("a JSON object mapping tokens to ids", func(token string, at int64) error {
		var id int32
		if err := w.decode(&id, fmt.Sprintf("an integer id for token %q", token)); err != nil {
			return err
		}
		vocab = append(vocab, vocabEntry{token: token, id: id, at: w.at(at)})
		return nil
	})
	return vocab, err
}

// readMergesTxt reads merges.txt: an optional "#version" first line, then one merge per
// line, two tokens separated by a single space. Blank lines are skipped.
func readMergesTxt(src *source) ([]mergeEntry, error) {
	var merges []mergeEntry
	data := src.data
	for lineNo, start := 1, 0; start < len(data); lineNo++ {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		line := strings.TrimSuffix(string(data[start:end]), "\r")
		at := src.at(int64(start))
		start = end + 1
		if line == "" || (lineNo == 1 && strings.HasPrefix(line, "#version")) {
			continue
		}
		left, right, ok := splitMerge(line)
		if !ok {
			return nil, fmt.Errorf("%s: want two tokens separated by one space, found %q", at, line)
		}
		merges = append(merges, mergeEntry{left: left, right: right, at: at})
	}
	return merges, nil
}

// splitMerge splits "left right" at its only space.
func splitMerge(s string) (left, right string, ok bool) {
	left, right, ok = strings.Cut(s, " ")
	if !ok || left == "" || right == "" || strings.Contains(right, " ") {
		return "", "", false
	}
	return left, right, true
}
