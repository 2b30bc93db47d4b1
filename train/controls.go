package train

import (
	"fmt"

	"loralab/datasets"
)

// classCounts counts a classification run's predictions by class: a run that predicts one
// class whatever the input has collapsed, and is no result to rank.
func classCounts(labels []int, classes int) []int {
	counts := make([]int, classes)
	for _, l := range labels {
		if l >= 0 && l < classes {
			counts[l]++
		}
	}
	return counts
}

// chanceScores scores, on the validation and test splits, the predictions of a model that
// ignores its input (datasets.ChancePredictions: the training split's majority class, mean
// target or most frequent reference): the control every table compares against.
func chanceScores(t *datasets.Task) (map[string]map[string]float64, error) {
	out := map[string]map[string]float64{}
	for _, s := range []struct {
		name string
		exs  []datasets.Example
	}{{"validation", t.Validation}, {"test", t.Test}} {
		split := *t
		split.Test = s.exs
		ms, err := datasets.Evaluate(t, s.exs, datasets.ChancePredictions(&split))
		if err != nil {
			return nil, fmt.Errorf("train: chance scores of %s on %s: %w", t.Name, s.name, err)
		}
		out[s.name] = ms
	}
	return out, nil
}
