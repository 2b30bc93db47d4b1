package metrics

import (
	"math"
	"strings"
	"testing"
)

// words splits s at spaces: test sentences are written already tokenized.
func words(s string) []string {
	return strings.Fields(s)
}

// corpus builds hypotheses and reference sets from space-separated sentences:
// corpus([]string{"a b"}, [][]string{{"a b", "a c"}}).
func corpus(hyps []string, refs [][]string) ([][]string, [][][]string) {
	h := make([][]string, len(hyps))
	for i, s := range hyps {
		h[i] = words(s)
	}
	r := make([][][]string, len(refs))
	for i, set := range refs {
		r[i] = make([][]string, len(set))
		for j, s := range set {
			r[i][j] = words(s)
		}
	}
	return h, r
}

// assertClose fails the test unless got is within 1e-12 (relative to the size of want) of want.
func assertClose(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", name, got, want)
	}
}
