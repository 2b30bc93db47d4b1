package spectral

import "math"

// EnergyRank is the number of leading singular values that hold at least frac of the
// squared Frobenius norm: the smallest k with sum_{i<k} σ_i² >= frac · sum_i σ_i² (Biderman
// et al. 2024 count the rank of a fine-tuning update this way at frac = 0.9). sv must be in
// decreasing order. It is 0 for the zero matrix.
func EnergyRank(sv []float64, frac float64) int {
	total := 0.0
	for _, s := range sv {
		total += s * s
	}
	if total == 0 {
		return 0
	}
	cum := 0.0
	for i, s := range sv {
		cum += s * s
		// The relative slack absorbs the rounding of the two sums, so that a fraction
		// reached exactly in exact arithmetic (σ = 3, 1, 1, 1 at 10/12) counts as reached.
		if cum >= frac*total*(1-1e-12) {
			return i + 1
		}
	}
	return len(sv)
}

// EntropyRank is the effective rank of Roy and Vetterli (2007): exp(H) for the Shannon
// entropy H = -sum_i p_i ln p_i of the normalised singular values p_i = σ_i / sum_j σ_j. It
// is between 1 and the number of nonzero singular values, equal to n for n equal singular
// values, and 0 for the zero matrix.
func EntropyRank(sv []float64) float64 {
	total := 0.0
	for _, s := range sv {
		total += s
	}
	if total == 0 {
		return 0
	}
	h := 0.0
	for _, s := range sv {
		if p := s / total; p > 0 {
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h)
}
