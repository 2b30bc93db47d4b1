package nn

import "fmt"

// Tensor is a dense, row-major float32 array. Activations and parameters are both Tensors.
// Most tensors are 2-D: a sequence batch is stored as [Batch*T, D] with the T rows of one
// sequence adjacent.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
	// Grad has the length of Data once the tensor has taken part in backward, nil
	// otherwise: a parameter gets its buffer from the first op that records a backward
	// for it (or from an optimizer step), so a frozen parameter never has one.
	Grad []float32
	// Trainable marks a parameter that backward computes a gradient for and optimizers
	// update. A frozen parameter (Trainable false) costs no weight-gradient work at all.
	Trainable bool

	// activation is set on tensors a Tape hands out; their Grad, when present, is owned
	// and zeroed by the tape.
	activation bool
	// gradStale marks an activation's Grad that still holds an earlier step's values and
	// stands for zeros: backward clears it before an op adds into it, or the first op to
	// write it overwrites it (Linear's dx), which saves clearing buffers that are then
	// written whole. Every Grad is cleared or written by the end of Backward.
	gradStale bool
	// uses counts the ops recorded since the activation was handed out that take it as
	// an input (an op that takes it twice counts twice).
	uses int32
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	checkShape("nn.New", shape)
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, shapeSize(shape))}
}

// NewParam returns a named, trainable zero tensor. Its gradient buffer is allocated when
// backward first needs it, so a parameter frozen before training never gets one.
func NewParam(name string, shape ...int) *Tensor {
	t := New(shape...)
	t.Name = name
	t.Trainable = true
	return t
}

// FromData wraps data (not copied) as a tensor of the given shape; the sizes must agree.
func FromData(data []float32, shape ...int) *Tensor {
	checkShape("nn.FromData", shape)
	if n := shapeSize(shape); n != len(data) {
		panic(fmt.Sprintf("nn.FromData: %d values cannot have shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// checkShape panics, naming op, if shape has a negative dimension.
func checkShape(op string, shape []int) {
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("%s: negative dimension in shape %v", op, shape))
		}
	}
}

// shapeSize is the number of elements of a valid shape.
func shapeSize(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}

// SetTrainable freezes (false) or unfreezes (true) a parameter. Freezing drops Grad;
// unfreezing leaves it to be allocated when backward first needs it.
func (t *Tensor) SetTrainable(on bool) {
	t.Trainable = on
	if !on {
		t.Grad = nil
	}
}

// ensureGrad gives t a zero gradient buffer of its size if it has none.
func (t *Tensor) ensureGrad() {
	if len(t.Grad) != len(t.Data) {
		t.Grad = make([]float32, len(t.Data))
	}
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Rows is the first dimension of a 2-D tensor.
func (t *Tensor) Rows() int { t.must2D(); return t.Shape[0] }

// Cols is the second dimension of a 2-D tensor.
func (t *Tensor) Cols() int { t.must2D(); return t.Shape[1] }

func (t *Tensor) must2D() {
	if len(t.Shape) != 2 {
		panic(fmt.Sprintf("nn: tensor %q has shape %v, want 2-D", t.Name, t.Shape))
	}
}

// ZeroGrad clears the gradient buffer, if any.
func (t *Tensor) ZeroGrad() { clear(t.Grad) }

// Row returns row i of a 2-D tensor as a slice of Data (not a copy).
func (t *Tensor) Row(i int) []float32 {
	c := t.Cols()
	return t.Data[i*c : (i+1)*c]
}

// Clone returns a deep copy of t's name, shape and data, without gradient.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// needsGrad reports whether backward must produce a gradient for t: a trainable leaf, or an
// activation that some trainable tensor flows into.
func needsGrad(t *Tensor) bool {
	return t != nil && (t.Trainable || (t.activation && t.Grad != nil))
}
