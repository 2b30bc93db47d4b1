package experiments

import (
	"cmp"
	"math"
	"slices"
)

// How a learning-rate search (train.lr with several values) runs its seeds.
const (
	// LRGrid runs every learning rate on every seed.
	LRGrid = "grid"
	// LRFirstSeed runs every learning rate on the first seed, chooses one by the validation
	// metric (ChooseLR), and runs the other seeds at the chosen rate only: the cost of one
	// seed per extra learning rate instead of all of them.
	LRFirstSeed = "first_seed"
)

// Trial is one ended run of a learning-rate search.
type Trial struct {
	LR     float64
	Seed   int
	Value  float64 // the task's main metric on the validation split
	Failed bool    // the run failed (a non-finite loss, say): its learning rate is out
	// Collapsed says the run predicted one class for every validation input: its score is
	// that of a constant, so its rate is a candidate only when every rate has such a run.
	Collapsed bool
}

// ChooseLR picks the learning rate of a search, as the paper tuned each method's: the one
// with the best mean validation metric. The means are taken over the seeds that every
// candidate ran, so that a two-phase search (LRFirstSeed), whose chosen rate has more seeds,
// compares like with like, and so does a grid with a run missing. A rate with a failed run or
// a non-finite value is no candidate; a rate with a collapsed run is one only when every rate
// has one (a constant's score says nothing about the rate: on a split whose majority class
// differs it even beats the runs that learn). Equal means go to the smaller rate. ok is false
// when no candidate is left or the candidates share no seed; seeds are the seeds compared.
func ChooseLR(trials []Trial, higherIsBetter bool) (lr float64, seeds []int, ok bool) {
	bySeed := map[float64]map[int]float64{}
	collapsedAt := map[float64]map[int]bool{}
	out := map[float64]bool{}
	for _, t := range trials {
		if t.Failed || math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
			out[t.LR] = true
			continue
		}
		if bySeed[t.LR] == nil {
			bySeed[t.LR], collapsedAt[t.LR] = map[int]float64{}, map[int]bool{}
		}
		bySeed[t.LR][t.Seed] = t.Value
		collapsedAt[t.LR][t.Seed] = collapsedAt[t.LR][t.Seed] || t.Collapsed
	}
	var lrs []float64
	for lr := range bySeed {
		if !out[lr] {
			lrs = append(lrs, lr)
		}
	}
	if len(lrs) == 0 {
		return 0, nil, false
	}
	slices.Sort(lrs)
	seeds = commonSeeds(bySeed, lrs)
	if len(seeds) == 0 {
		return 0, nil, false
	}
	// Collapse counts on the compared seeds only: the chosen rate's later seeds (the second
	// phase of LRFirstSeed) must not undo the choice they were run for.
	var learned []float64
	for _, lr := range lrs {
		if !slices.ContainsFunc(seeds, func(s int) bool { return collapsedAt[lr][s] }) {
			learned = append(learned, lr)
		}
	}
	if len(learned) > 0 {
		lrs = learned
	}
	best, bestMean := 0.0, 0.0
	for i, lr := range lrs {
		sum := 0.0
		for _, s := range seeds {
			sum += bySeed[lr][s]
		}
		m := sum / float64(len(seeds))
		if i == 0 || (higherIsBetter && m > bestMean) || (!higherIsBetter && m < bestMean) {
			best, bestMean = lr, m
		}
	}
	return best, seeds, true
}

// commonSeeds are the seeds every learning rate in lrs has a value for, ascending.
func commonSeeds(bySeed map[float64]map[int]float64, lrs []float64) []int {
	var seeds []int
	for s := range bySeed[lrs[0]] {
		all := true
		for _, lr := range lrs[1:] {
			if _, ok := bySeed[lr][s]; !ok {
				all = false
				break
			}
		}
		if all {
			seeds = append(seeds, s)
		}
	}
	slices.SortFunc(seeds, cmp.Compare)
	return seeds
}
