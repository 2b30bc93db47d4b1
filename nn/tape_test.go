package nn

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

// trainStep records the test model's loss, runs backward and applies AdamW.
func trainStep(tp *Tape, m *testModel, opt *AdamW, ids, targets []int32, batch int, mask []bool) *Tensor {
	tp.Reset()
	loss := m.loss(tp, ids, targets, batch, mask, 17)
	tp.Backward(loss)
	opt.Step(1e-3)
	return loss
}

// TestThreadsBitIdentical runs forward and backward of a two-layer decoder on 1, 2 and 3
// goroutines, with every op split as finely as possible, and wants identical bits. The
// sizes are large enough for the GEMM pool to split its products too.
func TestThreadsBitIdentical(t *testing.T) {
	const vocab, batch, seq = 53, 3, 33
	ids, targets := randomTokens(8, vocab, batch, seq)
	mask := make([]bool, batch*seq)
	mask[seq-1], mask[2*seq+3] = true, true
	type result struct {
		loss  float32
		grads [][]float32
	}
	run := func(threads int) result {
		m := newTestModel(9, vocab, seq, 48, 4, 2)
		tp := NewTape(threads)
		tp.grain = 1
		loss := m.loss(tp, ids, targets, batch, mask, 3)
		tp.Backward(loss)
		r := result{loss: loss.Data[0]}
		for _, p := range m.params() {
			r.grads = append(r.grads, slices.Clone(p.Grad))
		}
		return r
	}
	want := run(1)
	for _, threads := range []int{2, 3} {
		got := run(threads)
		if math.Float32bits(got.loss) != math.Float32bits(want.loss) {
			t.Errorf("%d threads: loss %v, 1 thread: %v", threads, got.loss, want.loss)
		}
		for i := range want.grads {
			if !slices.Equal(bitsOf(got.grads[i]), bitsOf(want.grads[i])) {
				t.Errorf("%d threads: gradient of parameter %d differs from 1 thread", threads, i)
			}
		}
	}
}

// TestSetThreadsBitIdentical reuses one tape across passes while SetThreads changes its
// thread count between them: every pass matches a fresh one-thread tape.
func TestSetThreadsBitIdentical(t *testing.T) {
	const vocab, batch, seq = 53, 3, 33
	ids, targets := randomTokens(8, vocab, batch, seq)
	pass := func(tp *Tape) (float32, [][]float32) {
		m := newTestModel(9, vocab, seq, 48, 4, 2)
		loss := m.loss(tp, ids, targets, batch, nil, 3)
		tp.Backward(loss)
		var grads [][]float32
		for _, p := range m.params() {
			grads = append(grads, slices.Clone(p.Grad))
		}
		l := loss.Data[0]
		tp.Reset()
		return l, grads
	}
	ref := NewTape(1)
	ref.grain = 1
	wantLoss, wantGrads := pass(ref)
	tp := NewTape(1)
	tp.grain = 1
	for i, threads := range []int{1, 2, 3, 1, 2, 4, 2} {
		tp.SetThreads(threads)
		if tp.Threads() != threads {
			t.Fatalf("pass %d: Threads() = %d after SetThreads(%d)", i, tp.Threads(), threads)
		}
		loss, grads := pass(tp)
		if math.Float32bits(loss) != math.Float32bits(wantLoss) {
			t.Errorf("pass %d on %d threads: loss %v, want %v", i, threads, loss, wantLoss)
		}
		for j := range wantGrads {
			if !slices.Equal(bitsOf(grads[j]), bitsOf(wantGrads[j])) {
				t.Errorf("pass %d on %d threads: gradient of parameter %d differs", i, threads, j)
			}
		}
	}
}

func bitsOf(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

// TestWarmStepAllocatesNothing measures a warmed-up training step (forward, backward,
// AdamW) of a two-layer decoder: every buffer comes from the tape's arena.
func TestWarmStepAllocatesNothing(t *testing.T) {
	const vocab, batch, seq = 31, 2, 8
	ids, targets := randomTokens(1, vocab, batch, seq)
	for _, threads := range []int{1, 2} {
		m := newTestModel(2, vocab, seq, 16, 2, 2)
		opt := NewAdamW([]ParamGroup{{Name: "all", Params: m.params(), WeightDecay: 0.01}})
		tp := NewTape(threads)
		tp.grain = 1
		params := m.params()
		step := func() {
			trainStep(tp, m, opt, ids, targets, batch, nil)
			ZeroGrads(params)
		}
		step()
		step()
		if allocs := testing.AllocsPerRun(5, step); allocs != 0 {
			t.Errorf("%d threads: %v allocations per warm step, want 0", threads, allocs)
		}
	}
}

// TestTrainingReducesLoss fits a tiny decoder to a fixed batch: a smoke test that the ops,
// backward and AdamW work together.
func TestTrainingReducesLoss(t *testing.T) {
	const vocab, batch, seq = 13, 2, 6
	ids, targets := randomTokens(3, vocab, batch, seq)
	m := newTestModel(4, vocab, seq, 16, 2, 1)
	opt := NewAdamW([]ParamGroup{{Params: m.params()}})
	tp := NewTape(2)
	first := trainStep(tp, m, opt, ids, targets, batch, nil).Data[0]
	var last float32
	for range 60 {
		ZeroGrads(m.params())
		tp.Reset()
		tp.SetTrain(false)
		loss := m.loss(tp, ids, targets, batch, nil, 0)
		tp.Backward(loss)
		last = loss.Data[0]
		opt.Step(1e-2)
	}
	if !(last < first/2) {
		t.Errorf("loss went from %v to %v, want it at least halved", first, last)
	}
}

// TestGradientAccumulates runs two backward passes without zeroing: parameter gradients
// double, activation gradients are fresh each step.
func TestGradientAccumulates(t *testing.T) {
	rng := newRand(5)
	x, w := randLeaf(rng, "x", 1, 3, 4), randLeaf(rng, "w", 1, 2, 4)
	x.SetTrainable(false)
	tp := NewTape(1)
	var once []float32
	for step := range 2 {
		tp.Reset()
		h := tp.Tanh(tp.Linear(x, w, nil))
		tp.Backward(tp.MSE(h, make([]float32, 6)))
		if step == 0 {
			once = slices.Clone(w.Grad)
		}
	}
	for i, g := range w.Grad {
		if math.Abs(float64(g-2*once[i])) > 1e-6 {
			t.Fatalf("grad[%d] = %v after two steps, want 2×%v", i, g, once[i])
		}
	}
	if x.Grad != nil {
		t.Errorf("frozen input got a gradient")
	}
}

// TestNoGradRecordsNothing checks evaluation mode: no gradients, no backward, dropout off.
func TestNoGradRecordsNothing(t *testing.T) {
	rng := newRand(6)
	x, w := randLeaf(rng, "x", 1, 3, 4), randLeaf(rng, "w", 1, 2, 4)
	tp := NewTape(1)
	tp.SetGrad(false)
	tp.SetTrain(false)
	if y := tp.Dropout(x, 0.5, 1); y != x {
		t.Errorf("Dropout in evaluation mode is not the identity")
	}
	loss := tp.MSE(tp.Linear(x, w, nil), make([]float32, 6))
	if loss.Grad != nil {
		t.Errorf("loss has a gradient with gradients off")
	}
	msg := mustPanic(t, func() { tp.Backward(loss) })
	if !strings.Contains(msg, "does not depend on any trainable tensor") {
		t.Errorf("Backward without gradients: %q", msg)
	}
}

// TestBackwardMisuse checks the errors of calling Backward twice and on a non-scalar.
func TestBackwardMisuse(t *testing.T) {
	rng := newRand(7)
	x := randLeaf(rng, "x", 1, 2, 2)
	tp := NewTape(1)
	y := tp.Tanh(x)
	if msg := mustPanic(t, func() { tp.Backward(y) }); !strings.Contains(msg, "[2 2]") {
		t.Errorf("non-scalar loss: %q", msg)
	}
	loss := tp.MSE(y, make([]float32, 4))
	tp.Backward(loss)
	if msg := mustPanic(t, func() { tp.Backward(loss) }); !strings.Contains(msg, "twice") {
		t.Errorf("second Backward: %q", msg)
	}
}

// TestDropoutMask checks the rate, the scaling and that the mask depends on the seed only.
func TestDropoutMask(t *testing.T) {
	const n, p = 20000, 0.3
	x := New(n)
	for i := range x.Data {
		x.Data[i] = 1
	}
	run := func(threads int, seed uint64) []float32 {
		tp := NewTape(threads)
		tp.grain = 1
		return slices.Clone(tp.Dropout(x, p, seed).Data)
	}
	a := run(1, 42)
	dropped := 0
	for _, v := range a {
		switch v {
		case 0:
			dropped++
		case 1 / (1 - float32(p)):
		default:
			t.Fatalf("kept value %v, want 1/(1-p)", v)
		}
	}
	if rate := float64(dropped) / n; math.Abs(rate-p) > 0.015 {
		t.Errorf("dropped %.3f of elements, want about %v", rate, p)
	}
	if !slices.Equal(a, run(3, 42)) {
		t.Errorf("mask depends on the number of threads")
	}
	if slices.Equal(a, run(1, 43)) {
		t.Errorf("different seeds gave the same mask")
	}
}

// TestGradOnlyWhereNeeded: a frozen first layer on a plain input records no backward and
// its output has no gradient; the trainable second layer gets its gradient.
func TestGradOnlyWhereNeeded(t *testing.T) {
	rng := newRand(8)
	x := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	frozen, trained := randLeaf(rng, "frozen", 1, 4, 3), randLeaf(rng, "trained", 1, 2, 4)
	frozen.SetTrainable(false)
	tp := NewTape(1)
	h := tp.GELU(tp.Linear(x, frozen, nil))
	y := tp.Linear(h, trained, nil)
	if h.Grad != nil || tp.ops[0].backward != nil || tp.ops[1].backward != nil {
		t.Errorf("the frozen path records a backward or a gradient")
	}
	if y.Grad == nil || tp.ops[2].backward == nil {
		t.Fatalf("the trainable layer records no backward")
	}
	tp.Backward(tp.MSE(y, make([]float32, 4)))
	if frozen.Grad != nil || x.Grad != nil {
		t.Errorf("frozen weight or input got a gradient")
	}
	if slices.Equal(trained.Grad, make([]float32, len(trained.Grad))) {
		t.Errorf("trainable weight got a zero gradient")
	}
}

// TestTapeReuseAcrossShapes alternates sequence lengths and evaluation passes on one tape:
// every training step must give the same loss and gradients as on a fresh tape, so
// recycled buffers never leak values from an earlier, differently shaped step.
func TestTapeReuseAcrossShapes(t *testing.T) {
	const vocab, batch = 17, 2
	m := newTestModel(12, vocab, 9, 16, 2, 2)
	params := m.params()
	lossAndGrads := func(tp *Tape, seq int) (float32, [][]float32) {
		ids, targets := randomTokens(uint64(seq), vocab, batch, seq)
		ZeroGrads(params)
		tp.Reset()
		tp.SetGrad(true)
		loss := m.loss(tp, ids, targets, batch, nil, 1)
		tp.Backward(loss)
		var grads [][]float32
		for _, p := range params {
			grads = append(grads, slices.Clone(p.Grad))
		}
		return loss.Data[0], grads
	}
	reused := NewTape(2)
	for i, seq := range []int{4, 9, 3, 9, 5} {
		if i%2 == 1 { // an evaluation pass of another length in between
			reused.Reset()
			reused.SetGrad(false)
			ids, targets := randomTokens(99, vocab, 1, 7)
			m.loss(reused, ids, targets, 1, nil, 0)
		}
		gotLoss, gotGrads := lossAndGrads(reused, seq)
		wantLoss, wantGrads := lossAndGrads(NewTape(2), seq)
		if gotLoss != wantLoss {
			t.Errorf("step %d (T=%d): loss %v on a reused tape, %v on a fresh one", i, seq, gotLoss, wantLoss)
		}
		for j := range wantGrads {
			if !slices.Equal(gotGrads[j], wantGrads[j]) {
				t.Errorf("step %d (T=%d): gradient of %s differs on a reused tape", i, seq, params[j].Name)
			}
		}
	}
}

// TestStaleGradientsOverwritten runs an encoder block (post-LN, non-causal attention over
// sequences of at most 32, GELU, dropout) twice on one tape, so that the second pass finds
// the first pass's values in its activation gradients, where LayerNorm, GELU, Dropout,
// Attention, Linear and Add write a stale gradient instead of clearing it and adding (Add
// shares dy's buffer with an input it is the only consumer of): its parameter gradients
// must be those of a fresh tape whose Add copies, bit for bit.
func TestStaleGradientsOverwritten(t *testing.T) {
	const batch, seq, d, ff = 2, 9, 16, 32
	rng := newRand(41)
	params := map[string]*Tensor{}
	leaf := func(name string, shape ...int) *Tensor {
		p := randLeaf(rng, name, 0.5, shape...)
		params[name] = p
		return p
	}
	wq, wk, wv, wo := leaf("wq", d, d), leaf("wk", d, d), leaf("wv", d, d), leaf("wo", d, d)
	w1, w2 := leaf("w1", ff, d), leaf("w2", d, ff)
	g1, b1, g2, b2 := leaf("g1", d), leaf("b1", d), leaf("g2", d), leaf("b2", d)
	mask := make([]bool, batch*seq)
	mask[seq-1], mask[2*seq-2] = true, true
	pass := func(tp *Tape, input *Tensor, seed uint64) [][]float32 {
		tp.Reset()
		for _, p := range params {
			p.ZeroGrad()
		}
		x := tp.Dropout(input, 0.2, seed)
		a := tp.Attention(tp.Linear(x, wq, nil), tp.Linear(x, wk, nil), tp.Linear(x, wv, nil),
			AttnSpec{Batch: batch, Heads: 2, TQ: seq, TK: seq, KeyMask: mask})
		x = tp.LayerNorm(tp.Add(x, tp.Dropout(tp.Linear(a, wo, nil), 0.2, seed+1)), g1, b1, 1e-5)
		h := tp.Linear(tp.GELU(tp.Linear(x, w1, nil)), w2, nil)
		x = tp.LayerNorm(tp.Add(x, tp.Dropout(h, 0.2, seed+2)), g2, b2, 1e-5)
		tp.Backward(tp.MSE(x, target(x.Len())))
		var grads [][]float32
		for _, name := range slices.Sorted(maps.Keys(params)) {
			grads = append(grads, slices.Clone(params[name].Grad))
		}
		return grads
	}
	in1, in2 := randLeaf(rng, "in1", 1, batch*seq, d), randLeaf(rng, "in2", 1, batch*seq, d)
	params["in1"], params["in2"] = in1, in2
	for _, threads := range []int{1, 2} {
		reused := NewTape(threads)
		pass(reused, in1, 5)
		got := pass(reused, in2, 6)
		gradInPlace = false // every gradient in a buffer of its own
		want := pass(NewTape(threads), in2, 6)
		gradInPlace = true
		for i := range want {
			if !slices.Equal(bitsOf(got[i]), bitsOf(want[i])) {
				t.Errorf("%d threads: gradient %d differs after a pass that left stale gradients", threads, i)
			}
		}
	}
}

// target returns n fixed values for a regression loss.
func target(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	return x
}

// TestAddSharesGradient: an input that only an Add consumes shares the Add's output
// gradient; one with other consumers gets its own, with their contributions.
func TestAddSharesGradient(t *testing.T) {
	rng := newRand(3)
	w := randLeaf(rng, "w", 1, 4, 4)
	x := randLeaf(rng, "x", 1, 3, 4)
	tp := NewTape(1)
	a := tp.Linear(x, w, nil)                // consumed by Add and by the second Linear
	b := tp.Scale(tp.Linear(x, w, nil), 0.5) // consumed by Add only
	y := tp.Add(a, b)
	z := tp.Add(y, tp.Linear(a, w, nil))
	tp.Backward(tp.MSE(z, target(z.Len())))
	if &b.Grad[0] != &y.Grad[0] || !slices.Equal(bitsOf(b.Grad), bitsOf(y.Grad)) {
		t.Errorf("the single-use input does not share the Add's gradient")
	}
	if &a.Grad[0] == &y.Grad[0] || slices.Equal(bitsOf(a.Grad), bitsOf(y.Grad)) {
		t.Errorf("the input with another consumer shares the Add's gradient, or lacks that consumer's part")
	}
}
