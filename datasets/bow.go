package datasets

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
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

// bowPenalties are the L2 strengths tried on the validation split.
var bowPenalties = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}

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

// sparseRow is one example's features: column indices (ascending) and values. Texts use a
// few dozen of the vocabulary's words, so the baselines work on rows, not a dense matrix;
// gonum has no sparse matrices.
type sparseRow struct {
	cols []int
	vals []float64
}

// design returns the feature rows of the examples: the bias (column 0, value 1) and
// log(1+count) of every vocabulary word they contain.
func (v vocabulary) design(exs []Example) []sparseRow {
	rows := make([]sparseRow, len(exs))
	for i, ex := range exs {
		counts := map[int]float64{}
		for _, w := range words(ex.Text + " " + ex.Text2) {
			if j, ok := v[w]; ok {
				counts[j]++
			}
		}
		row := sparseRow{cols: []int{0}, vals: []float64{1}}
		cols := make([]int, 0, len(counts))
		for j := range counts {
			cols = append(cols, j)
		}
		slices.Sort(cols)
		for _, j := range cols {
			row.cols = append(row.cols, j)
			row.vals = append(row.vals, math.Log1p(counts[j]))
		}
		rows[i] = row
	}
	return rows
}

// logisticModel is a weight matrix (features x classes) of multinomial logistic regression.
type logisticModel struct{ w *mat.Dense }

// scores returns row · W for every class.
func (m logisticModel) scores(row sparseRow, out []float64) {
	clear(out)
	for k, j := range row.cols {
		floats.AddScaled(out, row.vals[k], m.w.RawRowView(j))
	}
}

// logisticObjective returns the function that fitLogistic minimises: the mean
// cross-entropy of softmax(x W) plus penalty/2 * |W|^2 (the bias row is not penalised), at
// params = W flattened row-major (features x classes). When grad is not nil it also stores
// the gradient there.
func logisticObjective(x []sparseRow, labels []int, features, classes int, penalty float64) func(params, grad []float64) float64 {
	n := float64(len(x))
	logits := make([]float64, classes)
	return func(params, grad []float64) float64 {
		m := logisticModel{w: mat.NewDense(features, classes, params)}
		if grad != nil {
			clear(grad)
		}
		loss := 0.0
		for i, row := range x {
			m.scores(row, logits)
			lse := floats.LogSumExp(logits)
			loss += lse - logits[labels[i]]
			if grad == nil {
				continue
			}
			// d loss / d logits = softmax - onehot; spread over the row's features.
			for c := range logits {
				logits[c] = math.Exp(logits[c] - lse)
			}
			logits[labels[i]]--
			for k, j := range row.cols {
				floats.AddScaled(grad[j*classes:(j+1)*classes], row.vals[k]/n, logits)
			}
		}
		loss /= n
		for j := classes; j < len(params); j++ { // skip the bias row
			loss += penalty / 2 * params[j] * params[j]
			if grad != nil {
				grad[j] += penalty * params[j]
			}
		}
		return loss
	}
}

// fitLogistic fits multinomial logistic regression with L-BFGS.
func fitLogistic(x []sparseRow, labels []int, features, classes int, penalty float64) (logisticModel, error) {
	lossAndGrad := logisticObjective(x, labels, features, classes, penalty)
	problem := optimize.Problem{
		Func: func(params []float64) float64 { return lossAndGrad(params, nil) },
		Grad: func(grad, params []float64) { lossAndGrad(params, grad) },
	}
	settings := &optimize.Settings{MajorIterations: 300, GradientThreshold: 1e-6}
	res, err := optimize.Minimize(problem, make([]float64, features*classes), settings, &optimize.LBFGS{})
	if err != nil && res == nil {
		return logisticModel{}, fmt.Errorf("fit logistic regression: %w", err)
	}
	return logisticModel{w: mat.NewDense(features, classes, res.X)}, nil
}

// predict returns the most probable class of every row.
func (m logisticModel) predict(x []sparseRow) []int {
	_, classes := m.w.Dims()
	scores := make([]float64, classes)
	out := make([]int, len(x))
	for i, row := range x {
		m.scores(row, scores)
		out[i] = floats.MaxIdx(scores)
	}
	return out
}

// normalEquations returns X^T X and X^T y of sparse rows.
func normalEquations(x []sparseRow, y []float64, features int) (*mat.SymDense, *mat.VecDense) {
	gram := mat.NewSymDense(features, nil)
	xty := mat.NewVecDense(features, nil)
	for i, row := range x {
		for a, ja := range row.cols {
			xty.SetVec(ja, xty.AtVec(ja)+row.vals[a]*y[i])
			for b := a; b < len(row.cols); b++ {
				jb := row.cols[b]
				gram.SetSym(ja, jb, gram.At(ja, jb)+row.vals[a]*row.vals[b])
			}
		}
	}
	return gram, xty
}

// fitRidge solves (X^T X + penalty * n * I') w = X^T y by Cholesky, I' leaving the bias
// unpenalised.
func fitRidge(gram *mat.SymDense, xty *mat.VecDense, n int, penalty float64) (*mat.VecDense, error) {
	d := gram.SymmetricDim()
	reg := mat.NewSymDense(d, nil)
	reg.CopySym(gram)
	for j := 1; j < d; j++ {
		reg.SetSym(j, j, reg.At(j, j)+penalty*float64(n))
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(reg); !ok {
		return nil, fmt.Errorf("fit ridge regression: normal equations not positive definite")
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, xty); err != nil {
		return nil, fmt.Errorf("fit ridge regression: %w", err)
	}
	return &w, nil
}

// predictLinear returns x · w for every row.
func predictLinear(x []sparseRow, w *mat.VecDense) []float64 {
	out := make([]float64, len(x))
	for i, row := range x {
		for k, j := range row.cols {
			out[i] += row.vals[k] * w.AtVec(j)
		}
	}
	return out
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
