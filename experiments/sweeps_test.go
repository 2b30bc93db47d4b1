package experiments

import (
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestShippedSweepsLoad loads every sweep file shipped in this folder against the built-in
// tasks and checks it expands to runs with distinct ids. Files with a top-level study: key
// describe other studies (the latency study of package bench, which tests them) and are
// left out here.
func TestShippedSweepsLoad(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var sweeps []string
	for _, f := range files {
		if studyKey(t, f) == "" {
			sweeps = append(sweeps, f)
		}
	}
	if len(sweeps) < 2 {
		t.Fatalf("sweep files %v among %v: want at least 2", sweeps, files)
	}
	for _, f := range sweeps {
		t.Run(f, func(t *testing.T) {
			path := f
			if from := modelFrom(t, f); from != "" {
				// model.from is relative to the working directory: the repository's root, where
				// the README's commands run.
				t.Chdir("..")
				path = filepath.Join("experiments", f)
				if _, err := os.Stat(from); err != nil {
					t.Skipf("%s reads the model folder %s, which is not here (yet): %v", f, from, err)
				}
			}
			sw, err := Load(path)
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

// studyKey returns the top-level study: value of the YAML file at path ("" for a sweep).
func studyKey(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Study string `yaml:"study"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return head.Study
}

// modelFrom returns the model.from folder of the sweep file at path ("" when it pretrains).
func modelFrom(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Model struct {
			From string `yaml:"from"`
		} `yaml:"model"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return head.Model.From
}
