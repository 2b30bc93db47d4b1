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

// design returns the n x (1+|v|) matrix of the examples: a bias column of ones and
// log(1+count) of every vocabulary word.
func (v vocabulary) design(exs []Example) *mat.Dense {
	x := mat.NewDense(len(exs), len(v)+1, nil)
	for i, ex := range exs {
		x.Set(i, 0, 1)
		for _, w := range words(ex.Text + " " + ex.Text2) {
			if j, ok := v[w]; ok {
				x.Set(i, j, x.At(i, j)+1)
			}
		}
		row := x.RawRowView(i)
		for j := 1; j < len(row); j++ {
			row[j] = math.Log1p(row[j])
		}
	}
	return x
}

// logisticModel is a weight matrix (features x classes) of multinomial logistic regression.
type logisticModel struct{ w *mat.Dense }

// fitLogistic minimises the mean cross-entropy of softmax(X W) plus penalty/2 * |W|^2 (the
// bias row is not penalised) with L-BFGS.
func fitLogistic(x *mat.Dense, labels []int, classes int, penalty float64) (logisticModel, error) {
	n, d := x.Dims()
	logits := mat.NewDense(n, classes, nil)
	residual := mat.NewDense(n, classes, nil)
	forward := func(params []float64) float64 {
		w := mat.NewDense(d, classes, params)
		logits.Mul(x, w)
		loss := 0.0
		for i := range n {
			row := logits.RawRowView(i)
			lse := floats.LogSumExp(row)
			loss += lse - row[labels[i]]
			res := residual.RawRowView(i)
			for k := range row {
				res[k] = math.Exp(row[k] - lse) // softmax probability
			}
			res[labels[i]]--
		}
		loss /= float64(n)
		for j := classes; j < len(params); j++ { // skip the bias row
			loss += penalty / 2 * params[j] * params[j]
		}
		return loss
	}
	problem := optimize.Problem{
		Func: forward,
		Grad: func(grad, params []float64) {
			forward(params)
			g := mat.NewDense(d, classes, grad)
			g.Mul(x.T(), residual)
			g.Scale(1/float64(n), g)
			for j := classes; j < len(params); j++ {
				grad[j] += penalty * params[j]
			}
		},
	}
	settings := &optimize.Settings{MajorIterations: 300, GradientThreshold: 1e-6}
	res, err := optimize.Minimize(problem, make([]float64, d*classes), settings, &optimize.LBFGS{})
	if err != nil && res == nil {
		return logisticModel{}, fmt.Errorf("fit logistic regression: %w", err)
	}
	return logisticModel{w: mat.NewDense(d, classes, res.X)}, nil
}

// predict returns the most probable class of every row of x.
func (m logisticModel) predict(x *mat.Dense) []int {
	var logits mat.Dense
	logits.Mul(x, m.w)
	n, _ := logits.Dims()
	out := make([]int, n)
	for i := range n {
		out[i] = floats.MaxIdx(logits.RawRowView(i))
	}
	return out
}

// fitRidge solves (X^T X + penalty * n * I') w = X^T y, I' leaving the bias unpenalised.
func fitRidge(x *mat.Dense, y []float64, penalty float64) (*mat.VecDense, error) {
	n, d := x.Dims()
	var gram mat.SymDense
	gram.SymOuterK(1, x.T())
	for j := 1; j < d; j++ {
		gram.SetSym(j, j, gram.At(j, j)+penalty*float64(n))
	}
	var rhs mat.VecDense
	rhs.MulVec(x.T(), mat.NewVecDense(n, y))
	var chol mat.Cholesky
	if ok := chol.Factorize(&gram); !ok {
		return nil, fmt.Errorf("fit ridge regression: normal equations not positive definite")
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, &rhs); err != nil {
		return nil, fmt.Errorf("fit ridge regression: %w", err)
	}
	return &w, nil
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

// predictLinear returns X w.
func predictLinear(x *mat.Dense, w *mat.VecDense) []float64 {
	n, _ := x.Dims()
	out := mat.NewVecDense(n, nil)
	out.MulVec(x, w)
	return out.RawVector().Data
}
