package experiments

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loralab/datasets"
)

// writeTaskDir writes a jsonl task folder with the given training rows.
func writeTaskDir(t *testing.T, dir, train string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"train.jsonl":      train,
		"validation.jsonl": `{"text": "b", "label": 1}` + "\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHashDir: the hash follows the files' names and contents, not the folder's place, and
// a file's SHA-256 is taken from the cache while its size and mtime are unchanged.
func TestHashDir(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(datasets.EnvDataDir, cache)
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "elsewhere", "b")
	writeTaskDir(t, a, `{"text": "a", "label": 0}`+"\n")
	writeTaskDir(t, b, `{"text": "a", "label": 0}`+"\n")
	hash := func(dir string) string {
		t.Helper()
		h, err := HashDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	ha := hash(a)
	if hb := hash(b); hb != ha {
		t.Errorf("same files in two folders: %s and %s", ha, hb)
	}
	if err := os.Rename(filepath.Join(b, "validation.jsonl"), filepath.Join(b, "test.jsonl")); err != nil {
		t.Fatal(err)
	}
	if hash(b) == ha {
		t.Error("renaming a file inside the folder kept the hash")
	}

	// The cache answers while size and mtime match: a forged entry shows through.
	train, _ := filepath.Abs(filepath.Join(a, "train.jsonl"))
	var entries map[string]contentEntry
	data, err := os.ReadFile(filepath.Join(cache, ContentCacheFile))
	if err != nil || json.Unmarshal(data, &entries) != nil {
		t.Fatalf("cache file: %v", err)
	}
	e, ok := entries[train]
	if !ok {
		t.Fatalf("cache holds no entry for %s", train)
	}
	e.SHA256 = strings.Repeat("0", 64)
	entries[train] = e
	data, _ = json.Marshal(entries)
	if err := os.WriteFile(filepath.Join(cache, ContentCacheFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if hash(a) == ha {
		t.Error("the cached SHA-256 was not used: the file was read again")
	}
	// A new mtime makes it read the file again.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(a, "train.jsonl"), later, later); err != nil {
		t.Fatal(err)
	}
	if hash(a) != ha {
		t.Error("after a new mtime, the hash is not the file's again")
	}

	if _, err := HashDir(filepath.Join(root, "missing")); err == nil {
		t.Error("hash of a missing folder succeeded")
	}
	if _, err := HashDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no files") {
		t.Errorf("hash of an empty folder: %v", err)
	}
}

// TestRunIDFollowsContent: a jsonl task's run id changes when a label of its training file
// is flipped, keeping the file's size and name, and not when the folder moves.
func TestRunIDFollowsContent(t *testing.T) {
	t.Setenv(datasets.EnvDataDir, t.TempDir())
	root := t.TempDir()
	dir := filepath.Join(root, "mine")
	writeTaskDir(t, dir, `{"text": "a", "label": 0}`+"\n"+`{"text": "c", "label": 1}`+"\n")
	ids := func(dir string) []string {
		t.Helper()
		text := strings.Replace(baseSweep, "tasks: [cls-a, reg-a]", "tasks: [jsonl:"+dir+"]", 1)
		runs, err := parseTest(t, text).Expand()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range runs {
			if r.Inputs["jsonl:"+dir] == "" {
				t.Fatalf("run %s records no content hash of its task: %v", r.Label(), r.Inputs)
			}
			out = append(out, r.ID)
		}
		return out
	}
	before := ids(dir)
	moved := filepath.Join(root, "moved", "mine")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if after := ids(moved); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("moving the task's folder changed the run ids: %v, then %v", before, after)
	}
	writeTaskDir(t, moved, `{"text": "a", "label": 1}`+"\n"+`{"text": "c", "label": 0}`+"\n")
	for i, id := range ids(moved) {
		if id == before[i] {
			t.Errorf("run %d kept id %s after its labels were flipped", i, id)
		}
	}
}
