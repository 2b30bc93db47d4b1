package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"loralab/internal/jsonpos"
	"loralab/model/tokenizer"
)

// statsFile holds the PretrainStats of a cached pretraining run; its presence marks the
// folder as complete.
const statsFile = "pretrain.json"

// pretrainKey hashes everything that determines a pretraining result: the configuration
// (threads excepted), the corpus name and content, and the tokenizer.
func pretrainKey(cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer) (string, error) {
	h := sha256.New()
	h.Write([]byte("loralab pretrain v2\n"))
	c, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("pretrain: cache key: %w", err)
	}
	h.Write(c)
	for _, doc := range corpus { // length-prefixed, so that document boundaries count
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(doc))))
		h.Write([]byte(doc))
	}
	t, err := tok.MarshalJSON()
	if err != nil {
		return "", fmt.Errorf("pretrain: cache key: %w", err)
	}
	h.Write(t)
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// loadPretrained returns the cached result under cacheDir/key, or nil if there is none.
func loadPretrained(cacheDir, key string) (*Pretrained, error) {
	dir := filepath.Join(cacheDir, key)
	b, err := os.ReadFile(filepath.Join(dir, statsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pretrain: cache: %w", err)
	}
	var stats PretrainStats
	if err := jsonpos.Unmarshal(b, &stats); err != nil {
		return nil, fmt.Errorf("pretrain: cache: %s: %w", filepath.Join(dir, statsFile), err)
	}
	m, _, err := Load(dir)
	if err != nil {
		return nil, fmt.Errorf("pretrain: cache: %w", err)
	}
	return &Pretrained{Model: m, Stats: stats, Dir: dir, Cached: true}, nil
}

// storePretrained writes the checkpoint and stats into a temporary folder inside cacheDir
// and renames it to cacheDir/key. If another run stored the same key meanwhile, its folder
// is kept and this one discarded.
func storePretrained(cacheDir, key string, m *Model, tok *tokenizer.Tokenizer, stats PretrainStats) (dir string, err error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, ".tmp-"+key+"-")
	if err != nil {
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := Save(tmp, m, tok, map[string]string{"loralab.pretrain_key": key}); err != nil {
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	b, err := json.MarshalIndent(stats, "", "  ")
	if err != nil {
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, statsFile), b, 0o644); err != nil {
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	dir = filepath.Join(cacheDir, key)
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, statsFile)); statErr == nil {
			os.RemoveAll(tmp) // another run finished the same key first
			return dir, nil
		}
		return "", fmt.Errorf("pretrain: cache: %w", err)
	}
	return dir, nil
}
