package experiments

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loralab/datasets"
	"loralab/model"
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
	t.Setenv(datasets.EnvDataDir, t.TempDir()) // not this one: the cache given wins
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "elsewhere", "b")
	writeTaskDir(t, a, `{"text": "a", "label": 0}`+"\n")
	writeTaskDir(t, b, `{"text": "a", "label": 0}`+"\n")
	hash := func(dir string) string {
		t.Helper()
		h, err := HashDir(cache, dir)
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

	if _, err := HashDir(cache, filepath.Join(root, "missing")); err == nil {
		t.Error("hash of a missing folder succeeded")
	}
	if _, err := HashDir(cache, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no files") {
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

// TestHashCacheFollowsTheCacheDir: the SHA-256s are remembered in the cache folder the sweep
// was parsed with (runexp --cache), for file tasks and model folders alike, and nowhere
// else; without one, in LORALAB_DATA's.
func TestHashCacheFollowsTheCacheDir(t *testing.T) {
	env, flag := t.TempDir(), t.TempDir()
	t.Setenv(datasets.EnvDataDir, env)
	task := filepath.Join(t.TempDir(), "mine")
	writeTaskDir(t, task, `{"text": "a", "label": 0}`+"\n")
	base := filepath.Join(t.TempDir(), "base")
	saveTinyBase(t, base, 1)
	text := strings.Replace(fromSweep(base, ""), "tasks: [cls-a, reg-a]", "tasks: [jsonl:"+task+"]", 1)
	remembered := func(cacheDir string) map[string]contentEntry {
		t.Helper()
		entries := map[string]contentEntry{}
		data, err := os.ReadFile(filepath.Join(cacheDir, ContentCacheFile))
		if err == nil {
			err = json.Unmarshal(data, &entries)
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		return entries
	}
	parseExpand := func(cacheDir string) {
		t.Helper()
		sw, err := Parse("sweep.yaml", []byte(text), ParseOptions{Tasks: testTasks, CacheDir: cacheDir})
		if err != nil {
			t.Fatal(err)
		}
		if sw.CacheDir != cacheDir {
			t.Errorf("sweep cache %q, want %q", sw.CacheDir, cacheDir)
		}
		if _, err := sw.Expand(); err != nil {
			t.Fatal(err)
		}
	}
	trainFile, _ := filepath.Abs(filepath.Join(task, "train.jsonl"))
	weights, _ := filepath.Abs(filepath.Join(base, model.WeightsFile))
	parseExpand(flag)
	if got := remembered(flag); len(got) == 0 || got[trainFile].SHA256 == "" || got[weights].SHA256 == "" {
		t.Errorf("--cache folder remembers %v, want the task's and the base's files", got)
	}
	if got := remembered(env); len(got) != 0 {
		t.Errorf("LORALAB_DATA's folder remembers %d files though another cache was given", len(got))
	}
	parseExpand("")
	if got := remembered(env); got[trainFile].SHA256 == "" || got[weights].SHA256 == "" {
		t.Errorf("without a cache folder, LORALAB_DATA's remembers %v, want the task's and the base's files", got)
	}
}

// TestHashModelFolder: a model folder's hash follows the files the loader reads, not the
// folder's path or the notes beside the model, and is HashFiles of those files.
func TestHashModelFolder(t *testing.T) {
	cache := t.TempDir()
	hash := func(dir string) string {
		t.Helper()
		h, err := HashModelFolder(cache, dir)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := filepath.Join(t.TempDir(), "a")
	saveTinyBase(t, a, 1)
	ha := hash(a)
	if want, err := HashFiles(cache, []string{filepath.Join(a, "config.json"), filepath.Join(a, model.WeightsFile)}); err != nil || ha != want {
		t.Errorf("model folder hash %s, want HashFiles of config.json and the weights %s (%v)", ha, want, err)
	}
	b := filepath.Join(t.TempDir(), "elsewhere", "b")
	saveTinyBase(t, b, 1)
	for name, text := range map[string]string{"PROVENANCE.md": "notes", "stats.json": "{}", "checkpoints/step-10/model.safetensors": "x"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(b, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if hb := hash(b); hb != ha {
		t.Errorf("same model in another folder, with notes: %s, want %s", hb, ha)
	}
	saveTinyBase(t, b, 2)
	if hash(b) == ha {
		t.Error("other weights kept the hash")
	}
	if _, err := HashModelFolder(cache, t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no model files") {
		t.Errorf("an empty folder: error %v", err)
	}
}
