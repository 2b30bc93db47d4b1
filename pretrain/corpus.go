package pretrain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"loralab/datasets"
	"loralab/model/tokenizer"
)

// CorpusDocs returns the documents pretraining may read from the named corpus: those of
// its train split only. A corpus drawn from the same source as tasks holds the documents of
// those tasks' validation and test splits in its own validation and test splits, which
// pretraining must never see.
func CorpusDocs(ctx context.Context, cacheDir string, dataSeed uint64, name string) ([]string, error) {
	reg := datasets.NewRegistry(datasets.Options{CacheDir: cacheDir, Seed: dataSeed})
	corpus, err := reg.Load(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("pretraining corpus: %w", err)
	}
	if corpus.Kind != datasets.Corpus {
		return nil, fmt.Errorf("pretraining corpus: %s is a %s task, want a corpus", name, corpus.Kind)
	}
	return datasets.Texts(corpus.Train), nil
}

// CorpusTokenizer trains a byte-level BPE tokenizer of the given vocabulary size on the
// documents, or loads the one trained on the same documents before from
// cacheDir/tokenizers ("" = no cache).
func CorpusTokenizer(docs []string, name string, vocab int, cacheDir string) (*tokenizer.Tokenizer, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", name, vocab)
	for _, d := range docs {
		fmt.Fprintf(h, "%d\x00%s", len(d), d)
	}
	key := hex.EncodeToString(h.Sum(nil))[:16]
	path := ""
	if cacheDir != "" {
		path = filepath.Join(cacheDir, "tokenizers", key+".json")
		if _, err := os.Stat(path); err == nil {
			tok, err := tokenizer.LoadFile(path)
			if err != nil {
				return nil, fmt.Errorf("corpus tokenizer: cached: %w", err)
			}
			return tok, nil
		}
	}
	tok, err := tokenizer.Train(docs, tokenizer.TrainConfig{VocabSize: vocab})
	if err != nil {
		return nil, fmt.Errorf("corpus tokenizer: %w", err)
	}
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("corpus tokenizer: %w", err)
		}
		if err := tok.Save(path); err != nil {
			return nil, fmt.Errorf("corpus tokenizer: save: %w", err)
		}
	}
	return tok, nil
}
