package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// RankSeries is the data of "metric vs rank" for one task: the settings of methods with a
// rank, one series per setting label without its rank (e.g. "lora q,v"), x the rank, y mean
// ± std over seeds.
func RankSeries(s Summary, task string) []Series {
	return seriesBy(s, task, func(g Group) (string, float64, bool) {
		if g.Spec.Rank < 1 {
			return "", 0, false
		}
		name := strings.Replace(g.Spec.Label(), fmt.Sprintf(" r=%d", g.Spec.Rank), "", 1)
		return name, float64(g.Spec.Rank), true
	})
}

// ParamsSeries is the data of "metric vs trainable parameters" for one task (the paper's
// Figure 2): one series per method, x the actual trainable parameter count, y mean ± std.
func ParamsSeries(s Summary, task string) []Series {
	series := seriesBy(s, task, func(g Group) (string, float64, bool) {
		return g.Method, float64(g.TrainableParams), g.TrainableParams > 0
	})
	slices.SortStableFunc(series, func(a, b Series) int { return cmp.Compare(methodRank(a.Name), methodRank(b.Name)) })
	return series
}

// seriesBy collects the groups of task that key accepts into series named by key, points
// sorted by x; series in order of first appearance (the summary's order).
func seriesBy(s Summary, task string, key func(Group) (name string, x float64, ok bool)) []Series {
	var out []Series
	for _, g := range s.Groups {
		if g.Task != task || g.N() == 0 || !finite(g.Mean) || !finite(g.Std) {
			continue
		}
		name, x, ok := key(g)
		if !ok {
			continue
		}
		i := slices.IndexFunc(out, func(s Series) bool { return s.Name == name })
		if i < 0 {
			i = len(out)
			out = append(out, Series{Name: name})
		}
		out[i].X = append(out[i].X, x)
		out[i].Y = append(out[i].Y, g.Mean)
		out[i].Err = append(out[i].Err, g.Std)
	}
	for i := range out {
		sortSeries(&out[i])
	}
	return out
}

// sortSeries orders a series' points by x.
func sortSeries(s *Series) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(s.X[a], s.X[b]) })
	x, y, e := slices.Clone(s.X), slices.Clone(s.Y), slices.Clone(s.Err)
	for k, i := range idx {
		s.X[k], s.Y[k] = x[i], y[i]
		if e != nil {
			s.Err[k] = e[i]
		}
	}
}

// finite says whether v can be plotted: neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
