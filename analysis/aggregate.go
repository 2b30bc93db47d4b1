package analysis

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/stat"

	"loralab/experiments/record"
	"loralab/method"
)

// Group is one method setting on one task, aggregated over its seeds.
type Group struct {
	Method  string
	Setting string
	Spec    method.Spec // the setting, as far as the results record it
	Task    string
	Metric  string // the metric aggregated
	Split   string

	Seeds  []int     // seeds of the runs that reported the metric, ascending
	Values []float64 // the metric of each seed, in the order of Seeds
	Mean   float64
	Std    float64 // sample standard deviation (n-1); 0 for a single seed
	// Unreported are seeds of done runs that have no value for the metric on the split.
	Unreported []int

	TrainableParams    int // actual trainable tensors, as the runs report them
	PaperFormulaParams int // by the paper's formula
	HeadParams         int
}

// N is the number of seeds aggregated.
func (g Group) N() int { return len(g.Values) }

// Summary is the aggregation of a sweep's results.
type Summary struct {
	Split  string
	Groups []Group         // sorted by task, then in the paper's method order, then setting
	Failed []record.Result // failed runs, apart, sorted by setting, task, seed
}

// Aggregate groups the done results by (Setting, Task) and reduces each group's metric on
// split to mean ± sample standard deviation over seeds. metric "" takes each run's main
// metric. Failed runs are listed apart and never enter a mean.
func Aggregate(results []record.Result, split, metric string) Summary {
	type key struct{ setting, task string }
	byKey := map[key][]record.Result{}
	var keys []key
	s := Summary{Split: split}
	for _, r := range results {
		if r.Status == record.StatusFailed {
			s.Failed = append(s.Failed, r)
			continue
		}
		if r.Status != record.StatusDone {
			continue
		}
		k := key{r.Setting, r.Task}
		if _, seen := byKey[k]; !seen {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	for _, k := range keys {
		s.Groups = append(s.Groups, aggregateGroup(byKey[k], split, metric))
	}
	slices.SortFunc(s.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(a.Task, b.Task), compareSettings(a.Spec, a.Setting, b.Spec, b.Setting))
	})
	slices.SortFunc(s.Failed, func(a, b record.Result) int {
		return cmp.Or(cmp.Compare(a.Setting, b.Setting), cmp.Compare(a.Task, b.Task), cmp.Compare(a.Seed, b.Seed))
	})
	return s
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
		Metric: metric, Split: split,
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
