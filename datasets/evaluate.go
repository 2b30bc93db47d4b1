package datasets

import (
	"fmt"
	"math"

	"loralab/datasets/metrics"
)

// Evaluate scores predictions for examples (usually t.Test or t.Validation) with every
// metric of the task that package metrics provides, keyed by metric name. Generated texts
// and references are tokenized with metrics.Tokenize; F1 is the positive-class F1 for two
// classes and the macro average otherwise. All scores are fractions, not percentages.
func Evaluate(t *Task, examples []Example, p Predictions) (map[string]float64, error) {
	scores := map[string]float64{}
	var err error
	switch t.Kind {
	case Classification:
		err = evaluateClassification(t, examples, p.Labels, scores)
	case Regression:
		err = evaluateRegression(t, examples, p.Values, scores)
	case Generation:
		err = evaluateGeneration(t, examples, p.Texts, scores)
	default:
		err = fmt.Errorf("a %s has no metrics", t.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", t.Name, err)
	}
	return scores, nil
}

func evaluateClassification(t *Task, examples []Example, pred []int, scores map[string]float64) error {
	gold := make([]int, len(examples))
	for i, ex := range examples {
		if ex.Label == NoLabel {
			return fmt.Errorf("example %d has no label (an unlabelled test file?)", i)
		}
		gold[i] = ex.Label
	}
	f1 := func(pred, gold []int) (float64, error) { return metrics.MacroF1(pred, gold) }
	if len(t.Labels) == 2 {
		f1 = func(pred, gold []int) (float64, error) { return metrics.F1(pred, gold, 1) }
	}
	scorers := map[string]func(pred, gold []int) (float64, error){
		MetricAccuracy: metrics.Accuracy, MetricF1: f1, MetricMCC: metrics.MatthewsCorr,
	}
	return scoreAll(t.Metrics, scorers, pred, gold, scores)
}

func evaluateRegression(t *Task, examples []Example, pred []float64, scores map[string]float64) error {
	gold := make([]float64, len(examples))
	for i, ex := range examples {
		if math.IsNaN(ex.Target) {
			return fmt.Errorf("example %d has no target (an unlabelled test file?)", i)
		}
		gold[i] = ex.Target
	}
	scorers := map[string]func(x, y []float64) (float64, error){MetricPearson: metrics.Pearson, MetricSpearman: metrics.Spearman}
	return scoreAll(t.Metrics, scorers, pred, gold, scores)
}

func evaluateGeneration(t *Task, examples []Example, texts []string, scores map[string]float64) error {
	hyps := make([][]string, len(texts))
	for i, s := range texts {
		hyps[i] = metrics.Tokenize(s)
	}
	refs := make([][][]string, len(examples))
	for i, ex := range examples {
		if len(ex.Refs) == 0 {
			return fmt.Errorf("example %d (%s) has no references (an unreferenced test file?)", i, ex.Source)
		}
		for _, r := range ex.Refs {
			refs[i] = append(refs[i], metrics.Tokenize(r))
		}
	}
	scorers := map[string]func(hyps [][]string, refs [][][]string) (float64, error){
		MetricExactMatch: metrics.ExactMatch, MetricErrorRate: metrics.ErrorRate, MetricBLEU: metrics.BLEU,
		MetricNIST: metrics.NIST, MetricMETEOR: metrics.METEOR, MetricROUGEL: metrics.RougeL, MetricCIDEr: metrics.CIDErD,
	}
	return scoreAll(t.Metrics, scorers, hyps, refs, scores)
}

// scoreAll computes each named metric that has a scorer into scores. A metric the metrics
// package does not provide is left out rather than reported as 0.
func scoreAll[P, G any](names []string, scorers map[string]func(P, G) (float64, error), pred P, gold G, scores map[string]float64) error {
	for _, name := range names {
		f, ok := scorers[name]
		if !ok {
			continue
		}
		v, err := f(pred, gold)
		if err != nil {
			return err
		}
		scores[name] = v
	}
	return nil
}

// HigherIsBetter reports whether a larger value of the metric is a better result; only
// error_rate is the other way round.
func HigherIsBetter(metric string) bool { return metric != MetricErrorRate }

// Baselines scores the chance and bag-of-words predictions of the task on its test split.
func Baselines(t *Task) (chance, bagOfWords map[string]float64, err error) {
	chance, err = Evaluate(t, t.Test, ChancePredictions(t))
	if err != nil {
		return nil, nil, err
	}
	p, err := BagOfWordsPredictions(t)
	if err != nil {
		return nil, nil, err
	}
	bagOfWords, err = Evaluate(t, t.Test, p)
	return chance, bagOfWords, err
}
