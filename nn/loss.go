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
	counted := checkTargets(name, n, v, targets, ignore, smoothing, logits.Shape)
	o := t.record("CrossEntropy", crossEntropyBackward, [5]*Tensor{logits}, 1)
	// o.saved: the maximum m of each row, then 1/Σ exp(x - m), from which backward
	// recomputes softmax(x) instead of keeping N·V probabilities.
	o.saved = t.floats.take(2 * n)
	t.crossEntropyForward(o, targets, ignore, counted, smoothing)
	return o.out
}

// LinearCrossEntropy is CrossEntropy(Linear(x, w, nil), targets, ignore, smoothing) fused
// into one op, for a language model's head: the logits [N,V] = x wᵀ live inside the op, and
// backward turns them into their own gradient in place before multiplying it out:
//
//	dlogits = dy/c · (softmax(logits) - (1-ε)[v=t] - ε/V),  dx += dlogits w,  dw += dlogitsᵀ x
//
// so the N·V logits are kept once, without the N·V gradient buffer an activation would get.
// It returns the scalar loss; the logits are not exposed.
func (t *Tape) LinearCrossEntropy(x, w *Tensor, targets []int32, ignore int32, smoothing float32) *Tensor {
	const name = "nn.LinearCrossEntropy"
	need2D(name, "x", x)
	need2D(name, "w", w)
	n, in, v := x.Shape[0], x.Shape[1], w.Shape[0]
	if w.Shape[1] != in {
		panic(fmt.Sprintf("%s: x has shape %v but w has shape %v; want w [V,%d]", name, x.Shape, w.Shape, in))
	}
	counted := checkTargets(name, n, v, targets, ignore, smoothing, []int{n, v})
	o := t.record("LinearCrossEntropy", linearCrossEntropyBackward, [5]*Tensor{x, w}, 1)
	// o.saved: the row statistics as in CrossEntropy, then the logits.
	o.saved = t.floats.take(2*n + n*v)
	t.matmul().Sgemm(false, true, n, v, in, 1, x.Data, in, w.Data, in, 0, o.saved[2*n:], v)
	t.crossEntropyForward(o, targets, ignore, counted, smoothing)
	return o.out
}

// checkTargets panics, naming op, unless targets fit logits of n rows and v classes and the
// smoothing is in [0,1); it returns the number of counted (not ignored) rows.
func checkTargets(op string, n, v int, targets []int32, ignore int32, smoothing float32, shape []int) int {
	if v == 0 && n > 0 {
		panic(fmt.Sprintf("%s: logits has shape %v, no classes to score", op, shape))
	}
	if len(targets) != n {
		panic(fmt.Sprintf("%s: logits has shape %v but targets has shape [%d]; want [%d]", op, shape, len(targets), n))
	}
	if !(smoothing >= 0 && smoothing < 1) {
		panic(fmt.Sprintf("%s: label smoothing %v outside [0,1)", op, smoothing))
	}
	counted := 0
	for i, y := range targets {
		if y == ignore {
			continue
		}
		needRowIndex(op, "target", y, i, v, shape)
		counted++
	}
	return counted
}

// crossEntropyForward computes the loss of a CrossEntropy or LinearCrossEntropy op whose
// o.saved is taken: the row statistics into o.saved, the mean loss into o.out.
func (t *Tape) crossEntropyForward(o *op, targets []int32, ignore int32, counted int, smoothing float32) {
	n, v := o.logitsShape()
	o.ids = t.copyInts(targets)
	o.n = [3]int{int(ignore), counted}
	o.scalar = smoothing
	// o.work: the loss of each row, then a row of scratch per goroutine for the exponentials.
	o.work = t.scratch.take(n + t.threads*v)
	t.parallel(o, n, rowGrain(8*v), crossEntropyRows)
	var sum float64
	for _, l := range o.work[:n] {
		sum += float64(l)
	}
	o.out.Data[0] = 0
	if counted > 0 {
		o.out.Data[0] = float32(sum / float64(counted))
	}
}

// logitsShape is the [N,V] of a cross-entropy op's logits.
func (o *op) logitsShape() (n, v int) {
	if o.name == "LinearCrossEntropy" {
		return o.in[0].Shape[0], o.in[1].Shape[0]
	}
	return o.in[0].Shape[0], o.in[0].Shape[1]
}

// logits returns a cross-entropy op's logits and the buffer backward adds their gradient
// to: the input and its gradient for CrossEntropy, the op's own logits (overwritten by their
// gradient) for LinearCrossEntropy.
func (o *op) logits() (x, dx []float32) {
	if o.name == "LinearCrossEntropy" {
		n, _ := o.logitsShape()
		return o.saved[2*n:], o.saved[2*n:]
	}
	return o.in[0].Data, o.in[0].Grad
}

// crossEntropyScratch is the row of scratch of the goroutine in slot.
func (o *op) crossEntropyScratch(slot int) []float32 {
	n, v := o.logitsShape()
	return o.work[n+slot*v : n+(slot+1)*v]
}

func crossEntropyRows(o *op, slot, lo, hi int) {
	ignore, eps := int32(o.n[0]), float64(o.scalar)
	n, v := o.logitsShape()
	x, _ := o.logits()
	exps := o.crossEntropyScratch(slot)
	for r := lo; r < hi; r++ {
		row := x[r*v : (r+1)*v]
		mx, sum := maxAndSum(row)
		sumExp := expSub(exps, row, mx)
		o.saved[r], o.saved[n+r] = mx, 1/sumExp
		lse := float64(mx) + math.Log(float64(sumExp))
		if o.ids[r] == ignore {
			o.work[r] = 0
			continue
		}
		nll := lse - float64(row[o.ids[r]])
		o.work[r] = float32((1-eps)*nll + eps*(lse-sum/float64(v)))
	}
}

// maxAndSum returns the largest element of a non-empty row and the sum of its elements,
// each over four interleaved partial results (the sums in float64), kept in separate
// variables so that the compiler holds them in registers. Plain comparisons, not the max
// builtin, whose NaN and signed-zero rules cost a branch per element: a NaN logit makes
// the loss NaN through the exponentials anyway.
func maxAndSum(row []float32) (mx float32, sum float64) {
	m0, m1, m2, m3 := row[0], row[0], row[0], row[0]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(row); i += 4 {
		r := row[i : i+4 : i+4]
		a, b, c, d := r[0], r[1], r[2], r[3]
		if a > m0 {
			m0 = a
		}
		if b > m1 {
			m1 = b
		}
		if c > m2 {
			m2 = c
		}
		if d > m3 {
			m3 = d
		}
		s0 += float64(a)
		s1 += float64(b)
		s2 += float64(c)
		s3 += float64(d)
	}
	for ; i < len(row); i++ {
		if row[i] > m0 {
			m0 = row[i]
		}
		s0 += float64(row[i])
	}
	mx = m0
	for _, v := range [3]float32{m1, m2, m3} {
		if v > mx {
			mx = v
		}
	}
	return mx, (s0 + s1) + (s2 + s3)
}

func crossEntropyBackward(t *Tape, o *op) {
	if o.n[1] == 0 {
		return
	}
	n, v := o.logitsShape()
	t.parallel(o, n, rowGrain(4*v), crossEntropyBackwardRows)
}

// linearCrossEntropyBackward turns the op's logits into their gradient in place (ignored
// rows into zeros), then multiplies it out to x and w.
func linearCrossEntropyBackward(t *Tape, o *op) {
	x, w := o.in[0], o.in[1]
	n, v := o.logitsShape()
	in := x.Shape[1]
	if o.n[1] == 0 {
		return
	}
	t.parallel(o, n, rowGrain(4*v), crossEntropyBackwardRows)
	_, dl := o.logits()
	if needsGrad(x) {
		t.matmul().Sgemm(false, false, n, in, v, 1, dl, v, w.Data, in, 1, x.Grad, in)
	}
	if needsGrad(w) {
		t.matmul().Sgemm(true, false, v, in, n, 1, dl, v, x.Data, in, 1, w.Grad, in)
	}
}

// crossEntropyBackwardRows recomputes p = softmax(x) = exp(x - m)/Σ exp(x - m) of each
// counted row from its saved maximum m and 1/Σ, and adds dy/c · (p - (1-ε)[v=t] - ε/V)
// to its gradient. Subtracting m, not the log-sum-exp, keeps p accurate for logits with
// a large common offset. Where the gradient buffer is the logits themselves
// (LinearCrossEntropy) it is set, not added: the exponentials are computed from the row
// into scratch before the row is overwritten, and an ignored row becomes zeros.
func crossEntropyBackwardRows(o *op, slot, lo, hi int) {
	ignore, eps := int32(o.n[0]), o.scalar
	n, v := o.logitsShape()
	x, dx := o.logits()
	inPlace := o.name == "LinearCrossEntropy"
	g := o.out.Grad[0] / float32(o.n[1])
	uniform := g * eps / float32(v)
	exps := o.crossEntropyScratch(slot)
	for r := lo; r < hi; r++ {
		target := o.ids[r]
		row, drow := x[r*v:(r+1)*v], dx[r*v:(r+1)*v]
		if target == ignore {
			if inPlace {
				clear(drow)
			}
			continue
		}
		expSub(exps, row, o.saved[r])
		gp := g * o.saved[n+r] // dy/c divided by Σ exp(x - m)
		if inPlace {
			for j, e := range exps {
				drow[j] = gp*e - uniform
			}
		} else {
			for j, e := range exps {
				drow[j] += gp*e - uniform
			}
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
	o := t.record("MSE", mseBackward, [5]*Tensor{pred}, 1)
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
