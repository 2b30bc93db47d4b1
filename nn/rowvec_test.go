package nn

import (
	"slices"
	"testing"
)

func TestRowVectorGradients(t *testing.T) {
	rng := newRand(3)
	x, v, w := randLeaf(rng, "x", 1, 5, 4), randLeaf(rng, "v", 1, 4), randLeaf(rng, "w", 1, 1, 4)
	cases := []gradCase{
		{name: "MulVec", leaves: []*Tensor{x, v}, build: func(tp *Tape) *Tensor { return tp.MulVec(x, v) }},
		{name: "MulVec/row-shaped vector", leaves: []*Tensor{x, w}, build: func(tp *Tape) *Tensor { return tp.MulVec(x, w) }},
		{name: "AddVec", leaves: []*Tensor{x, v}, build: func(tp *Tape) *Tensor { return tp.AddVec(x, v) }},
		{name: "MulVec then AddVec", leaves: []*Tensor{x, v}, build: func(tp *Tape) *Tensor { return tp.AddVec(tp.MulVec(x, v), v) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
}

func TestRowVectorValues(t *testing.T) {
	data := func(shape []int, v ...float32) *Tensor { return FromData(v, shape...) }
	tp := NewTape(1)
	x := data([]int{2, 3}, 1, 2, 3, 4, 5, 6)
	v := data([]int{3}, 2, 0, -1)
	if got := tp.MulVec(x, v).Data; !slices.Equal(got, []float32{2, 0, -3, 8, 0, -6}) {
		t.Errorf("MulVec = %v", got)
	}
	if got := tp.AddVec(x, v).Data; !slices.Equal(got, []float32{3, 2, 2, 6, 5, 5}) {
		t.Errorf("AddVec = %v", got)
	}
	for _, bad := range []*Tensor{data([]int{2}, 1, 2), data([]int{3, 1}, 1, 2, 3)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("v of shape %v accepted for x [2, 3]", bad.Shape)
				}
			}()
			tp.MulVec(x, bad)
		}()
	}
}

// TestRowVectorThreads checks that the vector's gradient, a sum over rows, is the same at
// every thread count.
func TestRowVectorThreads(t *testing.T) {
	grads := func(threads int) []float32 {
		rng := newRand(5)
		x, v := randLeaf(rng, "x", 1, 300, 70), randLeaf(rng, "v", 1, 70)
		tp := NewTape(threads)
		y := tp.AddVec(tp.MulVec(x, v), v)
		tp.Backward(tp.MSE(tp.Linear(y, randLeaf(rng, "w", 1, 1, 70), nil), make([]float32, 300)))
		return slices.Clone(v.Grad)
	}
	one := grads(1)
	for _, n := range []int{2, 3, 8} {
		if !slices.Equal(grads(n), one) {
			t.Errorf("%d threads: vector gradient differs from 1 thread", n)
		}
	}
}
