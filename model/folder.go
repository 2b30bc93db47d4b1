package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// folderFiles are the files of a model folder that Open may read: the weights, the config
// and the tokenizer in either layout.
var folderFiles = []string{hfConfigFile, WeightsFile, TokenizerFile, "vocab.json", "merges.txt"}

// FolderDigest identifies the contents of the model folder dir: the SHA-256 over, for each
// file Open may read that is present (in a fixed order), its name, its size and its
// SHA-256. The folder's path is not part of it, so a copied or moved folder keeps its
// digest, and notes beside the model (a PROVENANCE.md, the curve of its pretraining) do not
// count. It is hex, 64 digits.
func FolderDigest(dir string) (string, error) {
	h := sha256.New()
	found := 0
	for _, name := range folderFiles {
		sum, size, err := fileSHA256(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("model: digest of %s: %w", dir, err)
		}
		found++
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(name))))
		h.Write([]byte(name))
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(size)))
		h.Write(sum)
	}
	if found == 0 {
		return "", fmt.Errorf("model: %s holds no model files (want %s)", dir, WeightsFile)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileSHA256 returns the SHA-256 and the size of the file at path.
func fileSHA256(path string) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), n, nil
}
