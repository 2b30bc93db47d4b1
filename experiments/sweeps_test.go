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
// left out here. The files load from the repository root, as runexp runs them, so that
// their model folders (model: {from: ...}) resolve; a file whose folders are not in the
// repository yet (a base still pretraining) is skipped, naming them.
func TestShippedSweepsLoad(t *testing.T) {
	t.Chdir("..")
	files, err := filepath.Glob("experiments/*.yaml")
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
		t.Run(filepath.Base(f), func(t *testing.T) {
			if missing := missingBases(t, f); len(missing) > 0 {
				t.Skipf("model folders not in the repository yet: %v", missing)
			}
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

// missingBases lists the model folders that the sweep file at path reads (model.from, one
// or a list) and that do not exist.
func missingBases(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		Model struct {
			From yaml.Node `yaml:"from"`
		} `yaml:"model"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	dirs := []string{head.Model.From.Value}
	if head.Model.From.Kind == yaml.SequenceNode {
		if err := head.Model.From.Decode(&dirs); err != nil {
			t.Fatalf("%s: model.from: %v", path, err)
		}
	}
	var missing []string
	for _, d := range dirs {
		if _, err := os.Stat(d); d != "" && err != nil {
			missing = append(missing, d)
		}
	}
	return missing
}
