// Package linfit fits the linear models that loralab uses as reference points: multinomial
// logistic regression and ridge regression on sparse rows, with the L2 strength chosen on a
// validation set. The bag-of-words baselines (package datasets) and the linear probe of a
// frozen model (package probe) both use it, so that a probe and bag of words are fitted the
// same way.
package linfit

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Row is one example's features: column indices (ascending) and values. Column 0 is the
// bias by convention: every row should hold it with value 1, and it is never penalised.
// Dense features are a Row with every column.
type Row struct {
	Cols []int
	Vals []float64
}

// DenseRow returns the row [1, x...]: the bias in column 0, then x in columns 1..len(x).
func DenseRow(x []float64) Row {
	r := Row{Cols: make([]int, len(x)+1), Vals: make([]float64, len(x)+1)}
	r.Vals[0] = 1
	for i := range r.Cols {
		r.Cols[i] = i
	}
	copy(r.Vals[1:], x)
	return r
}

// Penalties are the L2 strengths tried on the validation split by ChooseLogistic and
// ChooseRidge.
var Penalties = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}

// Logistic is the weight matrix (features x classes) of multinomial logistic regression.
type Logistic struct{ W *mat.Dense }

// scores returns row · W for every class.
func (m Logistic) scores(row Row, out []float64) {
	clear(out)
	for k, j := range row.Cols {
		floats.AddScaled(out, row.Vals[k], m.W.RawRowView(j))
	}
}

// LogisticObjective returns the function that FitLogistic minimises: the mean
// cross-entropy of softmax(x W) plus penalty/2 * |W|^2 (the bias row is not penalised), at
// params = W flattened row-major (features x classes). When grad is not nil it also stores
// the gradient there.
func LogisticObjective(x []Row, labels []int, features, classes int, penalty float64) func(params, grad []float64) float64 {
	n := float64(len(x))
	logits := make([]float64, classes)
	return func(params, grad []float64) float64 {
		m := Logistic{W: mat.NewDense(features, classes, params)}
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
			for k, j := range row.Cols {
				floats.AddScaled(grad[j*classes:(j+1)*classes], row.Vals[k]/n, logits)
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

// FitLogistic fits multinomial logistic regression with L-BFGS from zero weights.
func FitLogistic(x []Row, labels []int, features, classes int, penalty float64) (Logistic, error) {
	lossAndGrad := LogisticObjective(x, labels, features, classes, penalty)
	problem := optimize.Problem{
		Func: func(params []float64) float64 { return lossAndGrad(params, nil) },
		Grad: func(grad, params []float64) { lossAndGrad(params, grad) },
	}
	settings := &optimize.Settings{MajorIterations: 300, GradientThreshold: 1e-6}
	res, err := optimize.Minimize(problem, make([]float64, features*classes), settings, &optimize.LBFGS{})
	if err != nil && res == nil {
		return Logistic{}, fmt.Errorf("fit logistic regression: %w", err)
	}
	return Logistic{W: mat.NewDense(features, classes, res.X)}, nil
}

// Predict returns the most probable class of every row.
func (m Logistic) Predict(x []Row) []int {
	_, classes := m.W.Dims()
	scores := make([]float64, classes)
	out := make([]int, len(x))
	for i, row := range x {
		m.scores(row, scores)
		out[i] = floats.MaxIdx(scores)
	}
	return out
}

// ChooseLogistic fits one model per penalty of Penalties on the train rows and returns the
// one with the best accuracy on the validation rows (the smaller penalty on a tie), with
// that penalty.
func ChooseLogistic(train []Row, labels []int, val []Row, valLabels []int, features, classes int) (Logistic, float64, error) {
	var best Logistic
	bestPenalty, bestAcc := 0.0, -1.0
	for _, penalty := range Penalties {
		m, err := FitLogistic(train, labels, features, classes, penalty)
		if err != nil {
			return Logistic{}, 0, err
		}
		correct := 0
		for i, l := range m.Predict(val) {
			if l == valLabels[i] {
				correct++
			}
		}
		if acc := float64(correct) / float64(len(val)); acc > bestAcc {
			best, bestPenalty, bestAcc = m, penalty, acc
		}
	}
	return best, bestPenalty, nil
}

// NormalEquations returns X^T X and X^T y of sparse rows with the given number of columns.
func NormalEquations(x []Row, y []float64, features int) (*mat.SymDense, *mat.VecDense) {
	gram := mat.NewSymDense(features, nil)
	xty := mat.NewVecDense(features, nil)
	for i, row := range x {
		for a, ja := range row.Cols {
			xty.SetVec(ja, xty.AtVec(ja)+row.Vals[a]*y[i])
			for b := a; b < len(row.Cols); b++ {
				jb := row.Cols[b]
				gram.SetSym(ja, jb, gram.At(ja, jb)+row.Vals[a]*row.Vals[b])
			}
		}
	}
	return gram, xty
}

// FitRidge solves (X^T X + penalty * n * I') w = X^T y by Cholesky, I' leaving the bias
// unpenalised.
func FitRidge(gram *mat.SymDense, xty *mat.VecDense, n int, penalty float64) (*mat.VecDense, error) {
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

// PredictLinear returns x · w for every row.
func PredictLinear(x []Row, w *mat.VecDense) []float64 {
	out := make([]float64, len(x))
	for i, row := range x {
		for k, j := range row.Cols {
			out[i] += row.Vals[k] * w.AtVec(j)
		}
	}
	return out
}

// ChooseRidge fits ridge regression at each penalty of Penalties and returns the weights
// with the least squared error on the validation rows (the smaller penalty on a tie), with
// that penalty.
func ChooseRidge(train []Row, y []float64, val []Row, valY []float64, features int) (*mat.VecDense, float64, error) {
	gram, xty := NormalEquations(train, y, features)
	var best *mat.VecDense
	bestPenalty, bestErr := 0.0, math.Inf(1)
	for _, penalty := range Penalties {
		w, err := FitRidge(gram, xty, len(y), penalty)
		if err != nil {
			return nil, 0, err
		}
		sq := 0.0
		for i, p := range PredictLinear(val, w) {
			sq += (p - valY[i]) * (p - valY[i])
		}
		if sq < bestErr {
			best, bestPenalty, bestErr = w, penalty, sq
		}
	}
	return best, bestPenalty, nil
}
