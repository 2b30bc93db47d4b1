package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/datasets"
	"loralab/model/arch"
)

// ContentCacheFile is the file, in the data cache folder, that remembers the SHA-256 of
// every file the content hashes have read, by absolute path, size and modification time.
const ContentCacheFile = "contenthash.json"

// contentEntry is one remembered file: its SHA-256 while its size and mtime stay as seen.
type contentEntry struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// namedFile is one file to hash: the name its content is hashed under, and its path.
type namedFile struct{ name, path string }

// HashFiles returns the content hash of the files, in order, each named by its base name.
// The content hash is the one definition of what a run reads from files (file tasks and
// corpora by HashDir, model folders by HashModelFolder): the SHA-256 over each file's name,
// size and SHA-256, in a fixed order. The folders holding the files are no part of it, so
// moving them keeps the hash and editing one changes it. The files' SHA-256s are
// remembered in cacheDir (ContentCacheFile; "" = datasets.DefaultCacheDir(), the folder
// --cache and LORALAB_DATA choose) by path, size and mtime, so that a large file is read
// once while it is unchanged.
func HashFiles(cacheDir string, paths []string) (string, error) {
	files := make([]namedFile, len(paths))
	for i, p := range paths {
		files[i] = namedFile{filepath.Base(p), p}
	}
	return hashNamed(cacheDir, files)
}

// HashDir returns the content hash of every regular file under dir (hidden files and
// folders excepted), each named by its path relative to dir: the folder's content, wherever
// it is. A file task's folder is hashed this way.
func HashDir(cacheDir, dir string) (string, error) {
	files, err := dirFiles(dir)
	if err != nil {
		return "", err
	}
	return hashNamed(cacheDir, files)
}

// HashModelFolder returns the content hash of the model folder dir: HashFiles of the files
// the loader reads (arch.ModelFiles), so that notes beside the model do not count.
// model: {from: DIR} records it (Pretrain.FromSHA256).
func HashModelFolder(cacheDir, dir string) (string, error) {
	paths, err := arch.ModelFiles(dir)
	if err != nil {
		return "", err
	}
	return HashFiles(cacheDir, paths)
}

// dirFiles lists the regular files under dir, sorted by relative path.
func dirFiles(dir string) ([]namedFile, error) {
	var files []namedFile
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, namedFile{filepath.ToSlash(rel), path})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("content hash of %s: %w", dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("content hash of %s: no files", dir)
	}
	slices.SortFunc(files, func(a, b namedFile) int { return strings.Compare(a.name, b.name) })
	return files, nil
}

// hashNamed hashes the files under their names, reading and updating the cache in cacheDir
// ("" = the default data cache). A cache that cannot be read or written only costs the
// files being read again.
func hashNamed(cacheDir string, files []namedFile) (string, error) {
	if cacheDir == "" {
		cacheDir = datasets.DefaultCacheDir()
	}
	cachePath := filepath.Join(cacheDir, ContentCacheFile)
	cache := readContentCache(cachePath)
	changed := false
	h := sha256.New()
	for _, f := range files {
		e, fresh, err := fileSum(cache, f.path)
		if err != nil {
			return "", err
		}
		changed = changed || fresh
		fmt.Fprintf(h, "%s\x00%d\x00%s\n", f.name, e.Size, e.SHA256)
	}
	if changed {
		writeContentCache(cachePath, cache) // best effort: see above
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileSum returns the size and SHA-256 of the file at path, from cache when its size and
// mtime match, else read (fresh true) and remembered in cache.
func fileSum(cache map[string]contentEntry, path string) (contentEntry, bool, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return contentEntry{}, false, fmt.Errorf("content hash: %w", err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return contentEntry{}, false, fmt.Errorf("content hash: %w", err)
	}
	if e, ok := cache[abs]; ok && e.Size == info.Size() && e.ModTime == info.ModTime().UnixNano() {
		return e, false, nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return contentEntry{}, false, fmt.Errorf("content hash: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return contentEntry{}, false, fmt.Errorf("content hash of %s: %w", path, err)
	}
	e := contentEntry{Size: n, ModTime: info.ModTime().UnixNano(), SHA256: hex.EncodeToString(h.Sum(nil))}
	cache[abs] = e
	return e, true, nil
}

// readContentCache reads the cache file, or returns an empty cache.
func readContentCache(path string) map[string]contentEntry {
	cache := map[string]contentEntry{}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &cache) != nil {
		return map[string]contentEntry{}
	}
	return cache
}

// writeContentCache writes the cache atomically (a temporary file renamed over it), so that
// runexp processes sharing the cache never read half a file.
func writeContentCache(path string, cache map[string]contentEntry) {
	data, err := json.Marshal(cache)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+ContentCacheFile+".tmp*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}

// inputHashes hashes the folder of every task and corpus of the sweep that is read from
// files (datasets.FileTask), keyed by its name. A folder that cannot be hashed (missing,
// empty) is left out: its runs keep a name-based id, and the preflight reports the folder.
func (s *Sweep) inputHashes() map[string]string {
	hashes := map[string]string{}
	for _, name := range append(slices.Clone(s.Tasks), s.Pretrain.Corpus) {
		if _, ok := hashes[name]; ok {
			continue
		}
		if _, dir, ok := datasets.FileTask(name); ok {
			if h, err := HashDir(s.CacheDir, dir); err == nil {
				hashes[name] = h
			}
		}
	}
	return hashes
}
