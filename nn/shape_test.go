package nn

import (
	"strings"
	"testing"
)

// TestShapeMismatchPanics checks that every op refuses mismatched inputs with a message
// that names the op and the shapes involved.
func TestShapeMismatchPanics(t *testing.T) {
	m := func(shape ...int) *Tensor { return New(shape...) }
	cases := []struct {
		name string
		call func(tp *Tape)
		want []string
	}{
		{"Linear in", func(tp *Tape) { tp.Linear(m(3, 4), m(5, 3), nil) }, []string{"nn.Linear", "[3 4]", "[5 3]"}},
		{"Linear bias", func(tp *Tape) { tp.Linear(m(3, 4), m(5, 4), m(4)) }, []string{"nn.Linear", "[4]", "[5 4]"}},
		{"Linear 3-D", func(tp *Tape) { tp.Linear(m(2, 3, 4), m(5, 4), nil) }, []string{"nn.Linear", "[2 3 4]", "2-D"}},
		{"Add", func(tp *Tape) { tp.Add(m(2, 3), m(3, 2)) }, []string{"nn.Add", "[2 3]", "[3 2]"}},
		{"ScaleRows", func(tp *Tape) { tp.ScaleRows(m(3, 2), make([]float32, 2)) }, []string{"nn.ScaleRows", "[3 2]", "[2]"}},
		{"LayerNorm gain", func(tp *Tape) { tp.LayerNorm(m(3, 5), m(4), m(5), 1e-5) }, []string{"nn.LayerNorm", "[4]", "[3 5]"}},
		{"Embedding id", func(tp *Tape) { tp.Embedding(m(6, 3), []int32{1, 6}) }, []string{"nn.Embedding", "id 6", "position 1", "[6 3]"}},
		{"GatherRows row", func(tp *Tape) { tp.GatherRows(m(4, 3), []int32{-1}) }, []string{"nn.GatherRows", "row -1", "[4 3]"}},
		{"Attention k width", func(tp *Tape) {
			tp.Attention(m(4, 4), m(6, 2), m(6, 4), AttnSpec{Batch: 2, Heads: 2, TQ: 2, TK: 3})
		}, []string{"nn.Attention", "[4 4]", "[6 2]"}},
		{"Attention q rows", func(tp *Tape) {
			tp.Attention(m(5, 4), m(6, 4), m(6, 4), AttnSpec{Batch: 2, Heads: 2, TQ: 2, TK: 3})
		}, []string{"nn.Attention", "[5 4]", "2*2"}},
		{"Attention heads", func(tp *Tape) {
			tp.Attention(m(4, 4), m(4, 4), m(4, 4), AttnSpec{Batch: 2, Heads: 3, TQ: 2, TK: 2})
		}, []string{"nn.Attention", "[4 4]", "3 heads"}},
		{"Attention causal", func(tp *Tape) {
			tp.Attention(m(6, 4), m(4, 4), m(4, 4), AttnSpec{Batch: 2, Heads: 2, TQ: 3, TK: 2, Causal: true})
		}, []string{"nn.Attention", "TQ 3", "TK 2"}},
		{"Attention mask", func(tp *Tape) {
			tp.Attention(m(4, 4), m(4, 4), m(4, 4), AttnSpec{Batch: 2, Heads: 2, TQ: 2, TK: 2, KeyMask: make([]bool, 3)})
		}, []string{"nn.Attention", "3 entries", "2*2"}},
		{"ConcatSeq width", func(tp *Tape) { tp.ConcatSeq(m(2, 3), m(4, 2), 2) }, []string{"nn.ConcatSeq", "[2 3]", "[4 2]"}},
		{"ConcatSeq batch", func(tp *Tape) { tp.ConcatSeq(m(3, 2), m(4, 2), 2) }, []string{"nn.ConcatSeq", "[3 2]", "batch 2"}},
		{"SliceSeq range", func(tp *Tape) { tp.SliceSeq(m(6, 2), 2, 1, 4) }, []string{"nn.SliceSeq", "[6 2]", "[1,4)"}},
		{"TileBatch batch", func(tp *Tape) { tp.TileBatch(m(2, 2), 0) }, []string{"nn.TileBatch", "[2 2]", "batch 0"}},
		{"SetRows src", func(tp *Tape) { tp.SetRows(m(5, 3), []int32{0, 1}, m(2, 4)) }, []string{"nn.SetRows", "[5 3]", "[2 4]"}},
		{"SetRows duplicate", func(tp *Tape) { tp.SetRows(m(5, 3), []int32{1, 1}, m(2, 3)) }, []string{"nn.SetRows", "row 1", "positions 0 and 1"}},
		{"CrossEntropy targets", func(tp *Tape) { tp.CrossEntropy(m(5, 4), make([]int32, 3), -1, 0) }, []string{"nn.CrossEntropy", "[5 4]", "[3]"}},
		{"CrossEntropy target", func(tp *Tape) { tp.CrossEntropy(m(2, 4), []int32{0, 4}, -1, 0) }, []string{"nn.CrossEntropy", "target 4", "[2 4]"}},
		{"CrossEntropy smoothing", func(tp *Tape) { tp.CrossEntropy(m(2, 4), []int32{0, 1}, -1, 1) }, []string{"nn.CrossEntropy", "smoothing 1"}},
		{"CrossEntropy no classes", func(tp *Tape) { tp.CrossEntropy(m(2, 0), []int32{-1, -1}, -1, 0) }, []string{"nn.CrossEntropy", "[2 0]", "no classes"}},
		{"MSE", func(tp *Tape) { tp.MSE(m(4, 1), make([]float32, 3)) }, []string{"nn.MSE", "[4 1]", "[3]"}},
		{"Dropout rate", func(tp *Tape) { tp.Dropout(m(2), 1, 0) }, []string{"nn.Dropout", "rate 1"}},
		{"MatMulAdd", func(*Tape) { MatMulAdd(m(2, 2), 1, m(2, 3), m(2, 2), false, false) }, []string{"nn.MatMulAdd", "[2 3]", "[2 2]"}},
		{"nil input", func(tp *Tape) { tp.GELU(nil) }, []string{"nn.GELU", "x is nil"}},
		{"nil gain", func(tp *Tape) { tp.LayerNorm(m(2, 3), nil, m(3), 1e-5) }, []string{"nn.LayerNorm", "g is nil"}},
		{"New", func(*Tape) { New(2, -1) }, []string{"nn.New", "[2 -1]"}},
		{"FromData", func(*Tape) { FromData(make([]float32, 5), 2, 3) }, []string{"nn.FromData", "5 values", "[2 3]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := mustPanic(t, func() { c.call(NewTape(1)) })
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q does not mention %q", msg, w)
				}
			}
		})
	}
}
