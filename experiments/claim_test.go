package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loralab/experiments/record"
)

// writeClaim leaves a claim file as another worker would, with the given holder and age.
func writeClaim(t *testing.T, dir string, info claimInfo, age time.Duration) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(info)
	path := filepath.Join(dir, claimFile)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-age)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func TestClaimRun(t *testing.T) {
	host, _ := os.Hostname()
	tests := []struct {
		name     string
		holder   *claimInfo // nil: no claim file
		age      time.Duration
		wantTake bool
	}{
		{"free folder", nil, 0, true},
		{"fresh claim of a live process", &claimInfo{Host: host, PID: os.Getpid()}, 0, false},
		{"fresh claim of another host", &claimInfo{Host: "elsewhere", PID: 1}, 0, false},
		{"stale claim of another host", &claimInfo{Host: "elsewhere", PID: 1}, time.Hour, true},
		{"claim of a dead process here", &claimInfo{Host: host, PID: 1 << 30}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.holder != nil {
				writeClaim(t, dir, *tt.holder, tt.age)
			}
			c, err := claimRun(dir, time.Minute, time.Now())
			if got := err == nil; got != tt.wantTake {
				t.Fatalf("claim taken = %v (%v), want %v", got, err, tt.wantTake)
			}
			if err != nil {
				if !errors.Is(err, errClaimed) {
					t.Errorf("error %v is not errClaimed", err)
				}
				return
			}
			if _, err := claimRun(dir, time.Minute, time.Now()); !errors.Is(err, errClaimed) {
				t.Errorf("second claim: %v, want errClaimed", err)
			}
			if err := c.release(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, claimFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("claim file left after release: %v", err)
			}
		})
	}
}

// TestStatus builds a sweep folder by hand — done, failed, running, stale and missing runs —
// and checks what Status says and writes.
func TestStatus(t *testing.T) {
	sw := parseTest(t, baseSweep)
	runs, _ := sw.Expand()
	dir := filepath.Join(t.TempDir(), sw.Name)
	if err := writeSweepFolder(dir, sw, runs); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	put := func(i int, status, reason string) {
		d := runDir(dir, runs[i].ID)
		os.MkdirAll(d, 0o755)
		if err := record.WriteJSON(filepath.Join(d, record.ResultFile), record.Result{RunID: runs[i].ID, Status: status, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	put(0, record.StatusDone, "")
	put(1, record.StatusFailed, "out of data\nstack...")
	writeClaim(t, runDir(dir, runs[2].ID), claimInfo{Host: host, PID: os.Getpid(), Started: "now"}, 0)
	writeClaim(t, runDir(dir, runs[3].ID), claimInfo{Host: "gone", PID: 7}, time.Hour)

	st, err := Status(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{StateDone, StateFailed, StateRunning, StateMissing, StateMissing}
	for i, w := range want {
		if st.Runs[i].State != w {
			t.Errorf("run %d: state %s, want %s", i, st.Runs[i].State, w)
		}
	}
	if st.Done != 1 || st.Failed != 1 || st.Running != 1 || st.Missing != 9 {
		t.Errorf("counts %+v", st)
	}
	var out strings.Builder
	if err := st.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"1   " + runs[1].ID + "  failed   cls-a lora r=2 q,v seed=2  out of data\n",
		"12 runs: 1 done, 1 failed, 1 running, 9 missing\n",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("status output lacks %q:\n%s", line, out.String())
		}
	}
	if _, err := Status(t.TempDir()); err == nil {
		t.Error("Status of an empty folder: no error")
	}
}

// TestRunTakesOverStaleClaim checks that a run left claimed by a dead worker is run.
func TestRunTakesOverStaleClaim(t *testing.T) {
	sw := parseTest(t, baseSweep)
	runs, _ := sw.Expand()
	out := t.TempDir()
	writeClaim(t, runDir(filepath.Join(out, sw.Name), runs[0].ID), claimInfo{Host: "gone", PID: 7}, time.Hour)
	writeClaim(t, runDir(filepath.Join(out, sw.Name), runs[1].ID), claimInfo{Host: "busy", PID: 7}, 0)
	sum, err := Run(context.Background(), sw, runOpts(out), newFake())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Done != 11 || sum.Claimed != 1 {
		t.Errorf("summary %+v, want 11 done and 1 left to the live claim", sum)
	}
}
