package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyLatencyStudy = `study: latency
name: tiny_latency
model: {preset: tiny, vocab: 64, d_model: 16, layers: 2, heads: 2, max_len: 32}
batch: [1]
seq: [8]
sizes: [2]
reps: 1
warmup: 0
threads: 1
`

func TestStudyKind(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, content, want string
	}{
		{"latency.yaml", tinyLatencyStudy, "latency"},
		{"sweep.yaml", "name: quick\nversion: 1\ntasks: [embedded-cls]\n", ""},
		{"broken.yaml", "name: [unclosed\n", ""}, // left to the sweep parser to report
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := studyKind(path)
		if err != nil || got != c.want {
			t.Errorf("%s: studyKind = %q, %v; want %q, nil", c.name, got, err, c.want)
		}
	}
	if _, err := studyKind(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file: no error")
	}
}

// TestRunDispatchesLatencyStudy runs a tiny latency study through the sweep command line.
func TestRunDispatchesLatencyStudy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(path, []byte(tinyLatencyStudy), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout strings.Builder
	if err := run(context.Background(), []string{"--out", dir, path}, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"report.md", "results.jsonl", "table_size2.md", "figure5_latency.png"} {
		if _, err := os.Stat(filepath.Join(dir, "tiny_latency", f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if !strings.Contains(stdout.String(), "Forward latency, size r = 2") {
		t.Errorf("stdout lacks the table:\n%s", stdout.String())
	}
	stdout.Reset()
	if err := run(context.Background(), []string{"--dry-run", path}, &stdout, io.Discard); err != nil ||
		!strings.Contains(stdout.String(), "latency study tiny_latency") {
		t.Errorf("dry run: %v\n%s", err, stdout.String())
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(tinyLatencyStudy, "reps: 1", "reps: 0", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "bad.yaml:7:7: reps") {
		t.Errorf("a bad study: err %v, want one at bad.yaml:7:7", err)
	}
}
