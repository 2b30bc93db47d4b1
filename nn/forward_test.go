package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestForwardValues checks each op's output against values worked out by hand.
func TestForwardValues(t *testing.T) {
	data := func(shape []int, v ...float32) *Tensor { return FromData(v, shape...) }
	cases := []struct {
		name  string
		build func(tp *Tape) *Tensor
		want  []float32
	}{
		{"Linear", func(tp *Tape) *Tensor {
			return tp.Linear(data([]int{1, 2}, 1, 2), data([]int{3, 2}, 1, 0, 0, 1, 1, 1), data([]int{3}, 0.5, -1, 0))
		}, []float32{1.5, 1, 3}},
		{"Add", func(tp *Tape) *Tensor { return tp.Add(data([]int{2}, 1, 2), data([]int{2}, 10, -20)) }, []float32{11, -18}},
		{"Scale", func(tp *Tape) *Tensor { return tp.Scale(data([]int{2}, 1, -2), 3) }, []float32{3, -6}},
		// mean 2.5, variance 1.25: x̂ = (x-2.5)/√1.25, y = 2x̂ + 1.
		{"ScaleRows", func(tp *Tape) *Tensor { return tp.ScaleRows(data([]int{2, 2}, 1, 2, 3, 4), []float32{0, -1}) }, []float32{0, 0, -3, -4}},
		{"LayerNorm", func(tp *Tape) *Tensor {
			return tp.LayerNorm(data([]int{1, 4}, 1, 2, 3, 4), data([]int{4}, 2, 2, 2, 2), data([]int{4}, 1, 1, 1, 1), 1e-5)
		}, []float32{-1.6832708, 0.10557639, 1.8944236, 3.6832708}},
		{"GELU", func(tp *Tape) *Tensor { return tp.GELU(data([]int{4}, 0, 1, -1, 2)) }, []float32{0, 0.84119199, -0.15880801, 1.9545977}},
		{"Tanh", func(tp *Tape) *Tensor { return tp.Tanh(data([]int{2}, 0.5, 0)) }, []float32{0.46211716, 0}},
		{"ReLU", func(tp *Tape) *Tensor { return tp.ReLU(data([]int{3}, -1, 0, 2)) }, []float32{0, 0, 2}},
		{"Embedding", func(tp *Tape) *Tensor {
			return tp.Embedding(data([]int{3, 2}, 0, 1, 10, 11, 20, 21), []int32{2, 0, 2})
		}, []float32{20, 21, 0, 1, 20, 21}},
		{"GatherRows", func(tp *Tape) *Tensor {
			return tp.GatherRows(data([]int{3, 1}, 5, 6, 7), []int32{1, 1, 0})
		}, []float32{6, 6, 5}},
		// batch 2: a has one row per sequence, b two.
		{"ConcatSeq", func(tp *Tape) *Tensor {
			return tp.ConcatSeq(data([]int{2, 1}, 1, 2), data([]int{4, 1}, 10, 11, 20, 21), 2)
		}, []float32{1, 10, 11, 2, 20, 21}},
		{"SliceSeq", func(tp *Tape) *Tensor {
			return tp.SliceSeq(data([]int{6, 1}, 0, 1, 2, 10, 11, 12), 2, 1, 3)
		}, []float32{1, 2, 11, 12}},
		{"TileBatch", func(tp *Tape) *Tensor { return tp.TileBatch(data([]int{2, 1}, 7, 8), 3) }, []float32{7, 8, 7, 8, 7, 8}},
		{"SetRows", func(tp *Tape) *Tensor {
			return tp.SetRows(data([]int{4, 1}, 0, 1, 2, 3), []int32{3, 1}, data([]int{2, 1}, 30, 10))
		}, []float32{0, 10, 2, 30}},
		// logits [1,2,3]: lse = 3 + log(1+e⁻¹+e⁻²) = 3.40760596, so nll(target 2) = 0.40760596.
		{"CrossEntropy", func(tp *Tape) *Tensor {
			return tp.CrossEntropy(data([]int{1, 3}, 1, 2, 3), []int32{2}, -1, 0)
		}, []float32{0.40760596}},
		// smoothing 0.1: 0.9·nll + 0.1·(lse - mean x) = 0.9·0.40760596 + 0.1·1.40760596.
		{"CrossEntropy/smoothing", func(tp *Tape) *Tensor {
			return tp.CrossEntropy(data([]int{1, 3}, 1, 2, 3), []int32{2}, -1, 0.1)
		}, []float32{0.50760596}},
		// the ignored row does not count: (0.40760596 + 2.40760596)/2.
		{"CrossEntropy/ignore", func(tp *Tape) *Tensor {
			return tp.CrossEntropy(data([]int{3, 3}, 1, 2, 3, 1, 2, 3, 9, 9, 9), []int32{2, 0, 7}, 7, 0)
		}, []float32{1.40760596}},
		{"CrossEntropy/all ignored", func(tp *Tape) *Tensor {
			return tp.CrossEntropy(data([]int{1, 3}, 1, 2, 3), []int32{-1}, -1, 0)
		}, []float32{0}},
		{"MSE", func(tp *Tape) *Tensor { return tp.MSE(data([]int{2, 1}, 1, 2), []float32{0, 4}) }, []float32{2.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.build(NewTape(1)).Data
			assertClose(t, got, c.want, 1e-6)
		})
	}
}

func assertClose(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestAttentionByHand checks one head of width 2 with q = k = I, v = [[1,2],[3,4]]: the
// scores of a query are 1/√2 for its own key and 0 for the other, so
// p = e^{1/√2}/(e^{1/√2}+1) = 0.66976155 on its own key.
func TestAttentionByHand(t *testing.T) {
	const p = 0.66976155
	cases := []struct {
		name   string
		causal bool
		mask   []bool
		want   []float32
	}{
		{"full", false, nil, []float32{p*1 + (1-p)*3, p*2 + (1-p)*4, (1-p)*1 + p*3, (1-p)*2 + p*4}},
		{"causal", true, nil, []float32{1, 2, (1-p)*1 + p*3, (1-p)*2 + p*4}},
		{"padding", false, []bool{false, true}, []float32{1, 2, 1, 2}},
		{"nothing visible", true, []bool{true, false}, []float32{0, 0, 3, 4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eye := FromData([]float32{1, 0, 0, 1}, 2, 2)
			v := FromData([]float32{1, 2, 3, 4}, 2, 2)
			got := NewTape(1).Attention(eye, eye, v, AttnSpec{Batch: 1, Heads: 1, TQ: 2, TK: 2, Causal: c.causal, KeyMask: c.mask})
			assertClose(t, got.Data, c.want, 1e-6)
		})
	}
}

// TestAttentionMatchesReference compares multi-head attention against a direct float64
// evaluation of softmax(QKᵀ/√dh + M)V: causal with TQ < TK and padding, and sequences
// longer than a query block, where the causal products skip the masked keys.
func TestAttentionMatchesReference(t *testing.T) {
	rng := newRand(11)
	long := 2*attnQueryBlock + 7
	padding := func(batch, tk int) []bool {
		m := make([]bool, batch*tk)
		for i := range m {
			m[i] = rng.IntN(5) == 0
		}
		return m
	}
	cases := []struct {
		name string
		spec AttnSpec
	}{
		{"causal TQ<TK with padding", AttnSpec{Batch: 2, Heads: 3, TQ: 3, TK: 5, Causal: true,
			KeyMask: []bool{false, true, false, false, false, false, false, false, false, true}}},
		{"causal, several query blocks", AttnSpec{Batch: 2, Heads: 3, TQ: long, TK: long, Causal: true}},
		{"causal TQ<TK, several query blocks, padding", AttnSpec{Batch: 2, Heads: 3, TQ: long - 20, TK: long,
			Causal: true, KeyMask: padding(2, long)}},
		{"not causal, long", AttnSpec{Batch: 2, Heads: 3, TQ: long, TK: long - 3, KeyMask: padding(2, long-3)}},
	}
	const d = 6
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.spec
			q := randLeaf(rng, "q", 1, s.Batch*s.TQ, d)
			k, v := randLeaf(rng, "k", 1, s.Batch*s.TK, d), randLeaf(rng, "v", 1, s.Batch*s.TK, d)
			got := NewTape(2).Attention(q, k, v, s)
			want := referenceAttention(q, k, v, s)
			for i := range want {
				if math.Abs(float64(got.Data[i])-want[i]) > 1e-5 {
					t.Fatalf("element %d: got %v, want %v", i, got.Data[i], want[i])
				}
			}
		})
	}
}

func referenceAttention(q, k, v *Tensor, s AttnSpec) []float64 {
	d := q.Shape[1]
	dh := d / s.Heads
	out := make([]float64, q.Len())
	for b := range s.Batch {
		for h := range s.Heads {
			for i := range s.TQ {
				qi := q.Data[(b*s.TQ+i)*d+h*dh:]
				weights := make([]float64, s.TK)
				var total float64
				for j := range s.TK {
					if (s.Causal && j > s.TK-s.TQ+i) || (s.KeyMask != nil && s.KeyMask[b*s.TK+j]) {
						continue
					}
					kj := k.Data[(b*s.TK+j)*d+h*dh:]
					var dot float64
					for c := range dh {
						dot += float64(qi[c]) * float64(kj[c])
					}
					weights[j] = math.Exp(dot / math.Sqrt(float64(dh)))
					total += weights[j]
				}
				for j, w := range weights {
					for c := range dh {
						if total > 0 {
							out[(b*s.TQ+i)*d+h*dh+c] += w / total * float64(v.Data[(b*s.TK+j)*d+h*dh+c])
						}
					}
				}
			}
		}
	}
	return out
}

// TestMatMul checks the no-grad helpers against a product worked out by hand.
func TestMatMul(t *testing.T) {
	a := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3) // [[1 2 3] [4 5 6]]
	b := FromData([]float32{1, 0, 0, 1, 1, 1}, 3, 2) // [[1 0] [0 1] [1 1]]
	assertClose(t, MatMul(a, b, false, false).Data, []float32{4, 5, 10, 11}, 0)
	assertClose(t, MatMul(a, a, false, true).Data, []float32{14, 32, 32, 77}, 0)
	assertClose(t, MatMul(a, a, true, false).Data, []float32{17, 22, 27, 22, 29, 36, 27, 36, 45}, 0)
	c := FromData([]float32{1, 1, 1, 1}, 2, 2)
	MatMulAdd(c, -2, a, b, false, false)
	assertClose(t, c.Data, []float32{-7, -9, -19, -21}, 0)
}

// TestGELUAccuracy compares every implementation of GELU and its derivative with a
// float64 evaluation over ordinary and extreme inputs: far in the negative tail the output
// is a tiny negative number (or -0) and the derivative 0, far in the positive tail they are
// x and 1, and nothing becomes NaN. The argument -2u of the exponential is rounded to
// float32, so the output's relative error grows like |2u|·2⁻²⁴ in the tails.
func TestGELUAccuracy(t *testing.T) {
	cases := []struct {
		x            float32
		wantY, wantD float64 // used for |x| > 1e10 only; otherwise from the float64 formulas
	}{
		{x: 0}, {x: 1e-7}, {x: -1e-3}, {x: 0.5}, {x: -0.7}, {x: 1.5}, {x: -3}, {x: -5.5},
		{x: -9}, {x: 3}, {x: 10}, {x: -20}, {x: 50},
		{x: -1e20, wantY: math.Copysign(0, -1), wantD: 0},
		{x: 1e20, wantY: 1e20, wantD: 1},
	}
	for _, impl := range geluImplementations() {
		for _, c := range cases {
			// Each input sits among others, in a full block of eight and in the tail.
			for _, pos := range []int{2, 9} {
				x := []float32{0.3, -1, 2, 0.1, -0.5, 4, -2, 1, 0.7, 0.2, -0.1}
				x[pos] = c.x
				y, gates, dx := make([]float32, len(x)), make([]float32, len(x)), make([]float32, len(x))
				dy := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
				impl.forward(y, gates, x)
				impl.backward(dx, dy, gates, false)

				xv := float64(c.x)
				u := sqrt2OverPi * (xv + geluCubic*xv*xv*xv)
				s := 1 / (1 + math.Exp(-2*u))
				wantY, wantD := xv*s, s+2*xv*s*(1-s)*sqrt2OverPi*(1+3*geluCubic*xv*xv)
				if math.Abs(xv) > 1e10 {
					wantY, wantD = c.wantY, c.wantD
				}
				tol := 2e-7 * (4 + math.Abs(2*u))
				gotY, gotD := float64(y[pos]), float64(dx[pos])
				if math.Abs(gotY-wantY) > tol*math.Abs(wantY)+1e-37 || math.IsNaN(gotY) {
					t.Errorf("%s: GELU(%v) = %v, want %v", impl.name, c.x, gotY, wantY)
				}
				if math.Abs(gotD-wantD) > tol*math.Abs(wantD)+1e-7 || math.IsNaN(gotD) {
					t.Errorf("%s: GELU'(%v) = %v, want %v", impl.name, c.x, gotD, wantD)
				}
			}
		}
	}
}

// TestGELUPositionIndependent checks that an element's GELU, gate and gradient do not
// depend on where the range it is computed in starts or ends, and that forward without
// gates gives the same outputs.
func TestGELUPositionIndependent(t *testing.T) {
	rng := newRand(13)
	const n = 45
	x, dy := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], dy[i] = float32(rng.NormFloat64()*3), float32(rng.NormFloat64())
	}
	for _, impl := range geluImplementations() {
		y, gates, dx := make([]float32, n), make([]float32, n), make([]float32, n)
		impl.forward(y, gates, x)
		impl.backward(dx, dy, gates, false)
		for lo := range 10 {
			for hi := lo; hi <= n; hi += 3 {
				py, pg, pdx := make([]float32, hi-lo), make([]float32, hi-lo), make([]float32, hi-lo)
				impl.forward(py, pg, x[lo:hi])
				impl.backward(pdx, dy[lo:hi], pg, false)
				noGates := make([]float32, hi-lo)
				impl.forward(noGates, nil, x[lo:hi])
				if !equalBits(py, y[lo:hi]) || !equalBits(pg, gates[lo:hi]) || !equalBits(pdx, dx[lo:hi]) || !equalBits(noGates, py) {
					t.Fatalf("%s: GELU of x[%d:%d] differs from the same elements of the whole slice", impl.name, lo, hi)
				}
			}
		}
	}
}

// TestMeanVariance checks LayerNorm's statistics on rows worked out by hand, of lengths
// around the four-way unrolling and with a large common offset.
func TestMeanVariance(t *testing.T) {
	cases := []struct {
		row            []float32
		mean, variance float64
	}{
		{[]float32{3}, 3, 0},
		{[]float32{1, 2, 3}, 2, 2.0 / 3},
		{[]float32{1, 2, 3, 4}, 2.5, 1.25},
		{[]float32{1, 2, 3, 4, 5}, 3, 2},
		{[]float32{-1, 1, -1, 1, -1, 1, -1, 1, -1}, -1.0 / 9, 1 - 1.0/81},
		{[]float32{10000, 10001, 10002, 10003, 10004}, 10002, 2},
	}
	for _, c := range cases {
		mean, variance := meanVariance(c.row)
		if math.Abs(mean-c.mean) > 1e-12*math.Abs(c.mean)+1e-15 || math.Abs(variance-c.variance) > 1e-9 {
			t.Errorf("meanVariance(%v) = %v, %v; want %v, %v", c.row, mean, variance, c.mean, c.variance)
		}
	}
}

// TestMeanVariance4BitIdentical: the four-rows-at-once statistics equal meanVariance's
// bit for bit, on rows of several widths, offsets and spreads.
func TestMeanVariance4BitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, d := range []int{4, 8, 12, 128, 516} {
		for _, c := range []struct{ offset, spread float64 }{{0, 1}, {1e4, 1}, {-3, 1e-3}, {0, 1e6}} {
			x := make([]float32, 4*d)
			for i := range x {
				x[i] = float32(c.offset + c.spread*rng.NormFloat64())
			}
			var mean, variance [4]float64
			meanVariance4(x, d, &mean, &variance)
			for r := range 4 {
				m, v := meanVariance(x[r*d : (r+1)*d])
				if math.Float64bits(m) != math.Float64bits(mean[r]) || math.Float64bits(v) != math.Float64bits(variance[r]) {
					t.Errorf("d %d offset %g spread %g row %d: meanVariance4 %v, %v; meanVariance %v, %v",
						d, c.offset, c.spread, r, mean[r], variance[r], m, v)
				}
			}
		}
	}
}

// TestCrossEntropyMatchesReference compares the loss and the logits' gradient with a
// float64 evaluation, on rows as long as the vocabulary and on short rows (not a multiple
// of the vector width), with logits spread widely and with a large common offset, with
// label smoothing and ignored rows.
func TestCrossEntropyMatchesReference(t *testing.T) {
	cases := []struct {
		name          string
		rows, vocab   int
		scale, offset float64
	}{
		{"vocabulary rows", 6, 4096, 3, 0},
		{"short rows", 9, 37, 1, 0},
		{"wide logits", 5, 300, 30, 0},
		{"large offset", 5, 300, 2, 1000},
		{"negative offset", 5, 300, 2, -500},
	}
	const smoothing = 0.1
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := newRand(uint64(20 + ci))
			logits := NewParam("logits", c.rows, c.vocab)
			for i := range logits.Data {
				logits.Data[i] = float32(rng.NormFloat64()*c.scale + c.offset)
			}
			targets := make([]int32, c.rows)
			for i := range targets {
				targets[i] = int32(rng.IntN(c.vocab))
			}
			targets[1] = -1 // ignored
			tp := NewTape(2)
			loss := tp.CrossEntropy(logits, targets, -1, smoothing)
			tp.Backward(loss)

			wantLoss, wantGrad := referenceCrossEntropy(logits, targets, -1, smoothing)
			if got := float64(loss.Data[0]); math.Abs(got-wantLoss) > 1e-6*(1+math.Abs(wantLoss)) {
				t.Errorf("loss %v, want %v", got, wantLoss)
			}
			for i, want := range wantGrad {
				if got := float64(logits.Grad[i]); math.Abs(got-want) > 1e-6*math.Abs(want)+1e-9 {
					t.Fatalf("gradient %d (row %d): %v, want %v", i, i/c.vocab, got, want)
				}
			}
		})
	}
}

// referenceCrossEntropy evaluates the label-smoothed cross-entropy and its gradient in
// float64.
func referenceCrossEntropy(logits *Tensor, targets []int32, ignore int32, eps float64) (loss float64, grad []float64) {
	n, v := logits.Shape[0], logits.Shape[1]
	grad = make([]float64, n*v)
	counted := 0
	for _, y := range targets {
		if y != ignore {
			counted++
		}
	}
	for r := range n {
		if targets[r] == ignore {
			continue
		}
		row := logits.Data[r*v : (r+1)*v]
		mx := math.Inf(-1)
		for _, x := range row {
			mx = math.Max(mx, float64(x))
		}
		var sumExp, sum float64
		for _, x := range row {
			sumExp += math.Exp(float64(x) - mx)
			sum += float64(x)
		}
		lse := mx + math.Log(sumExp)
		loss += (1-eps)*(lse-float64(row[targets[r]])) + eps*(lse-sum/float64(v))
		for j, x := range row {
			p := math.Exp(float64(x)-mx) / sumExp
			grad[r*v+j] = (p - eps/float64(v)) / float64(counted)
		}
		grad[r*v+int(targets[r])] -= (1 - eps) / float64(counted)
	}
	return loss / float64(counted), grad
}
