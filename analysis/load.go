package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"loralab/experiments"
	"loralab/experiments/record"
	"loralab/internal/jsonpos"
)

// Run is one run folder of a sweep with its result.
type Run struct {
	Dir    string // the run folder, as found under the sweep folder
	Result record.Result
}

// Sweep is what LoadSweep found in a sweep folder.
type Sweep struct {
	Dir  string
	Runs []Run // every readable result.json, done or failed, sorted by run id then folder
	// Missing are run folders with a config.json but no result.json yet: runs not started,
	// still running or killed.
	Missing []string
	// Problems are run folders whose result.json could not be read, one error each.
	Problems []error
	// Stale are run folders that the sweep's plan.json no longer lists (the sweep file was
	// edited since they ran); they are left out of Runs and Missing.
	Stale []string
}

// Done returns the runs whose status is done.
func (s *Sweep) Done() []Run { return s.withStatus(record.StatusDone) }

// Failed returns the runs whose status is failed.
func (s *Sweep) Failed() []Run { return s.withStatus(record.StatusFailed) }

func (s *Sweep) withStatus(status string) []Run {
	var out []Run
	for _, r := range s.Runs {
		if r.Result.Status == status {
			out = append(out, r)
		}
	}
	return out
}

// Results returns the results of runs, in order.
func Results(runs []Run) []record.Result {
	out := make([]record.Result, len(runs))
	for i, r := range runs {
		out[i] = r.Result
	}
	return out
}

// skipDirs are the folders of a sweep that hold analysis output, never runs.
var skipDirs = map[string]bool{"tables": true, "figures": true}

// LoadSweep reads every run folder's result.json under dir, at any depth. Folders without
// a result.json are skipped (listed in Missing when they hold a config.json); a result.json
// that cannot be read or decoded is reported in Problems and the walk goes on. Only a
// missing or unreadable sweep folder is an error.
func LoadSweep(dir string) (*Sweep, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("analysis: sweep folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("analysis: sweep folder %s is not a directory", dir)
	}
	s := &Sweep{Dir: dir}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			s.Problems = append(s.Problems, fmt.Errorf("analysis: %w", err))
			return fs.SkipDir
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && skipDirs[d.Name()] {
			return fs.SkipDir
		}
		s.visit(path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("analysis: walk %s: %w", dir, err)
	}
	if err := s.dropUnplanned(); err != nil {
		return nil, err
	}
	slices.SortFunc(s.Runs, func(a, b Run) int {
		return cmp.Or(cmp.Compare(a.Result.RunID, b.Result.RunID), cmp.Compare(a.Dir, b.Dir))
	})
	return s, nil
}

// visit records the folder path as a run, a missing run, a problem, or nothing.
func (s *Sweep) visit(path string) {
	_, statErr := os.Stat(filepath.Join(path, record.ResultFile))
	switch {
	case statErr == nil:
		res, err := record.ReadResult(path)
		if err != nil {
			s.Problems = append(s.Problems, fmt.Errorf("analysis: unreadable run: %w", err))
			return
		}
		if res.Status != record.StatusDone && res.Status != record.StatusFailed {
			s.Problems = append(s.Problems, fmt.Errorf("analysis: %s: status %q, want %q or %q",
				filepath.Join(path, record.ResultFile), res.Status, record.StatusDone, record.StatusFailed))
			return
		}
		s.Runs = append(s.Runs, Run{Dir: path, Result: res})
	case errors.Is(statErr, fs.ErrNotExist):
		if _, err := os.Stat(filepath.Join(path, record.ConfigFile)); err == nil {
			s.Missing = append(s.Missing, path)
		}
	default:
		s.Problems = append(s.Problems, fmt.Errorf("analysis: %w", statErr))
	}
}

// dropUnplanned moves the runs that plan.json does not list into Stale. A folder without a
// plan.json (results copied by hand, tests) keeps every run.
func (s *Sweep) dropUnplanned() error {
	data, err := os.ReadFile(filepath.Join(s.Dir, experiments.PlanFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	var plan experiments.Plan
	if err := jsonpos.Unmarshal(data, &plan); err != nil {
		return fmt.Errorf("analysis: %s: %w", filepath.Join(s.Dir, experiments.PlanFile), err)
	}
	planned := map[string]bool{}
	for _, r := range plan.Runs {
		planned[r.ID] = true
	}
	runs := s.Runs[:0]
	for _, r := range s.Runs {
		if planned[filepath.Base(r.Dir)] {
			runs = append(runs, r)
		} else {
			s.Stale = append(s.Stale, r.Dir)
		}
	}
	s.Runs = runs
	missing := s.Missing[:0]
	for _, m := range s.Missing {
		if planned[filepath.Base(m)] {
			missing = append(missing, m)
		} else {
			s.Stale = append(s.Stale, m)
		}
	}
	s.Missing = missing
	return nil
}
