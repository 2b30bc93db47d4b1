package datasets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestBaselineFigures prints the chance and bag-of-words scores of every task on its test
// split, the figures quoted in doc.go, and requires bag of words to beat chance on each
// task's main metric (else the task or the baseline is broken). It is slow (about a minute
// for the real tasks), so it runs only on request:
//
//	LORALAB_BASELINES=1 go test -run TestBaselineFigures -v ./datasets
func TestBaselineFigures(t *testing.T) {
	if os.Getenv("LORALAB_BASELINES") == "" {
		t.Skip("set LORALAB_BASELINES=1 to compute the baseline figures")
	}
	r := NewRegistry(Options{})
	for _, name := range r.Names() {
		task, err := r.Load(context.Background(), name)
		if errors.Is(err, ErrNoData) {
			t.Logf("%s: real data not prepared", name)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if task.Kind == Corpus {
			continue
		}
		chance, bow, err := Baselines(task)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-13s chance %s | bag of words %s", name, formatScores(task, chance), formatScores(task, bow))
		c, b := chance[task.MainMetric], bow[task.MainMetric]
		if beats := b > c; beats != HigherIsBetter(task.MainMetric) || b == c {
			t.Errorf("%s: bag of words %s %.3f does not beat chance %.3f", name, task.MainMetric, b, c)
		}
	}
}

func formatScores(t *Task, scores map[string]float64) string {
	var parts []string
	for _, m := range t.Metrics {
		if v, ok := scores[m]; ok {
			parts = append(parts, fmt.Sprintf("%s %.3f", m, v))
		}
	}
	slices.Sort(parts[1:])
	return strings.Join(parts, ", ")
}
