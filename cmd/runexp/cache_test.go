package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/experiments"
)

// TestCacheFlagHoldsTheContentHashes: the SHA-256s of a file task's files are remembered in
// the folder --cache names, not in LORALAB_DATA's.
func TestCacheFlagHoldsTheContentHashes(t *testing.T) {
	env, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	t.Setenv(datasets.EnvDataDir, env)
	task := filepath.Join(t.TempDir(), "mine")
	if err := os.MkdirAll(task, 0o755); err != nil {
		t.Fatal(err)
	}
	var rows strings.Builder
	for i := range 12 {
		fmt.Fprintf(&rows, "{\"text\": \"word %d and more words\", \"label\": %d}\n", i, i%2)
	}
	for _, split := range []string{"train", "validation", "test"} {
		if err := os.WriteFile(filepath.Join(task, split+".jsonl"), []byte(rows.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	text := strings.Replace(fmt.Sprintf(failingSweep, "1e-3"), "tasks: [embedded-cls]", "tasks: [jsonl:"+task+"]", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stderr := runMain(context.Background(), t, "--dry-run", "--cache", cache, path); code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(cache, experiments.ContentCacheFile)); err != nil {
		t.Errorf("--cache folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(env, experiments.ContentCacheFile)); err == nil {
		t.Errorf("LORALAB_DATA's folder holds %s though --cache named another", experiments.ContentCacheFile)
	}
}
