package datasets

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"loralab/internal/linfit"
)

// The bag-of-words baselines: what word counts alone achieve on a task, so a fine-tuned
// transformer's score can be read against it. Classification is multinomial logistic
// regression, regression is ridge regression, both on log(1+count) features of the most
// frequent train words (over both texts of a pair); generation copies the first reference
// of the train example whose source shares the most words (or letter n-grams, for single
// words). The L2 strength is chosen on the validation split.

// bowMaxFeatures caps the vocabulary of the baselines: enough for a few thousand short
// texts, small enough that the dense design matrix stays in tens of MB.
const bowMaxFeatures = 2000

// words lower-cases s and splits it into runs of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// vocabulary maps the bowMaxFeatures most frequent train words (seen at least twice;
// ties by the word) to feature columns 1.., column 0 being the bias.
type vocabulary map[string]int

func newVocabulary(train []Example) vocabulary {
	counts := map[string]int{}
	for _, ex := range train {
		for _, w := range words(ex.Text + " " + ex.Text2) {
			counts[w]++
		}
	}
	var ws []string
	for w, c := range counts {
		if c >= 2 {
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	v := vocabulary{}
	for i, w := range ws[:min(len(ws), bowMaxFeatures)] {
		v[w] = i + 1
	}
	return v
}

// design returns the feature rows of the examples: the bias (column 0, value 1) and
// log(1+count) of every vocabulary word they contain.
func (v vocabulary) design(exs []Example) []linfit.Row {
	rows := make([]linfit.Row, len(exs))
	for i, ex := range exs {
		counts := map[int]float64{}
		for _, w := range words(ex.Text + " " + ex.Text2) {
			if j, ok := v[w]; ok {
				counts[j]++
			}
		}
		row := linfit.Row{Cols: []int{0}, Vals: []float64{1}}
		cols := make([]int, 0, len(counts))
		for j := range counts {
			cols = append(cols, j)
		}
		slices.Sort(cols)
		for _, j := range cols {
			row.Cols = append(row.Cols, j)
			row.Vals = append(row.Vals, math.Log1p(counts[j]))
		}
		rows[i] = row
	}
	return rows
}

// nearestSource returns, for every query, the index of the train example whose source has
// the largest cosine similarity of bag-of-features counts (ties to the earlier example).
func nearestSource(train, queries []Example, features func(string) []string) []int {
	type bag map[string]float64
	toBag := func(s string) (bag, float64) {
		b := bag{}
		for _, f := range features(s) {
			b[f]++
		}
		norm := 0.0
		for _, c := range b {
			norm += c * c
		}
		return b, math.Sqrt(norm)
	}
	bags := make([]bag, len(train))
	norms := make([]float64, len(train))
	for i, ex := range train {
		bags[i], norms[i] = toBag(ex.Source)
	}
	out := make([]int, len(queries))
	for qi, q := range queries {
		qb, qn := toBag(q.Source)
		best, bestScore := 0, -1.0
		for i, b := range bags {
			dot := 0.0
			for f, c := range qb {
				dot += c * b[f]
			}
			if score := dot / (qn*norms[i] + 1e-12); score > bestScore {
				best, bestScore = i, score
			}
		}
		out[qi] = best
	}
	return out
}

// sourceFeatures are the words of an MR-like source, or the letter 1- to 3-grams (with
// word boundaries) of a single word, where words alone would match nothing.
func sourceFeatures(s string) []string {
	ws := words(s)
	if len(ws) > 1 {
		return ws
	}
	padded := []rune("^" + strings.ToLower(s) + "$")
	var out []string
	for n := 1; n <= 3; n++ {
		for i := 0; i+n <= len(padded); i++ {
			out = append(out, string(padded[i:i+n]))
		}
	}
	return out
}
