package analysis

import (
	"fmt"
	"slices"
)

// MetricTableSpec asks for a table of one task under several metrics, one column each: the
// paper's Table 3 (BLEU, NIST, METEOR, ROUGE-L, CIDEr on E2E), written as
// tables/<name>.{md,csv,tex} so that no results table is typed by hand.
type MetricTableSpec struct {
	Name    string   `yaml:"name" json:"name"` // the file name, letters, digits, '-' and '_'
	Task    string   `yaml:"task" json:"task"`
	Metrics []string `yaml:"metrics" json:"metrics"`
	Split   string   `yaml:"split,omitempty" json:"split,omitempty"` // "" = test
}

// metricTableProblems checks the tables: entries, each message starting with its path.
func (s Spec) metricTableProblems() []string {
	var errs []string
	names := map[string]bool{}
	for i, mt := range s.Tables {
		at := fmt.Sprintf("tables[%d]", i)
		switch {
		case mt.Name == "" || slug(mt.Name) != mt.Name:
			errs = append(errs, fmt.Sprintf("%s.name: %q, want a file name of lower-case letters, digits and '-'", at, mt.Name))
		case names[mt.Name] || mt.Name == "main":
			errs = append(errs, fmt.Sprintf("%s.name: %q is taken, want a name of its own", at, mt.Name))
		}
		names[mt.Name] = true
		if mt.Task == "" {
			errs = append(errs, fmt.Sprintf("%s.task: missing, want the task whose metrics the table shows", at))
		}
		if len(mt.Metrics) == 0 {
			errs = append(errs, fmt.Sprintf("%s.metrics: empty, want the metrics to show, e.g. [bleu, nist]", at))
		}
		for j, m := range mt.Metrics {
			if slices.Contains(mt.Metrics[:j], m) {
				errs = append(errs, fmt.Sprintf("%s.metrics[%d]: %q repeated", at, j, m))
			}
		}
		if sp := mt.Split; sp != "" && sp != "test" && sp != "validation" && sp != "train" {
			errs = append(errs, fmt.Sprintf("%s.split: %q, want test, validation or train", at, sp))
		}
	}
	return errs
}

// split is the table's split with its default.
func (mt MetricTableSpec) split() string { return TableSpec{Split: mt.Split}.split() }
