package datasets

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReadE2E reads one CSV file of the E2E NLG challenge: a header naming an "mr" column and,
// except in the unreferenced test set, a "ref" column (any letter case), then quoted rows.
// Rows that share an MR become one example whose Refs keep the file's order; examples come
// in the order of each MR's first row. Each MR is its own group.
func ReadE2E(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("E2E: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: want a header with mr and ref columns: %w", path, err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff")))
	}
	mrCol, refCol := slices.Index(header, "mr"), slices.Index(header, "ref")
	if mrCol < 0 {
		return nil, fmt.Errorf("%s:1: want a header with columns mr and ref, found %q", path, header)
	}
	var out []Example
	index := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err) // csv.ParseError carries the line
		}
		line, _ := r.FieldPos(0)
		mr := strings.TrimSpace(rec[mrCol])
		if err := checkMR(mr); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		i, seen := index[mr]
		if !seen {
			i = len(out)
			index[mr] = i
			out = append(out, Example{Source: mr, Group: mr})
		}
		if refCol >= 0 {
			ref := strings.TrimSpace(rec[refCol])
			if ref == "" {
				return nil, fmt.Errorf("%s:%d: want a reference text in column ref, found an empty field", path, line)
			}
			out[i].Refs = append(out[i].Refs, ref)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", path)
	}
	return out, nil
}

// checkMR verifies the E2E meaning-representation syntax: comma-separated attribute[value]
// pairs.
func checkMR(mr string) error {
	if mr == "" {
		return fmt.Errorf("want a meaning representation in column mr, found an empty field")
	}
	for _, part := range strings.Split(mr, ",") {
		part = strings.TrimSpace(part)
		open := strings.IndexByte(part, '[')
		if open <= 0 || !strings.HasSuffix(part, "]") {
			return fmt.Errorf("meaning representation %q: want attribute[value], found %q", mr, part)
		}
	}
	return nil
}

// LoadE2E reads the E2E NLG challenge from its folder: trainset.csv, devset.csv and
// testset_w_refs.csv (or, failing that, the unreferenced testset.csv).
func LoadE2E(dir string) (*Task, error) {
	t := &Task{
		Name: "e2e", Description: "E2E NLG challenge from " + dir, Kind: Generation,
		MainMetric: MetricBLEU, Metrics: []string{MetricBLEU, MetricNIST, MetricMETEOR, MetricROUGEL, MetricCIDEr},
	}
	var err error
	if t.Train, err = ReadE2E(filepath.Join(dir, "trainset.csv")); err != nil {
		return nil, err
	}
	if t.Validation, err = ReadE2E(filepath.Join(dir, "devset.csv")); err != nil {
		return nil, err
	}
	test := filepath.Join(dir, "testset_w_refs.csv")
	if _, err := os.Stat(test); err != nil {
		test = filepath.Join(dir, "testset.csv")
	}
	if t.Test, err = ReadE2E(test); err != nil {
		return nil, err
	}
	return t, t.Validate()
}
