package datasets

import (
	"fmt"
	"math"
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
	labels := make([]int, len(t.Train))
	for i, ex := range t.Train {
		labels[i] = ex.Label
	}
	var best logisticModel
	bestAcc := -1.0
	for _, penalty := range bowPenalties {
		m, err := fitLogistic(xTrain, labels, len(v)+1, len(t.Labels), penalty)
		if err != nil {
			return Predictions{}, fmt.Errorf("task %s: %w", t.Name, err)
		}
		correct := 0
		for i, l := range m.predict(xVal) {
			if l == t.Validation[i].Label {
				correct++
			}
		}
		if acc := float64(correct) / float64(len(t.Validation)); acc > bestAcc {
			best, bestAcc = m, acc
		}
	}
	return Predictions{Labels: best.predict(xTest)}, nil
}

func bowRegress(t *Task) (Predictions, error) {
	v := newVocabulary(t.Train)
	xTrain, xVal, xTest := v.design(t.Train), v.design(t.Validation), v.design(t.Test)
	y := make([]float64, len(t.Train))
	for i, ex := range t.Train {
		y[i] = ex.Target
	}
	gram, xty := normalEquations(xTrain, y, len(v)+1)
	var best []float64
	bestErr := math.Inf(1)
	for _, penalty := range bowPenalties {
		w, err := fitRidge(gram, xty, len(y), penalty)
		if err != nil {
			return Predictions{}, fmt.Errorf("task %s: %w", t.Name, err)
		}
		var pred, test = predictLinear(xVal, w), predictLinear(xTest, w)
		sq := 0.0
		for i, p := range pred {
			sq += (p - t.Validation[i].Target) * (p - t.Validation[i].Target)
		}
		if sq < bestErr {
			best, bestErr = test, sq
		}
	}
	return Predictions{Values: best}, nil
}
