package experiments

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"

	"loralab/datasets"
	"loralab/experiments/record"
)

// searchKey identifies the learning-rate search a run belongs to: its resolved config
// without the learning rate and the seed.
func (r RunSpec) searchKey() string {
	id := identity{identitySchema, r.Model, r.Pretrain, r.Data, r.Task, r.Train, r.Method, 0}
	id.Train.LR = 0
	return hashJSON(id)
}

// phases is the plan of a sweep under LRFirstSeed. The first phase is every run of the
// settings with one learning rate, and the first seed of every search at every rate; the
// second phase of a search, its other seeds at the rate ChooseLR picks from the first
// phase's validation metric, is known once every first-phase run of the search has ended.
// Both phases are drawn from the sweep's full expansion, so every run keeps its id and
// index: a resumed or sharded sweep finds the same runs.
type phases struct {
	first    []RunSpec
	searches [][]RunSpec // the full grid of each search, in sweep order
	seed     int         // the first seed
}

// lrPhases splits the expanded runs into phases; nil when the sweep runs its grid whole.
func (s *Sweep) lrPhases(runs []RunSpec) *phases {
	if s.LRTuning != LRFirstSeed || len(s.Seeds) < 2 {
		return nil
	}
	ph := &phases{seed: s.Seeds[0]}
	index := map[string]int{}
	var groups [][]RunSpec
	for _, r := range runs {
		k := r.searchKey()
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	for _, g := range groups {
		lrs := map[float64]bool{}
		for _, r := range g {
			lrs[r.Train.LR] = true
		}
		if len(lrs) == 1 {
			ph.first = append(ph.first, g...)
			continue
		}
		ph.searches = append(ph.searches, g)
		for _, r := range g {
			if r.Seed == ph.seed {
				ph.first = append(ph.first, r)
			}
		}
	}
	sortByIndex(ph.first)
	return ph
}

// total is the number of runs the sweep will have run when every search is decided.
func (ph *phases) total(seeds int) int { return len(ph.first) + len(ph.searches)*(seeds-1) }

// planned returns the runs known so far given the results in the sweep folder dir: the
// first phase and the second phase of every decided search, in sweep order; and the number
// of searches whose first phase has not ended. The second-phase runs that plan.json already
// lists are kept even when this worker cannot decide their search yet, so that workers of a
// sharded sweep never take runs out of each other's plan.
func (ph *phases) planned(dir string) (runs []RunSpec, waiting int) {
	listed := plannedIDs(dir)
	runs = slices.Clone(ph.first)
	for _, g := range ph.searches {
		second, ok := ph.second(dir, g)
		if !ok {
			waiting++
			second = slices.DeleteFunc(slices.Clone(g), func(r RunSpec) bool { return r.Seed == ph.seed || !listed[r.ID] })
		}
		runs = append(runs, second...)
	}
	sortByIndex(runs)
	return runs, waiting
}

// plannedIDs are the run ids of the plan.json in dir, if there is one.
func plannedIDs(dir string) map[string]bool {
	ids := map[string]bool{}
	data, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		return ids
	}
	var p Plan
	if json.Unmarshal(data, &p) == nil {
		for _, it := range p.Runs {
			ids[it.ID] = true
		}
	}
	return ids
}

// second is the second phase of one search: its other seeds at the chosen rate, none when
// every rate failed. ok is false while a first-phase run has not ended.
func (ph *phases) second(dir string, grid []RunSpec) ([]RunSpec, bool) {
	var trials []Trial
	higher := true
	for _, r := range grid {
		if r.Seed != ph.seed {
			continue
		}
		res, err := record.ReadResult(runDir(dir, r.ID))
		if err != nil || (res.Status != record.StatusDone && res.Status != record.StatusFailed) {
			return nil, false
		}
		v, has := res.Main("validation")
		_, collapsed := res.Collapsed("validation")
		trials = append(trials, Trial{LR: r.Train.LR, Seed: r.Seed, Value: v, Failed: res.Status != record.StatusDone || !has, Collapsed: collapsed})
		if res.MainMetric != "" {
			higher = datasets.HigherIsBetter(res.MainMetric)
		}
	}
	lr, _, ok := ChooseLR(trials, higher)
	if !ok {
		return nil, true
	}
	var out []RunSpec
	for _, r := range grid {
		if r.Seed != ph.seed && r.Train.LR == lr {
			out = append(out, r)
		}
	}
	return out, true
}

func sortByIndex(runs []RunSpec) {
	slices.SortFunc(runs, func(a, b RunSpec) int { return a.Index - b.Index })
}

// PlannedRuns is the number of runs the sweep will have run when it is done: the whole
// expansion runs, or, under lr_tuning: first_seed, the first phase and each search's
// remaining seeds at its chosen rate.
func (s *Sweep) PlannedRuns(runs []RunSpec) int {
	if ph := s.lrPhases(runs); ph != nil {
		return ph.total(len(s.Seeds))
	}
	return len(runs)
}
