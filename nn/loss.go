package nn

import (
	"fmt"
	"math"
)

// CrossEntropy is the mean over counted rows of the label-smoothed negative log-likelihood
// of logits [N,V] against targets [N]; rows whose target is ignore are not counted:
//
//	lse = log Σ_v exp(x_v),  loss_row = (1-ε)(lse - x_t) + ε(lse - mean_v x_v),
//
// the second term being mean_v(-log p_v). The log-sum-exp subtracts the row maximum first.
// With no counted row the loss is 0. Backward, with c the number of counted rows and
// p = softmax(x): dx_v += dy/c · (p_v - (1-ε)[v=t] - ε/V).
func (t *Tape) CrossEntropy(logits *Tensor, targets []int32, ignore int32, smoothing float32) *Tensor {
	const name = "nn.CrossEntropy"
	need2D(name, "logits", logits)
	n, v := logits.Shape[0], logits.Shape[1]
	if len(targets) != n {
		panic(fmt.Sprintf("%s: logits has shape %v but targets has shape [%d]; want [%d]", name, logits.Shape, len(targets), n))
	}
	if !(smoothing >= 0 && smoothing < 1) {
		panic(fmt.Sprintf("%s: label smoothing %v outside [0,1)", name, smoothing))
	}
	counted := 0
	for i, y := range targets {
		if y == ignore {
			continue
		}
		needRowIndex(name, "target", y, i, v, logits.Shape)
		counted++
	}
	o := t.record("CrossEntropy", crossEntropyBackward, [3]*Tensor{logits}, 1)
	o.ids = t.copyInts(targets)
	o.n = [3]int{int(ignore), counted}
	o.scalar = smoothing
	o.work = t.floats.take(n) // the loss of each row
	if o.backward != nil {
		o.saved = t.floats.take(n * v) // softmax(x) of each row, so backward needs no exp
	}
	t.parallel(o, n, rowGrain(8*v), crossEntropyRows)
	var sum float64
	for _, l := range o.work {
		sum += float64(l)
	}
	o.out.Data[0] = 0
	if counted > 0 {
		o.out.Data[0] = float32(sum / float64(counted))
	}
	return o.out
}

func crossEntropyRows(o *op, _, lo, hi int) {
	x, ignore, eps := o.in[0], int32(o.n[0]), float64(o.scalar)
	v := x.Shape[1]
	for r := lo; r < hi; r++ {
		row := x.Data[r*v : (r+1)*v]
		var probs []float32
		if o.saved != nil {
			probs = o.saved[r*v : (r+1)*v]
		}
		lse, sum := logSumExp(row, probs)
		if o.ids[r] == ignore {
			o.work[r] = 0
			continue
		}
		nll := lse - float64(row[o.ids[r]])
		o.work[r] = float32((1-eps)*nll + eps*(lse-sum/float64(v)))
	}
}

// logSumExp returns log Σ exp(row), computed stably by subtracting the maximum, and Σ row.
// If probs is not nil it receives softmax(row).
func logSumExp(row, probs []float32) (lse, sum float64) {
	mx := row[0]
	for _, x := range row {
		mx = max(mx, x)
	}
	var s float64
	for j, x := range row {
		e := math.Exp(float64(x - mx))
		s += e
		sum += float64(x)
		if probs != nil {
			probs[j] = float32(e)
		}
	}
	if probs != nil {
		inv := float32(1 / s)
		for j := range probs {
			probs[j] *= inv
		}
	}
	return float64(mx) + math.Log(s), sum
}

func crossEntropyBackward(t *Tape, o *op) {
	if o.n[1] == 0 {
		return
	}
	t.parallel(o, o.in[0].Shape[0], rowGrain(2*o.in[0].Shape[1]), crossEntropyBackwardRows)
}

func crossEntropyBackwardRows(o *op, _, lo, hi int) {
	x, ignore, eps := o.in[0], int32(o.n[0]), o.scalar
	v := x.Shape[1]
	g := o.out.Grad[0] / float32(o.n[1])
	uniform := eps / float32(v)
	for r := lo; r < hi; r++ {
		target := o.ids[r]
		if target == ignore {
			continue
		}
		probs, drow := o.saved[r*v:(r+1)*v], x.Grad[r*v:(r+1)*v]
		for j, p := range probs {
			drow[j] += g * (p - uniform)
		}
		drow[target] -= g * (1 - eps)
	}
}

// MSE is the mean squared error mean_i (pred_i - target_i)² of pred (any shape, usually
// [N,1]) against target with one value per element. Backward: dpred_i += dy·2(pred_i - target_i)/n.
func (t *Tape) MSE(pred *Tensor, target []float32) *Tensor {
	needTensor("nn.MSE", "pred", pred)
	if len(target) != pred.Len() {
		panic(fmt.Sprintf("nn.MSE: pred has shape %v but target has shape [%d]; want %d values", pred.Shape, len(target), pred.Len()))
	}
	o := t.record("MSE", mseBackward, [3]*Tensor{pred}, 1)
	o.saved = t.floats.take(len(target))
	copy(o.saved, target)
	var sum float64
	for i, p := range pred.Data {
		diff := float64(p) - float64(target[i])
		sum += diff * diff
	}
	o.out.Data[0] = 0
	if len(target) > 0 {
		o.out.Data[0] = float32(sum / float64(len(target)))
	}
	return o.out
}

func mseBackward(_ *Tape, o *op) {
	pred := o.in[0]
	g := 2 * o.out.Grad[0] / float32(len(o.saved))
	for i, p := range pred.Data {
		pred.Grad[i] += g * (p - o.saved[i])
	}
}
