package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loralab/experiments"
	"loralab/experiments/record"
)

func TestLoadSweep(t *testing.T) {
	dir := writeFixtureSweep(t)
	// Analysis output folders are never read as runs, even with a result.json inside.
	mustMkdir(t, filepath.Join(dir, "tables", "x"))
	writeJSON(t, filepath.Join(dir, "tables", "x", record.ResultFile), record.Result{Status: record.StatusDone})
	// A result with an unknown status is a problem, not a run.
	odd := filepath.Join(dir, "runs", "zz-odd")
	mustMkdir(t, odd)
	writeJSON(t, filepath.Join(odd, record.ResultFile), record.Result{RunID: "zz-odd", Status: "running"})

	s, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Done()) != 20 || len(s.Failed()) != 1 || len(s.Missing) != 1 || len(s.Problems) != 2 {
		t.Fatalf("done %d failed %d missing %d problems %v", len(s.Done()), len(s.Failed()), len(s.Missing), s.Problems)
	}
	problems := s.Problems[0].Error() + "\n" + s.Problems[1].Error()
	for _, want := range []string{"zz-broken/result.json", `zz-odd/result.json: status "running", want "done" or "failed"`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems lack %q:\n%s", want, problems)
		}
	}
	for i := 1; i < len(s.Runs); i++ {
		if s.Runs[i-1].Result.RunID > s.Runs[i].Result.RunID {
			t.Fatalf("runs not sorted by id: %s before %s", s.Runs[i-1].Result.RunID, s.Runs[i].Result.RunID)
		}
	}
}

func TestLoadSweepDropsRunsThePlanNoLongerLists(t *testing.T) {
	dir := writeFixtureSweep(t)
	all, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A plan listing the first two done runs and the missing one: the rest are stale.
	keep := []string{filepath.Base(all.Done()[0].Dir), filepath.Base(all.Done()[1].Dir), filepath.Base(all.Missing[0])}
	var plan experiments.Plan
	for _, id := range keep {
		plan.Runs = append(plan.Runs, experiments.PlanItem{ID: id})
	}
	writeJSON(t, filepath.Join(dir, experiments.PlanFile), plan)
	s, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Done()) != 2 || len(s.Failed()) != 0 || len(s.Missing) != 1 || len(s.Stale) != len(all.Runs)-2 {
		t.Fatalf("done %d failed %d missing %d stale %d (of %d runs)", len(s.Done()), len(s.Failed()), len(s.Missing), len(s.Stale), len(all.Runs))
	}
	os.WriteFile(filepath.Join(dir, experiments.PlanFile), []byte("{"), 0o644)
	if _, err := LoadSweep(dir); err == nil || !strings.Contains(err.Error(), experiments.PlanFile) {
		t.Fatalf("broken plan.json: error %v", err)
	}
}

func TestLoadSweepErrors(t *testing.T) {
	if _, err := LoadSweep(filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("absent folder: no error")
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := LoadSweep(file); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as folder: error %v", err)
	}
}
