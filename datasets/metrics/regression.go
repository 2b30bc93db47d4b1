package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Pearson is the Pearson correlation coefficient between predictions x and gold values y,
//
//	r = sum_i (x_i - mean x)(y_i - mean y) / sqrt(sum_i (x_i - mean x)^2 * sum_i (y_i - mean y)^2),
//
// which GLUE reports for STS-B (LoRA Table 2). When x or y is constant (including a single
// example) r is 0/0; it is defined here as 0, the value of a predictor that carries no linear
// information, so that a collapsed model scores 0 rather than NaN. Rounding can push the
// quotient a hair outside [-1, 1]; the result is clamped to that interval.
func Pearson(x, y []float64) (float64, error) {
	if err := checkRegression("pearson", x, y); err != nil {
		return 0, err
	}
	return pearson(x, y), nil
}

// Spearman is Spearman's rank correlation: the Pearson correlation of the ranks of x and of
// y, where tied values share the average of the ranks they span (values 5, 7, 7, 9 rank 1,
// 2.5, 2.5, 4). GLUE reports it next to Pearson for STS-B. As for Pearson, it is 0 when
// either input is constant.
func Spearman(x, y []float64) (float64, error) {
	if err := checkRegression("spearman", x, y); err != nil {
		return 0, err
	}
	return pearson(averageRanks(x), averageRanks(y)), nil
}

// pearson computes the correlation of validated inputs, 0 when either is constant.
func pearson(x, y []float64) float64 {
	if isConstant(x) || isConstant(y) {
		return 0
	}
	r := stat.Correlation(x, y, nil)
	return math.Max(-1, math.Min(1, r))
}

// checkRegression validates a pair of regression inputs: same non-zero length, finite values.
func checkRegression(metric string, x, y []float64) error {
	if err := checkPaired(metric, "predictions", len(x), "gold values", len(y)); err != nil {
		return err
	}
	for _, input := range []struct {
		name   string
		values []float64
	}{{"prediction", x}, {"gold value", y}} {
		for i, v := range input.values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: %s %d is %v, want a finite number: %w", metric, input.name, i, v, ErrInvalid)
			}
		}
	}
	return nil
}

// isConstant reports whether every value equals the first.
func isConstant(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

// averageRanks returns the 1-based rank of each value of x, tied values receiving the mean
// of the ranks they occupy.
func averageRanks(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	ranks := make([]float64, len(x))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && x[order[end]] == x[order[start]] {
			end++
		}
		// Positions start..end-1 hold ranks start+1..end; their mean is (start+1+end)/2.
		shared := float64(start+1+end) / 2
		for _, i := range order[start:end] {
			ranks[i] = shared
		}
		start = end
	}
	return ranks
}
