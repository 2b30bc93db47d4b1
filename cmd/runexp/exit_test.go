package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// failingSweep is a sweep of two tiny runs on a random base: LoRA trains, BitFit at a
// learning rate of 1e30 reaches a NaN loss at its second step and fails.
const failingSweep = `name: failing
model:
  arch: encoder
  vocab: 300
  d_model: 16
  layers: 1
  heads: 2
  d_ff: 32
  max_len: 32
  pretraining: {corpus: embedded-corpus, steps: 0}
data: {max_train: 32, max_validation: 16, max_test: 16}
tasks: [embedded-cls]
train: {steps: 3, batch: 4, lr: {default: 1e-3, bitfit: %s}, seq_len: 16, max_grad_norm: 0, warmup: 0}
methods:
  - {name: lora, rank: 2}
  - {name: bitfit}
seeds: [1]
threads: 1
`

// writeSweep writes a sweep file with BitFit's learning rate lr and returns its path.
func writeSweep(t *testing.T, lr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "failing.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(failingSweep, lr)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runMain runs the command line as main does and returns the exit status and stderr.
func runMain(ctx context.Context, t *testing.T, args ...string) (int, string) {
	t.Helper()
	var o, e bytes.Buffer
	code := mainCode(ctx, args, &o, &e)
	return code, e.String()
}

// TestExitStatusFailedRuns runs a sweep with a failing run twice: both times the status is 2,
// and the second run says it skipped the failed run and names --retry-failed. The flags come
// after the sweep file.
func TestExitStatusFailedRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny runs")
	}
	sweep := writeSweep(t, "1e30")
	out := t.TempDir()
	cache := filepath.Join(t.TempDir(), "cache")
	code, stderr := runMain(context.Background(), t, sweep, "--out", out, "--cache", cache, "--no-report")
	if code != exitFailed || !strings.Contains(stderr, "1 done, 1 failed, 2 ran now") {
		t.Fatalf("first invocation: exit %d, want %d; stderr:\n%s", code, exitFailed, stderr)
	}
	code, stderr = runMain(context.Background(), t, "--out", out, sweep, "--cache", cache, "--no-report")
	if code != exitFailed {
		t.Errorf("second invocation: exit %d, want %d; stderr:\n%s", code, exitFailed, stderr)
	}
	for _, want := range []string{"1 done, 1 failed, 0 ran now", "1 failed runs of an earlier invocation were skipped", "--retry-failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("second invocation's stderr lacks %q:\n%s", want, stderr)
		}
	}
	// With a sane learning rate the run's id changes and both runs are done: exit 0.
	code, stderr = runMain(context.Background(), t, writeSweep(t, "1e-3"), "--out", out, "--cache", cache, "--no-report")
	if code != exitOK {
		t.Errorf("all done: exit %d, want 0; stderr:\n%s", code, stderr)
	}
}

// TestExitStatusInterrupted cancels the command's context as main's signal handler does and
// checks 128 + the signal's number.
func TestExitStatusInterrupted(t *testing.T) {
	sweep := writeSweep(t, "1e-3")
	for _, c := range []struct {
		sig  syscall.Signal
		want int
		name string
	}{{syscall.SIGINT, 130, "SIGINT (Ctrl-C)"}, {syscall.SIGTERM, 143, "SIGTERM"}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(signalCause{c.sig})
		code, stderr := runMain(ctx, t, "--out", t.TempDir(), "--cache", t.TempDir(), sweep)
		if code != c.want || !strings.Contains(stderr, "interrupted by "+c.name+": the finished runs are kept") {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", c.sig, code, c.want, stderr)
		}
	}
}

// TestExitStatusUsage checks that usage and sweep-file errors exit 1 and help exits 0.
func TestExitStatusUsage(t *testing.T) {
	sweep := writeSweep(t, "1e-3")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nmodle: {}\n"), 0o644)
	cases := []struct {
		args       []string
		want       int
		wantStderr string
	}{
		{[]string{"frobnicate"}, exitError, `unknown command "frobnicate"`},
		{[]string{"--jobs", "-1", sweep}, exitError, "--jobs -1: want at least 1"},
		{[]string{sweep, "--threads", "-2"}, exitError, "--threads -2: want 0"},
		{[]string{sweep, "--shards", "-2"}, exitError, "--shards -2"},
		{[]string{sweep, "extra.yaml"}, exitError, "want one sweep file, got 2 arguments"},
		{[]string{bad}, exitError, "bad.yaml:2:1"},
		{[]string{"-h", sweep}, exitOK, "-retry-failed"},
		{[]string{"--help"}, exitOK, ""},
	}
	for _, c := range cases {
		code, stderr := runMain(context.Background(), t, c.args...)
		if code != c.want || !strings.Contains(stderr, c.wantStderr) {
			t.Errorf("%v: exit %d, want %d; stderr %q lacks %q", c.args, code, c.want, stderr, c.wantStderr)
		}
	}
}

// TestFlagsAfterSweepFile checks that a dry run takes its flags from either side of the file.
func TestFlagsAfterSweepFile(t *testing.T) {
	sweep := writeSweep(t, "1e-3")
	for _, args := range [][]string{{"--dry-run", "--shard", "1/2", sweep}, {sweep, "--dry-run", "--shard", "1/2"}, {"--shard", "1/2", sweep, "--dry-run"}} {
		code, stderr := runMain(context.Background(), t, args...)
		if code != exitOK {
			t.Errorf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
	}
}

// TestHelpDocumentsExitStatus checks that `runexp --help` states every exit status.
func TestHelpDocumentsExitStatus(t *testing.T) {
	out, _, _ := runCLI(t, "--help")
	for _, want := range []string{"Exit status:", "\n  0 ", "\n  1 ", "\n  2 ", "130", "143", "--retry-failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

// TestAnalysisErrorsAtTheirLines checks that a wrong table metric and a wrong plot name are
// reported at their own lines of the sweep file, both at once.
func TestAnalysisErrorsAtTheirLines(t *testing.T) {
	path := writeSweep(t, "1e-3")
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("analysis:\n  table: {metric: acc}\n  plots: [params, pie]\n")
	f.Close()
	lines := strings.Count(fmt.Sprintf(failingSweep, "1e-3"), "\n")
	_, _, err := runCLI(t, "--dry-run", path)
	for _, want := range []string{
		fmt.Sprintf("failing.yaml:%d:19: analysis.table.metric \"acc\": unknown metric", lines+2),
		fmt.Sprintf("failing.yaml:%d:19: analysis.plots[1]: unknown plot \"pie\"", lines+3),
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// TestBinaryExitsOnSIGTERM builds runexp, starts a sweep whose pretraining would take long,
// sends SIGTERM once the first run has started and checks the exit status 143.
func TestBinaryExitsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "runexp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	text := strings.Replace(fmt.Sprintf(failingSweep, "1e-3"), "steps: 0}", "steps: 1000000}", 1)
	sweep := filepath.Join(t.TempDir(), "long.yaml")
	os.WriteFile(sweep, []byte(text), 0o644)
	cmd := exec.Command(bin, sweep, "--out", t.TempDir(), "--cache", t.TempDir(), "--no-report")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var log []string
	for sc.Scan() {
		log = append(log, sc.Text())
		if strings.Contains(sc.Text(), "] start ") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		log = append(log, sc.Text())
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 143 {
		t.Fatalf("exit %v, want status 143; stderr:\n%s", err, strings.Join(log, "\n"))
	}
	if !strings.Contains(strings.Join(log, "\n"), "interrupted by SIGTERM") {
		t.Errorf("stderr does not say SIGTERM stopped it:\n%s", strings.Join(log, "\n"))
	}
}
