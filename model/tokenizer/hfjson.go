package tokenizer

import (
	"encoding/json"
	"fmt"
)

// The Hugging Face tokenizer.json layout, of which this package reads and writes the parts
// that define a byte-level BPE model:
//
//	{
//	  "added_tokens": [{"id": 0, "content": "<s>", "special": true, ...}, ...],
//	  "pre_tokenizer": {"type": "ByteLevel", ...},
//	  "decoder": {"type": "ByteLevel", ...},
//	  "model": {
//	    "type": "BPE",
//	    "vocab": {"<s>": 0, ..., "Ġthe": 262, ...},
//	    "merges": ["Ġ t", ...] or [["Ġ", "t"], ...]
//	  }
//	}
//
// Other top-level keys are read past. In particular the pre_tokenizer and decoder are
// taken to be GPT-2's ByteLevel ones without a prefix space, as in the GPT-2 and RoBERTa
// files; a file asking for add_prefix_space would encode differently here (no added space).
// Normalizers and post-processors (which add <s> ... </s>) are the caller's business.

// LoadFile loads a Hugging Face tokenizer.json holding a byte-level BPE model, such as the
// files this package saves and those published with GPT-2 and RoBERTa.
func LoadFile(path string) (*Tokenizer, error) {
	src, err := readSource(path)
	if err != nil {
		return nil, err
	}
	vocab, added, merges, err := readTokenizerJSON(src)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	t, err := build(pos{label: path}, vocab, added, merges)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	return t, nil
}

// hfAdded is one element of "added_tokens"; pointers tell absent fields apart.
type hfAdded struct {
	ID      *int32  `json:"id"`
	Content *string `json:"content"`
}

// readTokenizerJSON walks tokenizer.json and collects the model's entries.
func readTokenizerJSON(src *source) (vocab []vocabEntry, added []addedEntry, merges []mergeEntry, err error) {
	w := newJSONWalker(src)
	sawModel := false
	err = w.object("a tokenizer.json object", func(key string, at int64) error {
		switch key {
		case "added_tokens":
			return w.array(`an "added_tokens" array`, func(i int, at int64) error {
				a, err := readAdded(w, at)
				added = append(added, a)
				return err
			})
		case "model":
			sawModel = true
			var err error
			vocab, merges, err = readBPEModel(w, at)
			return err
		}
		return w.skip()
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if err := w.end(); err != nil {
		return nil, nil, nil, err
	}
	if !sawModel {
		return nil, nil, nil, fmt.Errorf("%s: no \"model\" object", src.path)
	}
	return vocab, added, merges, nil
}

// readAdded reads one added token, which needs an id and a content.
func readAdded(w *jsonWalker, at int64) (addedEntry, error) {
	var a hfAdded
	if err := w.decode(&a, "an added token object"); err != nil {
		return addedEntry{}, err
	}
	if a.ID == nil || a.Content == nil {
		return addedEntry{}, fmt.Errorf("%s: added token needs \"id\" and \"content\"", w.where(at))
	}
	return addedEntry{content: *a.Content, id: *a.ID, at: w.at(at)}, nil
}

// readBPEModel reads the "model" object: its type must be BPE, and options that change
// the algorithm (word suffixes, subword prefixes, dropout) must be unset.
func readBPEModel(w *jsonWalker, modelAt int64) (vocab []vocabEntry, merges []mergeEntry, err error) {
	sawVocab := false
	err = w.object(`a "model" object`, func(key string, at int64) error {
		switch key {
		case "type":
			var typ string
			if err := w.decode(&typ, "a model type string"); err != nil {
				return err
			}
			if typ != "BPE" {
				return fmt.Errorf("%s: model type %q is not supported, want \"BPE\"", w.where(at), typ)
			}
			return nil
		case "vocab":
			sawVocab = true
			var err error
			vocab, err = readVocabObject(w)
			return err
		case "merges":
			var err error
			merges, err = readMergeArray(w)
			return err
		case "continuing_subword_prefix", "end_of_word_suffix", "dropout":
			return requireUnset(w, key, at)
		}
		return w.skip()
	})
	if err == nil && !sawVocab {
		err = fmt.Errorf("%s: model has no \"vocab\"", w.where(modelAt))
	}
	return vocab, merges, err
}

// requireUnset reads an option that must be null, empty or zero.
func requireUnset(w *jsonWalker, key string, at int64) error {
	var v any
	if err := w.decode(&v, "a value for "+key); err != nil {
		return err
	}
	if v != nil && v != "" && v != 0.0 {
		return fmt.Errorf("%s: model option %q = %v is not supported", w.where(at), key, v)
	}
	return nil
}

// readMergeArray reads "merges": each element either "left right" or ["left", "right"].
func readMergeArray(w *jsonWalker) ([]mergeEntry, error) {
	var merges []mergeEntry
	const want = `a merge "left right" or ["left", "right"]`
	err := w.array(`a "merges" array`, func(i int, at int64) error {
		var raw json.RawMessage
		if err := w.decode(&raw, want); err != nil {
			return err
		}
		left, right, ok := parseMerge(raw)
		if !ok {
			return fmt.Errorf("%s: merges[%d]: want %s, found %s", w.where(at), i, want, raw)
		}
		merges = append(merges, mergeEntry{left: left, right: right, at: w.at(at)})
		return nil
	})
	return merges, err
}

// parseMerge accepts both spellings of a merge.
func parseMerge(raw json.RawMessage) (left, right string, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return splitMerge(s)
	}
	var pair []string
	if json.Unmarshal(raw, &pair) == nil && len(pair) == 2 && pair[0] != "" && pair[1] != "" {
		return pair[0], pair[1], true
	}
	return "", "", false
}
