package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestClassificationMetrics(t *testing.T) {
	tests := []struct {
		name       string
		pred, gold []int
		positive   int
		accuracy   float64
		f1         float64
		macroF1    float64
		mcc        float64
	}{
		{
			// TP = 3 (items 0, 3, 5), FP = 1 (item 2), FN = 1 (item 4), TN = 1 (item 1).
			// accuracy 4/6; F1(1) = 2*3/(2*3+1+1) = 6/8; F1(0) = 2*1/(2*1+1+1) = 1/2;
			// macro F1 = (3/4 + 1/2)/2 = 5/8; MCC = (3*1 - 1*1)/sqrt(4*4*2*2) = 2/8.
			name: "binary", pred: []int{1, 0, 1, 1, 0, 1}, gold: []int{1, 0, 0, 1, 1, 1}, positive: 1,
			accuracy: 4.0 / 6, f1: 0.75, macroF1: 0.625, mcc: 0.25,
		},
		{
			// The same data scored with class 0 as the positive class.
			name: "binary, positive class 0", pred: []int{1, 0, 1, 1, 0, 1}, gold: []int{1, 0, 0, 1, 1, 1}, positive: 0,
			accuracy: 4.0 / 6, f1: 0.5, macroF1: 0.625, mcc: 0.25,
		},
		{
			name: "perfect", pred: []int{0, 1, 1, 0}, gold: []int{0, 1, 1, 0}, positive: 1,
			accuracy: 1, f1: 1, macroF1: 1, mcc: 1,
		},
		{
			// Every prediction wrong: TP = TN = 0, FP = FN = 2; MCC = (0 - 4)/sqrt(2*2*2*2) = -1.
			name: "inverted", pred: []int{1, 0, 1, 0}, gold: []int{0, 1, 0, 1}, positive: 1,
			accuracy: 0, f1: 0, macroF1: 0, mcc: -1,
		},
		{
			// Three classes, each predicted twice and present twice, three correct.
			// Per class TP = FP = FN = 1, so every F1 is 2/4. Gorodkin's MCC: c = 3, s = 6,
			// sum p_k t_k = 3*2*2 = 12, sum p_k^2 = sum t_k^2 = 12:
			// (3*6 - 12)/sqrt((36-12)(36-12)) = 6/24.
			name: "three classes", pred: []int{0, 1, 2, 0, 1, 2}, gold: []int{0, 1, 2, 1, 2, 0}, positive: 2,
			accuracy: 0.5, f1: 0.5, macroF1: 0.5, mcc: 0.25,
		},
		{
			// A single gold class: MCC's denominator is 0 (s^2 = sum t_k^2 = 9), defined as 0.
			// F1(1): TP = 2, FN = 1: 4/5; F1(0): TP = 0: 0; macro (4/5 + 0)/2.
			name: "single class present", pred: []int{1, 0, 1}, gold: []int{1, 1, 1}, positive: 1,
			accuracy: 2.0 / 3, f1: 0.8, macroF1: 0.4, mcc: 0,
		},
		{
			// A single class predicted and present: everything right, yet MCC is 0/0 -> 0.
			name: "single class everywhere", pred: []int{3, 3}, gold: []int{3, 3}, positive: 3,
			accuracy: 1, f1: 1, macroF1: 1, mcc: 0,
		},
		{
			// The positive class 1 is neither predicted nor present: F1 = 0 by definition.
			name: "positive class absent", pred: []int{0, 0}, gold: []int{0, 0}, positive: 1,
			accuracy: 1, f1: 0, macroF1: 1, mcc: 0,
		},
		{
			// Classes are the union {0, 2}: F1(0) with TP = 1, FP = 1, FN = 0 is 2/3; F1(2) = 0.
			// MCC: c = 1, s = 2, p = (2, 0), t = (1, 1): (2 - 2)/sqrt((4-4)(4-2)) -> 0.
			name: "class only in gold", pred: []int{0, 0}, gold: []int{0, 2}, positive: 0,
			accuracy: 0.5, f1: 2.0 / 3, macroF1: 1.0 / 3, mcc: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := []struct {
				metric string
				score  func() (float64, error)
				want   float64
			}{
				{"Accuracy", func() (float64, error) { return Accuracy(tt.pred, tt.gold) }, tt.accuracy},
				{"F1", func() (float64, error) { return F1(tt.pred, tt.gold, tt.positive) }, tt.f1},
				{"MacroF1", func() (float64, error) { return MacroF1(tt.pred, tt.gold) }, tt.macroF1},
				{"MatthewsCorr", func() (float64, error) { return MatthewsCorr(tt.pred, tt.gold) }, tt.mcc},
			}
			for _, c := range checks {
				got, err := c.score()
				if err != nil {
					t.Fatalf("%s: %v", c.metric, err)
				}
				assertClose(t, c.metric, got, c.want)
			}
		})
	}
}

// TestMatthewsCorrBinaryFormula checks that the multiclass formula reduces to the binary
// one on a two-class confusion matrix with unequal cells.
func TestMatthewsCorrBinaryFormula(t *testing.T) {
	// TP = 5, FN = 2, FP = 1, TN = 4.
	var pred, gold []int
	for _, cell := range []struct{ p, g, n int }{{1, 1, 5}, {0, 1, 2}, {1, 0, 1}, {0, 0, 4}} {
		for range cell.n {
			pred, gold = append(pred, cell.p), append(gold, cell.g)
		}
	}
	// (5*4 - 1*2)/sqrt((5+1)(5+2)(4+1)(4+2)) = 18/sqrt(1260).
	got, err := MatthewsCorr(pred, gold)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "MatthewsCorr", got, 18/math.Sqrt(1260))
}

func TestClassificationBadInput(t *testing.T) {
	metrics := map[string]func(pred, gold []int) (float64, error){
		"Accuracy":     Accuracy,
		"F1":           func(pred, gold []int) (float64, error) { return F1(pred, gold, 1) },
		"MacroF1":      MacroF1,
		"MatthewsCorr": MatthewsCorr,
	}
	tests := []struct {
		name       string
		pred, gold []int
		want       error
		message    []string
	}{
		{"lengths differ", []int{0, 1, 1}, []int{0, 1}, ErrLengthMismatch, []string{"3 predictions", "2 gold labels"}},
		{"empty", nil, nil, ErrEmpty, nil},
		{"negative gold label", []int{0, 1}, []int{0, -1}, ErrInvalid, []string{"gold label 1 is -1"}},
		{"negative prediction", []int{-1, 1}, []int{0, 1}, ErrInvalid, []string{"prediction 0 is -1"}},
	}
	for _, tt := range tests {
		for name, metric := range metrics {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				_, err := metric(tt.pred, tt.gold)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				for _, m := range tt.message {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("error %q does not say %q", err, m)
					}
				}
			})
		}
	}
}
