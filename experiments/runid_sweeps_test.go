package experiments

import (
	"encoding/json"
	"os"
	"testing"
)

// TestRunIDsPinned pins the run ids of shipped sweeps (copies in testdata/pinned, as they
// were when the ids were pinned): a new config field must leave the ids of existing sweeps
// unchanged (an omitted zero value), or every finished run of every results folder would be
// run again. The table3_decoder reference folder is an independent
// witness: its plan.json was written by the code that ran it.
func TestRunIDsOfShippedSweepsPinned(t *testing.T) {
	cases := []struct {
		file string
		at   map[int]string // run index -> id
	}{
		{"quick.yaml", map[int]string{0: "0d25be645159", 5: "940c4e5e9177", 11: "faa6ffc07015"}},
		{"table2_encoder.yaml", map[int]string{0: "dd9c6504ab16", 17: "3c0dee9e1f86", 63: "8dea01b0b0b3"}},
		{"table6_rank.yaml", map[int]string{0: "85948f233ec3"}},
	}
	for _, c := range cases {
		sw, err := Load("testdata/pinned/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := sw.Expand()
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range c.at {
			if i >= len(runs) {
				t.Errorf("%s: %d runs, want run %d", c.file, len(runs), i)
				continue
			}
			if runs[i].ID != want {
				t.Errorf("%s run %d (%s): id %s, want %s", c.file, i, runs[i].Label(), runs[i].ID, want)
			}
		}
	}
}

// TestRunIDsMatchReferencePlan expands the table3_decoder sweep copied into its reference
// folder and compares the id of every run plan.json lists with the one written when it ran. It runs from the
// repository root, where the sweep's model.from (models/decoder) resolves, as runexp does.
func TestRunIDsMatchReferencePlan(t *testing.T) {
	t.Chdir("..")
	const dir = "results/reference/table3_decoder/"
	sw, err := Load(dir + SweepFile)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(dir + PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	var plan Plan
	if err := json.Unmarshal(data, &plan); err != nil {
		t.Fatal(err)
	}
	// A two-phase sweep runs only part of its grid, so plan.json lists a subset: match by label.
	byLabel := make(map[string]string, len(runs))
	for _, r := range runs {
		byLabel[r.Label()] = r.ID
	}
	if len(plan.Runs) == 0 {
		t.Fatal("plan.json lists no runs")
	}
	for _, p := range plan.Runs {
		id, ok := byLabel[p.Label]
		switch {
		case !ok:
			t.Errorf("plan.json run %d (%s) is not in the expanded sweep", p.Index, p.Label)
		case id != p.ID:
			t.Errorf("run %d (%s): id %s, plan.json says %s", p.Index, p.Label, id, p.ID)
		}
	}
}
