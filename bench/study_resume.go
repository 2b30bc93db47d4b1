package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// resume loads the complete cells of an earlier run of the same study from the folder and
// returns them. The earlier run must have measured the same way (the estimator and comments
// may differ); a folder holding other measurements is an error rather than overwritten.
func (res *StudyResult) resume(s *LatencyStudy) (map[[2]int]bool, error) {
	done := map[[2]int]bool{}
	old, err := os.ReadFile(filepath.Join(res.Dir, StudyCopyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latency study: %w", err)
	}
	prev, err := ParseLatencyStudy(filepath.Join(res.Dir, StudyCopyFile), old)
	if err != nil {
		return nil, fmt.Errorf("latency study: the copy of the study in the results folder: %w", err)
	}
	if prev.measurementKey() != s.measurementKey() {
		return nil, fmt.Errorf("latency study: %s holds measurements of a different setup (model, grid, variants, passes or seed); remove the folder or rename the study", res.Dir)
	}
	rows, err := readStudyRows(filepath.Join(res.Dir, StudyResultFile))
	if err != nil {
		return nil, err
	}
	perCell := 1 + len(s.Sizes)*len(s.Variants)
	count := map[[2]int]int{}
	for _, r := range rows {
		count[[2]int{r.Batch, r.Seq}]++
	}
	for _, r := range rows {
		if c := [2]int{r.Batch, r.Seq}; count[c] == perCell {
			done[c] = true
			res.Rows = append(res.Rows, r)
		}
	}
	return done, nil
}

// readStudyRows reads a results.jsonl; a missing file has no rows.
func readStudyRows(path string) ([]LatencyRow, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latency study: %w", err)
	}
	var rows []LatencyRow
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r LatencyRow
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("latency study: %s:%d: want one JSON latency row per line: %w", path, i+1, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}
