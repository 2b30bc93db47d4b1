package datasets

import (
	"errors"
	"math"
	"testing"

	"loralab/datasets/metrics"
)

func TestEvaluate(t *testing.T) {
	binary := &Task{Name: "b", Kind: Classification, Labels: []string{"no", "yes"}, Metrics: []string{MetricAccuracy, MetricF1, MetricMCC}}
	reg := &Task{Name: "r", Kind: Regression, Metrics: []string{MetricPearson, MetricSpearman}}
	g2p := &Task{Name: "g", Kind: Generation, Metrics: []string{MetricExactMatch, MetricErrorRate}}
	tests := []struct {
		name     string
		task     *Task
		examples []Example
		pred     Predictions
		want     map[string]float64
	}{
		{
			// TP 2, TN 1, FP 1, FN 0: accuracy 3/4; F1 = 2PR/(P+R) with P 2/3, R 1 = 0.8;
			// MCC = (2*1 - 1*0) / sqrt(3*2*1*2) = 1/sqrt(3).
			name: "binary", task: binary,
			examples: []Example{{Label: 1}, {Label: 0}, {Label: 0}, {Label: 1}},
			pred:     Predictions{Labels: []int{1, 0, 1, 1}},
			want:     map[string]float64{MetricAccuracy: 0.75, MetricF1: 0.8, MetricMCC: 1 / math.Sqrt(3)},
		},
		{
			// Perfectly linear and monotone; then perfectly anti-monotone.
			name: "regression", task: reg,
			examples: []Example{{Target: 2}, {Target: 4}, {Target: 6}},
			pred:     Predictions{Values: []float64{1, 2, 3}},
			want:     map[string]float64{MetricPearson: 1, MetricSpearman: 1},
		},
		{
			name: "regression reversed", task: reg,
			examples: []Example{{Target: 2}, {Target: 4}, {Target: 6}},
			pred:     Predictions{Values: []float64{30, 20, 10}},
			want:     map[string]float64{MetricPearson: -1, MetricSpearman: -1},
		},
		{
			// One exact; the other is 1 edit from its closest (3-phoneme) reference:
			// phoneme error rate (0 + 1) / (2 + 3) = 0.2.
			name: "g2p", task: g2p,
			examples: []Example{{Source: "ab", Refs: []string{"AH0 B"}}, {Source: "cat", Refs: []string{"K AE1 T", "K AA1 T"}}},
			pred:     Predictions{Texts: []string{"AH0 B", "K AA1 D"}},
			want:     map[string]float64{MetricExactMatch: 0.5, MetricErrorRate: 0.2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(tt.task, tt.examples, tt.pred)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got metrics %v, want %v", got, tt.want)
			}
			for k, w := range tt.want {
				if math.Abs(got[k]-w) > 1e-12 {
					t.Errorf("%s = %v, want %v", k, got[k], w)
				}
			}
		})
	}
}

func TestEvaluateBadInput(t *testing.T) {
	cls := &Task{Name: "c", Kind: Classification, Labels: []string{"a", "b"}, Metrics: []string{MetricAccuracy}}
	gen := &Task{Name: "g", Kind: Generation, Metrics: []string{MetricBLEU}}
	tests := []struct {
		name     string
		task     *Task
		examples []Example
		pred     Predictions
		want     string
		wantErr  error
	}{
		{"unlabelled", cls, []Example{{Label: NoLabel}}, Predictions{Labels: []int{0}}, "no label", nil},
		{"too few predictions", cls, []Example{{Label: 0}, {Label: 1}}, Predictions{Labels: []int{0}}, "", metrics.ErrLengthMismatch},
		{"no references", gen, []Example{{Source: "x"}}, Predictions{Texts: []string{"y"}}, "no references", nil},
		{"corpus task", &Task{Name: "k", Kind: Corpus}, []Example{{Text: "x"}}, Predictions{}, "no metrics", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(tt.task, tt.examples, tt.pred)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != "" && !contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
		})
	}
}

// TestBaselinesScoreEveryMetric: on the embedded generation task, retrieval beats the
// constant output on every metric the metrics package provides.
func TestBaselinesScoreEveryMetric(t *testing.T) {
	task := EmbeddedDataToText(Options{MaxTrain: 300, MaxValidation: 20, MaxTest: 60})
	chance, bow, err := Baselines(task)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range bow {
		if v <= chance[name] {
			t.Errorf("%s: bag of words %.4f, chance %.4f; want retrieval to win", name, v, chance[name])
		}
	}
	if _, ok := bow[MetricBLEU]; !ok {
		t.Fatalf("no BLEU in %v", bow)
	}
}
