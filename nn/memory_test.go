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
