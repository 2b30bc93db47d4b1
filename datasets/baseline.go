package datasets

import (
	"fmt"

	"loralab/internal/linfit"
)

// Predictions are a model's outputs for the examples of one split, in order. Only the field
// of the task's kind is used: Labels for classification, Values for regression, Texts for
// generation.
type Predictions struct {
	Labels []int
	Values []float64
	Texts  []string
}

// ChancePredictions are the test-split outputs of a model that ignores its input: the
// majority train class, the mean train target, or the most frequent train reference.
// (The correlation metrics of a constant are undefined; Evaluate reports them as 0.)
func ChancePredictions(t *Task) Predictions {
	n := len(t.Test)
	var p Predictions
	switch t.Kind {
	case Classification:
		counts := make([]int, len(t.Labels))
		for _, ex := range t.Train {
			counts[ex.Label]++
		}
		majority := 0
		for l, c := range counts {
			if c > counts[majority] {
				majority = l
			}
		}
		p.Labels = make([]int, n)
		for i := range p.Labels {
			p.Labels[i] = majority
		}
	case Regression:
		mean := 0.0
		for _, ex := range t.Train {
			mean += ex.Target / float64(len(t.Train))
		}
		p.Values = make([]float64, n)
		for i := range p.Values {
			p.Values[i] = mean
		}
	case Generation:
		counts := map[string]int{}
		best := ""
		for _, ex := range t.Train {
			r := ex.Refs[0]
			counts[r]++
			if counts[r] > counts[best] || counts[r] == counts[best] && r < best {
				best = r
			}
		}
		p.Texts = make([]string, n)
		for i := range p.Texts {
			p.Texts[i] = best
		}
	}
	return p
}

// BagOfWordsPredictions trains the bag-of-words baseline of the task's kind on the train
// split, picks its L2 penalty on the validation split, and predicts the test split.
func BagOfWordsPredictions(t *Task) (Predictions, error) {
	switch t.Kind {
	case Classification:
		return bowClassify(t)
	case Regression:
		return bowRegress(t)
	case Generation:
		texts := make([]string, len(t.Test))
		for i, j := range nearestSource(t.Train, t.Test, sourceFeatures) {
			texts[i] = t.Train[j].Refs[0]
		}
		return Predictions{Texts: texts}, nil
	}
	return Predictions{}, fmt.Errorf("task %s: no baseline for a %s", t.Name, t.Kind)
}

func bowClassify(t *Task) (Predictions, error) {
	v := newVocabulary(t.Train)
	xTrain, xVal, xTest := v.design(t.Train), v.design(t.Validation), v.design(t.Test)
	m, _, err := linfit.ChooseLogistic(xTrain, Labels(t.Train), xVal, Labels(t.Validation), len(v)+1, len(t.Labels))
	if err != nil {
		return Predictions{}, fmt.Errorf("task %s: %w", t.Name, err)
	}
	return Predictions{Labels: m.Predict(xTest)}, nil
}

func bowRegress(t *Task) (Predictions, error) {
	v := newVocabulary(t.Train)
	xTrain, xVal, xTest := v.design(t.Train), v.design(t.Validation), v.design(t.Test)
	w, _, err := linfit.ChooseRidge(xTrain, Targets(t.Train), xVal, Targets(t.Validation), len(v)+1)
	if err != nil {
		return Predictions{}, fmt.Errorf("task %s: %w", t.Name, err)
	}
	return Predictions{Values: linfit.PredictLinear(xTest, w)}, nil
}

// Labels returns the class label of every example.
func Labels(exs []Example) []int {
	out := make([]int, len(exs))
	for i, ex := range exs {
		out[i] = ex.Label
	}
	return out
}

// Targets returns the regression target of every example.
func Targets(exs []Example) []float64 {
	out := make([]float64, len(exs))
	for i, ex := range exs {
		out[i] = ex.Target
	}
	return out
}
