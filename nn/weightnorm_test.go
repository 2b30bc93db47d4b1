package nn

import (
	"math"
	"slices"
	"testing"
)

func TestWeightNormMatMulGradients(t *testing.T) {
	rng := newRand(7)
	v, g := randLeaf(rng, "v", 1, 4, 5), randLeaf(rng, "g", 1, 4)
	a, b := randLeaf(rng, "a", 1, 4, 2), randLeaf(rng, "b", 1, 2, 5)
	frozenV := v.Clone()
	cases := []gradCase{
		{name: "WeightNorm", leaves: []*Tensor{v, g}, build: func(tp *Tape) *Tensor { return tp.WeightNorm(v, g) }},
		{name: "WeightNorm/frozen v", leaves: []*Tensor{g}, build: func(tp *Tape) *Tensor { return tp.WeightNorm(frozenV, g) }},
		{name: "MatMul", leaves: []*Tensor{a, b}, build: func(tp *Tape) *Tensor { return tp.MatMul(a, b) }},
		{name: "WeightNorm of v + a·b", leaves: []*Tensor{a, b, g}, build: func(tp *Tape) *Tensor {
			return tp.WeightNorm(tp.Add(frozenV, tp.MatMul(a, b)), g)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkGradients(t, c) })
	}
	if frozenV.Grad != nil {
		t.Error("frozen v got a gradient buffer")
	}
}

// TestWeightNormValues checks the op against hand-computed rows: (3, 4) has norm 5, a zero
// row stays zero; and MatMul against a 2x2 product.
func TestWeightNormValues(t *testing.T) {
	tp := NewTape(1)
	v := FromData([]float32{3, 4, 0, 0, 1, 0}, 3, 2)
	g := FromData([]float32{10, 2, -1}, 3)
	if got, want := tp.WeightNorm(v, g).Data, []float32{6, 8, 0, 0, -1, 0}; !slices.Equal(got, want) {
		t.Errorf("WeightNorm = %v, want %v", got, want)
	}
	a := FromData([]float32{1, 2, 3, 4}, 2, 2)
	b := FromData([]float32{5, 6, 7, 8}, 2, 2)
	if got, want := tp.MatMul(a, b).Data, []float32{19, 22, 43, 50}; !slices.Equal(got, want) {
		t.Errorf("MatMul = %v, want %v", got, want)
	}
	for _, bad := range []func(){
		func() { tp.WeightNorm(v, FromData([]float32{1, 2}, 2)) },
		func() { tp.MatMul(a, FromData([]float32{1, 2, 3}, 3, 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("mismatched shapes accepted")
				}
			}()
			bad()
		}()
	}
}

// TestWeightNormThreads checks that the output and gradients are the same at every thread
// count.
func TestWeightNormThreads(t *testing.T) {
	run := func(threads int) []float32 {
		rng := newRand(9)
		v, g := randLeaf(rng, "v", 1, 300, 70), randLeaf(rng, "g", 1, 300)
		tp := NewTape(threads)
		y := tp.WeightNorm(v, g)
		tp.Backward(tp.MSE(tp.Linear(y, randLeaf(rng, "w", 1, 1, 70), nil), make([]float32, 300)))
		return slices.Concat(y.Data, v.Grad, g.Grad)
	}
	one := run(1)
	for _, n := range []int{2, 5} {
		if got := run(n); !slices.EqualFunc(got, one, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Errorf("%d threads differ from 1", n)
		}
	}
}
