package datasets

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
)

// Fractions of the examples that go to the validation and test splits; the rest is train.
type Fractions struct{ Validation, Test float64 }

// defaultFractions is the 80/10/10 split used when a source has no published split.
var defaultFractions = Fractions{Validation: 0.1, Test: 0.1}

// keyHash is a seeded 64-bit hash of a string: the order in which groups are dealt to
// splits and examples are subsampled. It depends only on the seed and the key, never on the
// order the data was read in, so splits are stable when files are listed differently.
func keyHash(seed uint64, key string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(key))
	return mix64(h.Sum64())
}

// mix64 is the splitmix64 finaliser; it spreads FNV's weak low bits over the whole word.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// splitByGroup deals whole groups to validation, test and train. Groups are taken in seeded
// hash order within each stratum (stratum(example) of the group's first example; nil for no
// stratification) and assigned to test until it holds its fraction of the stratum's examples,
// then to validation, then to train. No group ends up in two splits.
func splitByGroup(examples []Example, frac Fractions, seed uint64, stratum func(Example) int) (train, val, test []Example) {
	type group struct {
		key     string
		hash    uint64
		stratum int
		members []Example
	}
	index := map[string]int{}
	var groups []*group
	for _, ex := range examples {
		i, ok := index[ex.Group]
		if !ok {
			i = len(groups)
			index[ex.Group] = i
			s := 0
			if stratum != nil {
				s = stratum(ex)
			}
			groups = append(groups, &group{key: ex.Group, hash: keyHash(seed, ex.Group), stratum: s})
		}
		groups[i].members = append(groups[i].members, ex)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.stratum, b.stratum), cmp.Compare(a.hash, b.hash), cmp.Compare(a.key, b.key))
	})
	for start := 0; start < len(groups); {
		end := start
		total := 0
		for end < len(groups) && groups[end].stratum == groups[start].stratum {
			total += len(groups[end].members)
			end++
		}
		wantTest := int(math.Round(frac.Test * float64(total)))
		wantVal := int(math.Round(frac.Validation * float64(total)))
		nTest, nVal := 0, 0
		for _, g := range groups[start:end] {
			switch {
			case nTest < wantTest:
				test = append(test, g.members...)
				nTest += len(g.members)
			case nVal < wantVal:
				val = append(val, g.members...)
				nVal += len(g.members)
			default:
				train = append(train, g.members...)
			}
		}
		start = end
	}
	return train, val, test
}

// subsample returns at most n examples, chosen in seeded hash order of (group, position)
// and returned in that order, so that a model trained on the first k sees a random sample.
// With byLabel set, each label keeps its share of the examples (largest-remainder quotas).
// n <= 0 or n >= len(examples) keeps all of them, shuffled the same way.
func subsample(examples []Example, n int, seed uint64, byLabel bool) []Example {
	type keyed struct {
		hash uint64
		pos  int
	}
	order := make([]keyed, len(examples))
	var b [8]byte
	for i, ex := range examples {
		binary.LittleEndian.PutUint64(b[:], uint64(i))
		order[i] = keyed{keyHash(seed, ex.Group+"\x00"+ex.Text+ex.Source+string(b[:])), i}
	}
	slices.SortFunc(order, func(a, b keyed) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.pos, b.pos))
	})
	if n <= 0 || n >= len(examples) {
		n = len(examples)
	}
	quota := func(Example) bool { return true }
	if byLabel && n < len(examples) {
		q := labelQuotas(examples, n)
		quota = func(ex Example) bool {
			if q[ex.Label] == 0 {
				return false
			}
			q[ex.Label]--
			return true
		}
	}
	out := make([]Example, 0, n)
	for _, k := range order {
		if len(out) == n {
			break
		}
		if ex := examples[k.pos]; quota(ex) {
			out = append(out, ex)
		}
	}
	return out
}

// labelQuotas splits n among the labels in proportion to their counts, by largest remainder
// (ties to the smaller label), so the quotas sum to exactly n.
func labelQuotas(examples []Example, n int) map[int]int {
	counts := map[int]int{}
	for _, ex := range examples {
		counts[ex.Label]++
	}
	labels := make([]int, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	quotas := map[int]int{}
	rem := make([]float64, len(labels))
	given := 0
	for i, l := range labels {
		exact := float64(n) * float64(counts[l]) / float64(len(examples))
		quotas[l] = int(exact)
		rem[i] = exact - float64(quotas[l])
		given += quotas[l]
	}
	idx := make([]int, len(labels))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, i := range idx[:n-given] {
		quotas[labels[i]]++
	}
	return quotas
}
