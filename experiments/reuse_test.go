package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/experiments/record"
)

// TestRunReusesOtherSweepsRuns runs a sweep, then a second sweep under the same results root
// that shares 8 of its 12 runs: those are adopted (files, measurements and provenance of the
// first sweep's runs, the second sweep's labels), only the 4 new ones train. A failed run is
// never adopted, and NoReuse trains everything.
func TestRunReusesOtherSweepsRuns(t *testing.T) {
	out := t.TempDir()
	first := parseTest(t, baseSweep)
	exec := newFake()
	sumT, err := Run(context.Background(), first, runOpts(out), exec)
	if err != nil || sumT.Ran != 12 {
		t.Fatalf("first sweep: %+v, %v", sumT, err)
	}
	firstRuns, _ := first.Expand()
	trained := map[string]bool{}
	for _, run := range firstRuns {
		trained[run.ID] = true
		// A file the executor would write beside the results (a checkpoint).
		if err := os.WriteFile(filepath.Join(runDir(sumT.Dir, run.ID), "checkpoint.safetensors"), []byte("weights of "+run.ID), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// One of the first sweep's runs failed: the second sweep must train it itself.
	failedID := firstRuns[0].ID
	failed, _ := record.ReadResult(runDir(sumT.Dir, failedID))
	failed.Status, failed.Reason = record.StatusFailed, "out of data"
	if err := record.WriteJSON(filepath.Join(runDir(sumT.Dir, failedID), record.ResultFile), failed); err != nil {
		t.Fatal(err)
	}

	second := parseTest(t, strings.Replace(strings.Replace(baseSweep, "name: t", "name: u", 1), "rank: [2, 4]", "rank: [2, 8]", 1))
	exec2 := newFake()
	var progress bytes.Buffer
	opts := runOpts(out)
	opts.Progress = &progress
	sumU, err := Run(context.Background(), second, opts, exec2)
	if err != nil {
		t.Fatal(err)
	}
	if sumU.Total != 12 || sumU.Done != 12 || sumU.Reused != 7 || sumU.Ran != 5 {
		t.Errorf("second sweep: %+v, want 12 done: 7 reused, 5 ran (4 new, 1 failed in the first)", sumU)
	}
	secondRuns, _ := second.Expand()
	for _, run := range secondRuns {
		dir := runDir(sumU.Dir, run.ID)
		res, err := record.ReadResult(dir)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sweep != "u" || res.Setting != run.Method.Label() || res.Status != record.StatusDone {
			t.Errorf("%s: labels %q %q %q", run.Label(), res.Sweep, res.Setting, res.Status)
		}
		var cfg RunSpec
		if data, err := os.ReadFile(filepath.Join(dir, record.ConfigFile)); err != nil || json.Unmarshal(data, &cfg) != nil || cfg.Sweep != "u" {
			t.Errorf("%s: config.json names sweep %q (%v)", run.Label(), cfg.Sweep, err)
		}
		adopt := trained[run.ID] && run.ID != failedID
		if got := exec2.callCount()[run.ID]; (got == 0) != adopt {
			t.Errorf("%s: trained %d times, adopted %v", run.Label(), got, adopt)
		}
		if !adopt {
			if res.ReusedFrom != "" {
				t.Errorf("%s: trained here but reused_from %q", run.Label(), res.ReusedFrom)
			}
			continue
		}
		src := runDir(sumT.Dir, run.ID)
		orig, _ := record.ReadResult(src)
		if res.ReusedFrom != src || res.Provenance != orig.Provenance || res.Metrics["test"]["accuracy"] != orig.Metrics["test"]["accuracy"] || res.RunID != orig.RunID {
			t.Errorf("%s: adopted result %+v, from %+v", run.Label(), res, orig)
		}
		for _, name := range []string{record.MetricsFile, "checkpoint.safetensors"} {
			a, errA := os.ReadFile(filepath.Join(src, name))
			b, errB := os.ReadFile(filepath.Join(dir, name))
			if errA != nil || errB != nil || !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs from its source (%v, %v)", run.Label(), name, errA, errB)
			}
		}
	}
	if !strings.Contains(progress.String(), "reused from "+sumT.Dir) {
		t.Errorf("progress does not say what was reused:\n%s", progress.String())
	}

	// A third sweep adopts from the second's adopted runs too, keeping the folder that trained them.
	third := parseTest(t, strings.Replace(baseSweep, "name: t", "name: w", 1))
	os.RemoveAll(sumT.Dir)
	sumW, err := Run(context.Background(), third, runOpts(out), newFake())
	if err != nil || sumW.Reused != 8 || sumW.Ran != 4 {
		t.Errorf("third sweep: %+v, %v; want 8 reused (from u), 4 ran", sumW, err)
	}

	noReuse := runOpts(out)
	noReuse.NoReuse = true
	fourth := parseTest(t, strings.Replace(baseSweep, "name: t", "name: x", 1))
	exec4 := newFake()
	sumX, err := Run(context.Background(), fourth, noReuse, exec4)
	if err != nil || sumX.Reused != 0 || sumX.Ran != 12 {
		t.Errorf("NoReuse sweep: %+v, %v; want all 12 trained", sumX, err)
	}
}
