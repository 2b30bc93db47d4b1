package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Confidence is the level of the confidence intervals, and Alpha the significance level of
// the paired comparisons, of every table.
const (
	Confidence = 0.95
	Alpha      = 1 - Confidence
)

// MeanCI is the two-sided confidence interval of the mean of values at the given level
// (0.95 for 95 %), from Student's t distribution with n-1 degrees of freedom: mean ±
// t(1-(1-level)/2, n-1) · s/√n, s the sample standard deviation. Seeds are few, so the t
// quantile, not the normal one: at 3 seeds it is 4.30, not 1.96. ok is false below two
// values.
func MeanCI(values []float64, level float64) (lo, hi float64, ok bool) {
	n := len(values)
	if n < 2 {
		return 0, 0, false
	}
	mean, sd := stat.MeanStdDev(values, nil)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-level)/2)
	half := q * sd / math.Sqrt(float64(n))
	return mean - half, mean + half, true
}

// Paired is the comparison of two method settings on the seeds both ran: the same seed gives
// both the same head initialisation and data order, so the difference of a pair removes what
// the seed alone does.
type Paired struct {
	N    int     // pairs
	Diff float64 // mean of a - b over the pairs
	// P is the two-sided p-value of the paired t-test (t = mean d / (s_d/√n), n-1 degrees of
	// freedom): the test that decides. It assumes roughly normal differences, which a few
	// seeds cannot check, but it is the only test that can reject at 3 to 5 pairs.
	P float64
	// PSignFlip is the exact two-sided p-value of the sign-flip permutation test: the share
	// of the 2^n sign patterns of the differences whose |sum| is at least the observed one.
	// It assumes only symmetric differences, but its smallest value is 2/2^n (0.25 at 3
	// pairs, 0.0625 at 5): below 6 pairs it can never reject at 0.05, so it is reported
	// beside P as a check, not used to decide.
	PSignFlip float64
}

// Holds says whether the difference is significant at Alpha by the paired t-test.
func (p Paired) Holds() bool { return p.N >= 2 && p.P < Alpha }

// PairedTest compares a and b seed by seed: values of seeds a and b share are paired, the
// others left out. ok is false below two pairs. When every difference is the same the t
// statistic is infinite (P = 0) unless they are all zero (P = 1).
func PairedTest(aSeeds []int, a []float64, bSeeds []int, b []float64) (Paired, bool) {
	d := PairedDiffs(aSeeds, a, bSeeds, b)
	if len(d) < 2 {
		return Paired{N: len(d)}, false
	}
	mean, sd := stat.MeanStdDev(d, nil)
	p := Paired{N: len(d), Diff: mean, P: pairedTP(mean, sd, len(d)), PSignFlip: SignFlipP(d)}
	return p, true
}

// PairedDiffs are the differences a - b of the seeds a and b share, in the order of aSeeds.
func PairedDiffs(aSeeds []int, a []float64, bSeeds []int, b []float64) []float64 {
	bBySeed := map[int]float64{}
	for i, s := range bSeeds {
		bBySeed[s] = b[i]
	}
	var d []float64
	for i, s := range aSeeds {
		if v, ok := bBySeed[s]; ok {
			d = append(d, a[i]-v)
		}
	}
	return d
}

// pairedTP is the two-sided p-value of t = mean/(sd/√n) with n-1 degrees of freedom.
func pairedTP(mean, sd float64, n int) float64 {
	const tiny = 1e-12 // differences equal up to rounding
	if sd <= tiny*math.Max(math.Abs(mean), 1) {
		if math.Abs(mean) <= tiny {
			return 1
		}
		return 0
	}
	t := mean / (sd / math.Sqrt(float64(n)))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Survival(math.Abs(t))
}

// SignFlipP is the exact two-sided p-value of the sign-flip permutation test of paired
// differences d: under the null hypothesis each difference is as likely negative as
// positive, so each of the 2^n sign patterns is equally likely. n is at most 20 (a million
// patterns); seeds are far fewer.
func SignFlipP(d []float64) float64 {
	n := len(d)
	if n == 0 || n > 20 {
		return math.NaN()
	}
	observed := 0.0
	for _, v := range d {
		observed += v
	}
	observed = math.Abs(observed)
	tol := 1e-12 * math.Max(observed, 1) // the observed pattern itself counts, whatever the rounding
	extreme := 0
	for mask := range 1 << n {
		s := 0.0
		for i, v := range d {
			if mask&(1<<i) != 0 {
				s -= v
			} else {
				s += v
			}
		}
		if math.Abs(s) >= observed-tol {
			extreme++
		}
	}
	return float64(extreme) / float64(int(1)<<n)
}
