package nn

import "testing"

// TestMemoryByHand: x [3,4] frozen, w [5,4] trainable, y = Linear(x, w), z = LayerNorm(y)
// with a frozen gain and bias, loss = CrossEntropy(z) on one thread. Activations y (15
// values), z (15) and the loss (1), each with a gradient: 31·4 bytes each. Saved:
// LayerNorm's mean and 1/σ of 3 rows and cross-entropy's max and 1/Σ of 3 rows (12 floats)
// and its 3 targets: 60 bytes. Workspace: the 3 row losses and one row of 5 exponentials,
// 32 bytes. Parameters w, w (listed twice), x: 32 values, 20 gradients.
func TestMemoryByHand(t *testing.T) {
	x, w := New(3, 4), NewParam("w", 5, 4)
	g, b := New(5), New(5)
	tp := NewTape(1)
	loss := tp.CrossEntropy(tp.LayerNorm(tp.Linear(x, w, nil), g, b, 1e-5), []int32{0, 1, 2}, -1, 0)
	tp.Backward(loss)
	want := TapeMemory{Activations: 124, ActivationGrads: 124, Saved: 60, Workspace: 32}
	if got := tp.Memory(); got != want || got.Total() != 340 {
		t.Errorf("tape memory %+v (total %d), want %+v (340)", got, got.Total(), want)
	}
	if got, want := ParamBytes([]*Tensor{w, w, x}), (ParamMemory{Weights: 128, Gradients: 80}); got != want {
		t.Errorf("ParamBytes %+v, want %+v", got, want)
	}
	opt := NewAdamW([]ParamGroup{{Params: []*Tensor{w, x}}})
	opt.Step(0.1)
	if got := opt.StateBytes(); got != 160 {
		t.Errorf("AdamW state %d bytes after a step over w and frozen x, want 160 (two moments of w)", got)
	}
}

// TestRelease: without gradients, releasing after each of three "blocks" (y = x + tanh(x))
// gives the same output while the tape keeps 1 activation (the output) instead of 7 (the input copy,
// then per block tanh and the sum); with gradients on, Release keeps everything.
func TestRelease(t *testing.T) {
	rng := newRand(3)
	x := randLeaf(rng, "x", 1, 4, 5)
	run := func(grad, release bool) ([]float32, int) {
		tp := NewTape(1)
		tp.SetGrad(grad)
		m := tp.Mark()
		h := tp.Scale(x, 1)
		for range 3 {
			h = tp.Add(h, tp.Tanh(h))
			if release {
				tp.Release(m, h)
			}
		}
		return append([]float32(nil), h.Data...), tp.acts.next
	}
	want, all := run(false, false)
	got, kept := run(false, true)
	if firstDiff(got, want) >= 0 || all != 7 || kept != 1 {
		t.Errorf("released: output differs at %d, %d activations kept of %d; want same output, 1 of 7", firstDiff(got, want), kept, all)
	}
	if _, n := run(true, true); n != 7 {
		t.Errorf("with gradients on, Release left %d activations of 7", n)
	}
}

// firstDiff is the first index where a and b differ, or -1.
func firstDiff(a, b []float32) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestLinearCrossEntropyIsTheUnfusedPair: the fused op gives bit for bit the loss and the
// gradients of CrossEntropy(Linear(x, w)), with one N×V buffer fewer on the tape.
func TestLinearCrossEntropyIsTheUnfusedPair(t *testing.T) {
	rng := newRand(4)
	x, w := randLeaf(rng, "x", 1, 6, 5), randLeaf(rng, "w", 1, 7, 5)
	targets := []int32{3, -1, 0, 6, 6, 2}
	run := func(fused bool) (loss float32, grads [][]float32, m TapeMemory) {
		x.Grad, w.Grad = nil, nil
		tp := NewTape(2)
		var l *Tensor
		if fused {
			l = tp.LinearCrossEntropy(x, w, targets, -1, 0.1)
		} else {
			l = tp.CrossEntropy(tp.Linear(x, w, nil), targets, -1, 0.1)
		}
		tp.Backward(l)
		return l.Data[0], [][]float32{append([]float32(nil), x.Grad...), append([]float32(nil), w.Grad...)}, tp.Memory()
	}
	l0, g0, m0 := run(false)
	l1, g1, m1 := run(true)
	if l0 != l1 || firstDiff(g0[0], g1[0]) >= 0 || firstDiff(g0[1], g1[1]) >= 0 {
		t.Errorf("fused loss %v, unfused %v; gradients differ at x %d, w %d", l1, l0, firstDiff(g0[0], g1[0]), firstDiff(g0[1], g1[1]))
	}
	if saved := m0.Total() - m1.Total(); saved != 4*6*7 {
		t.Errorf("fusing saved %d bytes, want one 6×7 buffer (168)", saved)
	}
}
