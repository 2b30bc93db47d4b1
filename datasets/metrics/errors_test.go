package metrics

import (
	"errors"
	"strings"
	"testing"
)

// generationMetrics lists every corpus-level generation metric by name.
func generationMetrics() map[string]func(hyps [][]string, refs [][][]string) (float64, error) {
	return map[string]func(hyps [][]string, refs [][][]string) (float64, error){
		"ExactMatch": ExactMatch,
		"ErrorRate":  ErrorRate,
		"BLEU":       BLEU,
		"NIST":       NIST,
		"METEOR":     METEOR,
		"RougeL":     RougeL,
		"CIDErD":     CIDErD,
	}
}

func TestGenerationBadInput(t *testing.T) {
	tests := []struct {
		name    string
		hyps    [][]string
		refs    [][][]string
		want    error
		message string
	}{
		{"more hypotheses", [][]string{{"a"}, {"b"}, {"c"}}, [][][]string{{{"a"}}, {{"b"}}},
			ErrLengthMismatch, "3 hypotheses but 2 reference sets"},
		{"more reference sets", [][]string{{"a"}}, [][][]string{{{"a"}}, {{"b"}}},
			ErrLengthMismatch, "1 hypotheses but 2 reference sets"},
		{"empty corpus", nil, nil, ErrEmpty, "no examples"},
		{"example without references", [][]string{{"a"}, {"b"}}, [][][]string{{{"a"}}, {}},
			ErrInvalid, "example 1 has no references"},
		{"empty hypothesis token", [][]string{{"a", ""}}, [][][]string{{{"a"}}},
			ErrInvalid, "hypothesis 0: token 1 is empty"},
		{"NUL in a reference token", [][]string{{"a"}}, [][][]string{{{"a"}, {"b", "c\x00d"}}},
			ErrInvalid, "reference 1 of example 0: token 1 is \"c\\x00d\", which contains NUL"},
	}
	for _, tt := range tests {
		for name, metric := range generationMetrics() {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				_, err := metric(tt.hyps, tt.refs)
				if !errors.Is(err, tt.want) {
					t.Fatalf("error %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), tt.message) {
					t.Errorf("error %q does not say %q", err, tt.message)
				}
			})
		}
	}
}

// TestGenerationDeterministic scores the same corpus repeatedly and demands bit-identical
// results: sums over n-grams must not follow Go's randomized map order.
func TestGenerationDeterministic(t *testing.T) {
	hyps, refs := corpus(
		[]string{
			"the eagle is a cheap coffee shop near burger king in the riverside area",
			"a family friendly pub called the mill serves french food",
			"zizzi is a highly rated restaurant , not child friendly .",
		},
		[][]string{
			{"the eagle coffee shop is cheap and near burger king by the riverside", "near burger king is the eagle"},
			{"the mill is a family friendly pub serving french food", "french food at the mill , a pub"},
			{"zizzi , a restaurant with high ratings , is not kid friendly .", "zizzi is rated high ."},
		})
	for name, metric := range generationMetrics() {
		first, err := metric(hyps, refs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for range 20 {
			if again, _ := metric(hyps, refs); again != first {
				t.Fatalf("%s: %v then %v", name, first, again)
			}
		}
	}
}
