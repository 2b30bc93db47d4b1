package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreflightRefusesToStart: a real run of a sweep naming a corpus as a fine-tuning task
// exits 1 with the problem at its line, as the dry run does, and writes no run.
func TestPreflightRefusesToStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus-task.yaml")
	text := strings.Replace(strings.Replace(failingSweep, "%s", "1e-3", 1), "tasks: [embedded-cls]", "tasks: [embedded-cls, embedded-corpus]", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dry := range []bool{false, true} {
		out := t.TempDir()
		args := []string{path, "--out", out, "--cache", filepath.Join(t.TempDir(), "cache"), "--no-report"}
		if dry {
			args = append(args, "--dry-run")
		}
		code, stderr := runMain(context.Background(), t, args...)
		want := path + ":12:23: task embedded-corpus: is a corpus"
		if code != exitError || !strings.Contains(stderr, want) {
			t.Errorf("dry run %v: exit %d, want %d with %q; stderr:\n%s", dry, code, exitError, want, stderr)
		}
		if runs, _ := filepath.Glob(filepath.Join(out, "*", "runs", "*")); len(runs) != 0 {
			t.Errorf("dry run %v: runs were written: %v", dry, runs)
		}
	}
}
