package analysis

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/stat"

	"loralab/experiments"
	"loralab/experiments/record"
	"loralab/method"
)

// Group is one method setting on one task, aggregated over its seeds.
type Group struct {
	Method  string
	Setting string
	Spec    method.Spec // the setting, as far as the results record it
	Task    string
	// Base is the model folder the runs started from (a sweep on the base axis has
	// several); the zero BaseFolder for a pretrained base.
	Base   experiments.BaseFolder
	Metric string // the metric aggregated
	Split  string

	Seeds  []int     // seeds of the runs that reported the metric, ascending
	Values []float64 // the metric of each seed, in the order of Seeds
	Mean   float64
	Std    float64 // sample standard deviation (n-1); 0 for a single seed
	// Unreported are seeds of done runs that have no value for the metric on the split.
	Unreported []int

	TrainableParams    int // actual trainable tensors, as the runs report them
	PaperFormulaParams int // by the paper's formula
	HeadParams         int

	// LR is the learning rate of the runs (0 when their config does not say). When the
	// sweep searched several for this setting and task, LRs lists them, ascending, and LR is
	// the one experiments.ChooseLR picked from the validation metric.
	LR  float64
	LRs []float64
	// Collapsed are the seeds whose run predicted one class on Split (record.Result.Collapsed).
	Collapsed []int
}

// N is the number of seeds aggregated.
func (g Group) N() int { return len(g.Values) }

// Summary is the aggregation of a sweep's results.
type Summary struct {
	Split  string
	Groups []Group         // sorted by task, then in the paper's method order, then setting
	Failed []record.Result // failed runs, apart, sorted by setting, task, seed
	// Searches holds, for every setting and task that searched its learning rate, one group
	// per rate with the main metric on the validation split over the seeds every rate ran:
	// what the choice compared.
	Searches []Group
	// Unchosen are the searches ("setting on task", then " on base DIR" on the base axis)
	// where no rate could be chosen (every rate failed, or no validation metric); they have
	// no group in Groups.
	Unchosen []string
	// Chance maps a task to the metrics on Split of a model that ignores its input (the
	// majority class), as the runs recorded them; tasks without a record are absent.
	Chance map[string]map[string]float64
}

// Aggregate groups the done results by (Setting, Task, base folder, learning rate) and
// reduces each group's metric on split to mean ± sample standard deviation over seeds.
// metric "" takes each run's main metric. Failed runs are listed apart and never enter a
// mean. Where a setting ran several learning rates on a task and base, only the group at
// the rate with the best mean validation metric (experiments.ChooseLR) is kept in Groups;
// every rate is in Searches.
func Aggregate(results []record.Result, split, metric string) Summary {
	byKey := map[runKey][]record.Result{}
	var keys []runKey
	s := Summary{Split: split}
	for _, r := range results {
		if r.Status == record.StatusFailed {
			s.Failed = append(s.Failed, r)
		}
		if r.Status != record.StatusDone && r.Status != record.StatusFailed {
			continue
		}
		k := runKey{r.Setting, r.Task, baseOf(r).Dir, runLR(r)}
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	for _, sk := range searchesOf(keys) {
		s.addSearch(sk, byKey, split, metric)
	}
	s.Chance = chanceScores(results, split)
	slices.SortFunc(s.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(a.Task, b.Task), compareSettings(a.Spec, a.Setting, b.Spec, b.Setting), compareBases(a.Base, b.Base))
	})
	slices.SortFunc(s.Failed, func(a, b record.Result) int {
		return cmp.Or(cmp.Compare(a.Setting, b.Setting), cmp.Compare(a.Task, b.Task), cmp.Compare(a.Seed, b.Seed))
	})
	return s
}

// runKey is what Aggregate groups by.
type runKey struct {
	setting, task, base string
	lr                  float64
}

// searchesOf groups the keys by (setting, task, base), in order of first appearance: one
// group of keys per setting, task and base, several keys when it ran several learning rates.
func searchesOf(keys []runKey) [][]runKey {
	index := map[[3]string]int{}
	var out [][]runKey
	for _, k := range keys {
		sk := [3]string{k.setting, k.task, k.base}
		i, ok := index[sk]
		if !ok {
			i = len(out)
			index[sk] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], k)
	}
	return out
}

// addSearch adds the group of one setting and task: its only learning rate, or the chosen
// one of a search. Groups with no done run are left out.
func (s *Summary) addSearch(keys []runKey, byKey map[runKey][]record.Result, split, metric string) {
	if len(keys) == 1 {
		if done := doneRuns(byKey[keys[0]]); len(done) > 0 {
			g := aggregateGroup(done, split, metric)
			g.LR = keys[0].lr
			s.Groups = append(s.Groups, g)
		}
		return
	}
	var trials []experiments.Trial
	var lrs []float64
	higher := true
	for _, k := range keys {
		lrs = append(lrs, k.lr)
		for _, r := range byKey[k] {
			v, ok := r.Main("validation")
			_, collapsed := r.Collapsed("validation")
			trials = append(trials, experiments.Trial{LR: k.lr, Seed: r.Seed, Value: v, Failed: r.Status != record.StatusDone || !ok, Collapsed: collapsed})
			higher = !LowerIsBetter(r.MainMetric)
		}
	}
	slices.Sort(lrs)
	chosen, seeds, ok := experiments.ChooseLR(trials, higher)
	for _, k := range keys {
		done := doneRuns(byKey[k])
		if ok { // what the choice compared: the seeds every rate ran
			done = slices.DeleteFunc(done, func(r record.Result) bool { return !slices.Contains(seeds, r.Seed) })
		}
		if len(done) > 0 {
			g := aggregateGroup(done, "validation", "")
			g.LR, g.LRs = k.lr, lrs
			s.Searches = append(s.Searches, g)
		}
	}
	if !ok {
		s.Unchosen = append(s.Unchosen, keys[0].setting+" on "+keys[0].task+onBase(keys[0].base))
		return
	}
	g := aggregateGroup(doneRuns(byKey[runKey{keys[0].setting, keys[0].task, keys[0].base, chosen}]), split, metric)
	g.LR, g.LRs = chosen, lrs
	s.Groups = append(s.Groups, g)
}

// doneRuns keeps the runs whose status is done.
func doneRuns(runs []record.Result) []record.Result {
	return slices.DeleteFunc(slices.Clone(runs), func(r record.Result) bool { return r.Status != record.StatusDone })
}

// runLR is the learning rate of a run, from its resolved config (0 when it does not say).
func runLR(r record.Result) float64 {
	train, _ := r.Config["train"].(map[string]any)
	lr, _ := train["lr"].(float64)
	return lr
}

// chanceScores collects, per task, the chance scores on split of the first done run that
// recorded them.
func chanceScores(results []record.Result, split string) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for _, r := range results {
		if _, seen := out[r.Task]; seen || r.Status != record.StatusDone {
			continue
		}
		if ms, ok := r.Chance[split]; ok {
			out[r.Task] = ms
		}
	}
	return out
}

// aggregateGroup reduces the runs of one (setting, task); runs is not empty.
func aggregateGroup(runs []record.Result, split, metric string) Group {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b record.Result) int {
		return cmp.Or(cmp.Compare(a.Seed, b.Seed), cmp.Compare(a.RunID, b.RunID))
	})
	first := runs[0]
	g := Group{
		Method: first.Method, Setting: first.Setting, Spec: methodSpec(first), Task: first.Task,
		Base: baseOf(first), Metric: metric, Split: split,
		TrainableParams: first.TrainableParams, PaperFormulaParams: first.PaperFormulaParams,
		HeadParams: first.HeadParams,
	}
	if g.Metric == "" {
		g.Metric = first.MainMetric
	}
	for _, r := range runs {
		v, ok := r.Metrics[split][g.Metric]
		if !ok {
			g.Unreported = append(g.Unreported, r.Seed)
			continue
		}
		g.Seeds = append(g.Seeds, r.Seed)
		g.Values = append(g.Values, v)
		if _, collapsed := r.Collapsed(split); collapsed {
			g.Collapsed = append(g.Collapsed, r.Seed)
		}
	}
	switch len(g.Values) {
	case 0:
	case 1:
		g.Mean = g.Values[0]
	default:
		g.Mean, g.Std = stat.MeanStdDev(g.Values, nil)
	}
	return g
}
