package experiments

import (
	"path/filepath"
	"testing"
)

// TestShippedSweepsLoad loads every sweep file shipped in this folder against the built-in
// tasks and checks it expands to runs with distinct ids.
func TestShippedSweepsLoad(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("sweep files: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			sw, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := sw.Expand()
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, r := range runs {
				ids[r.ID] = true
			}
			if len(runs) == 0 || len(ids) != len(runs) {
				t.Errorf("%d runs, %d distinct ids", len(runs), len(ids))
			}
			t.Logf("%s: %d runs", sw.Name, len(runs))
		})
	}
}
