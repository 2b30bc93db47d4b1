package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, &o, &e)
	return o.String(), e.String(), err
}

func TestUsageAndErrors(t *testing.T) {
	cases := []struct {
		args    []string
		wantOut string // in stdout
		wantErr string // in the error ("" = no error)
	}{
		{nil, "Usage:", ""},
		{[]string{"-h"}, "runexp report DIR", ""},
		{[]string{"frobnicate"}, "", `unknown command "frobnicate"`},
		{[]string{"lm-score", "--model", "x"}, "", "exactly one of --ids and --text"},
		{[]string{"lm-score", "--model", "x", "--ids", "1,-2"}, "", `--ids item 2 is "-2"`},
		{[]string{"data"}, "", "want a subcommand"},
		{[]string{"data", "show"}, "", "want one task name (see runexp data list), got 0 arguments"},
		{[]string{"data", "show", "a", "b"}, "", "got 2 arguments"},
		{[]string{"report"}, "", "report: want one sweep folder, got 0 arguments"},
		{[]string{"status", "a", "b"}, "", "status: want one sweep folder, got 2 arguments"},
		{[]string{"data", "show", "no-such-task"}, "", "no-such-task"},
		{[]string{"data", "frob"}, "", `unknown subcommand "frob"`},
		{[]string{"bench"}, "", "want a subcommand"},
		{[]string{"bench", "train", "--method", "lora", "--rank", "0", "--d", "16", "--layers", "1", "--heads", "2", "--vocab", "20"}, "", "rank 0 out of range"},
		{[]string{"bench", "latency", "-r", "x"}, "", `-r item "x"`},
		{[]string{"bench", "latency", "--threads", "-1"}, "", "bench latency: --threads -1: want at least 1"},
		{[]string{"bench", "train", "--threads", "0"}, "", "bench train: --threads 0: want at least 1"},
		{[]string{"status", "/no/such/dir"}, "", "not a sweep folder"},
		{[]string{"missing.yaml"}, "", "missing.yaml"},
	}
	for _, c := range cases {
		out, _, err := runCLI(t, c.args...)
		if c.wantErr == "" && err != nil {
			t.Errorf("%v: unexpected error %v", c.args, err)
		}
		if c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%v: error %v, want it to contain %q", c.args, err, c.wantErr)
		}
		if !strings.Contains(out, c.wantOut) {
			t.Errorf("%v: stdout %q lacks %q", c.args, out, c.wantOut)
		}
	}
}

func TestBadSweepFileNamesLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("name: bad\nversion: 1\nmodle: {}\n"), 0o644)
	_, _, err := runCLI(t, path)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:3") {
		t.Fatalf("error %v, want it to point at bad.yaml:3", err)
	}
}

func TestBenchTrainJSON(t *testing.T) {
	out, _, err := runCLI(t, "bench", "train", "--d", "16", "--layers", "1", "--heads", "2", "--vocab", "40",
		"--seq", "8", "--batch", "2", "--steps", "1", "--warmup", "0", "--threads", "1", "--method", "lora", "--rank", "2")
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not one JSON line: %q: %v", out, err)
	}
	for _, k := range []string{"tokens_per_s", "trainable_params", "total_params", "peak_rss_bytes"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON lacks %q: %v", k, res)
		}
	}
	// LoRA r=2 on q,v of one block of width 16: 2 matrices x 2 x (16+16) = 128.
	if res["trainable_params"].(float64) != 128 {
		t.Errorf("trainable_params %v, want 128", res["trainable_params"])
	}
}

// TestParseIDs feeds --ids good and bad lists and checks the ids or the error's words.
func TestParseIDs(t *testing.T) {
	cases := []struct {
		in      string
		want    []int32
		wantErr string
	}{
		{"464, 3290,318", []int32{464, 3290, 318}, ""},
		{"7", []int32{7}, ""},
		{"", nil, `--ids item 1 is "", want a non-negative integer`},
		{"1,,2", nil, `--ids item 2 is "", want a non-negative integer`},
		{"1,a", nil, `--ids item 2 is "a"`},
		{"-3", nil, `--ids item 1 is "-3"`},
		{"99999999999", nil, `--ids item 1 is "99999999999"`},
	}
	for _, c := range cases {
		ids, err := parseIDs(c.in)
		switch {
		case c.wantErr == "" && (err != nil || !slices.Equal(ids, c.want)):
			t.Errorf("parseIDs(%q) = %v, %v; want %v", c.in, ids, err, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("parseIDs(%q): error %v, want one containing %q", c.in, err, c.wantErr)
		}
	}
}

func TestParseMemAvailable(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"MemTotal:       16000 kB\nMemFree:  100 kB\nMemAvailable:    2048 kB\n", 2048 * 1024},
		{"MemTotal:       16000 kB\n", 0},
		{"MemAvailable:    lots kB\n", 0},
		{"MemAvailable:    2048 MB\n", 0},
		{"MemAvailable: -5 kB\n", 0},
	} {
		if got := parseMemAvailable(bufio.NewScanner(strings.NewReader(c.in))); got != c.want {
			t.Errorf("%q: %d, want %d", c.in, got, c.want)
		}
	}
}
