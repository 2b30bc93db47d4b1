package nn

// This file fixes the exported API of package nn so that model/, lora/ and baselines/ can be
// written against it while the bodies are filled in. Bodies that panic are placeholders.

import "fmt"

// Tensor is a dense, row-major float32 array. Activations and parameters are both Tensors.
// Most tensors are 2-D: a sequence batch is stored as [Batch*T, D] with the T rows of one
// sequence adjacent.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
	// Grad has the length of Data when the tensor takes part in backward, nil otherwise.
	Grad []float32
	// Trainable marks a parameter that backward computes a gradient for and optimizers
	// update. A frozen parameter (Trainable false) costs no weight-gradient work at all.
	Trainable bool
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	n := 1
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("nn.New: negative dimension in shape %v", shape))
		}
		n *= s
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// NewParam returns a named, trainable zero tensor with its gradient buffer allocated.
func NewParam(name string, shape ...int) *Tensor {
	t := New(shape...)
	t.Name = name
	t.Trainable = true
	t.Grad = make([]float32, len(t.Data))
	return t
}

// FromData wraps data (not copied) as a tensor of the given shape; the sizes must agree.
func FromData(data []float32, shape ...int) *Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	if n != len(data) {
		panic(fmt.Sprintf("nn.FromData: %d values cannot have shape %v", len(data), shape))
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}
}

// SetTrainable freezes (false) or unfreezes (true) a parameter, allocating or dropping Grad.
func (t *Tensor) SetTrainable(on bool) {
	t.Trainable = on
	if on && len(t.Grad) != len(t.Data) {
		t.Grad = make([]float32, len(t.Data))
	}
	if !on {
		t.Grad = nil
	}
}

// Len is the number of elements.
func (t *Tensor) Len() int { return len(t.Data) }

// Rows and Cols are the two dimensions of a 2-D tensor.
func (t *Tensor) Rows() int { t.must2D(); return t.Shape[0] }
func (t *Tensor) Cols() int { t.must2D(); return t.Shape[1] }

func (t *Tensor) must2D() {
	if len(t.Shape) != 2 {
		panic(fmt.Sprintf("nn: tensor %q has shape %v, want 2-D", t.Name, t.Shape))
	}
}

// ZeroGrad clears the gradient buffer, if any.
func (t *Tensor) ZeroGrad() { clear(t.Grad) }

// AttnSpec describes one fused multi-head attention call.
type AttnSpec struct {
	Batch, Heads int
	// TQ and TK are the query and key/value lengths of each sequence (TK >= TQ when Causal).
	TQ, TK int
	// Causal lets query i, at absolute position TK-TQ+i, see keys 0..TK-TQ+i only.
	Causal bool
	// KeyMask, if not nil, has Batch*TK entries; true means the key is padding and no query
	// attends to it.
	KeyMask []bool
}

// Ops recorded on a Tape. Each returns a fresh activation owned by the tape (valid until
// Reset) and, when gradients are on and any input needs one, records a hand-written backward.
// Shapes are checked: a mismatch panics with a message naming both shapes.
//
//	Linear(x [N,in], w [out,in], b [out] or nil) -> [N,out]   y = x W^T + b
//	Add(a, b) same shape -> a+b (residual)
//	Scale(x, s) -> s*x
//	Embedding(table [V,D], ids) -> [len(ids),D]
//	LayerNorm(x [N,D], g [D], b [D], eps) -> [N,D]
//	GELU(x), Tanh(x), ReLU(x)
//	Dropout(x, p, seed): inverted dropout when the tape is in training mode, identity otherwise;
//	  the mask is a pure function of (seed, element index), so it does not depend on threads.
//	Attention(q [B*TQ,D], k [B*TK,D], v [B*TK,D], spec) -> [B*TQ,D]  (softmax(QK^T/sqrt(dh))V per head)
//	ConcatSeq(a [B*Ta,D], b [B*Tb,D], B) -> [B*(Ta+Tb),D]   per sequence: a's rows then b's
//	SliceSeq(x [B*T,D], B, start, end) -> [B*(end-start),D]
//	TileBatch(p [L,D], B) -> [B*L,D]   the same rows for every sequence (gradients summed)
//	SetRows(x [N,D], rows, src [len(rows),D]) -> [N,D]  x with row rows[i] replaced by src row i
//	  (prefix/infix slots: the replaced rows of x get zero gradient, src gets theirs)
//	CrossEntropy(logits [N,V], targets, ignore, smoothing) -> [1]  mean over rows whose
//	  target != ignore, with label smoothing eps: (1-eps)*nll + eps*mean_v(-log p_v)
//	MSE(pred [N,1], target) -> [1]  mean squared error

// Tape records the ops of one forward pass so that Backward can run them in reverse. A tape
// is reused across steps: Reset recycles its activations, so a warmed-up step allocates
// nothing. A tape is not safe for concurrent use.
type Tape struct {
	threads int
	train   bool
	grad    bool
}

// NewTape returns a tape that uses up to threads goroutines per op, in training mode with
// gradients on.
func NewTape(threads int) *Tape {
	if threads < 1 {
		threads = 1
	}
	return &Tape{threads: threads, train: true, grad: true}
}

// Threads is the number of goroutines an op may use.
func (t *Tape) Threads() int { return t.threads }

// SetTrain switches dropout on (training) or off (evaluation).
func (t *Tape) SetTrain(on bool) { t.train = on }

// SetGrad switches recording for backward on or off (off for evaluation and generation).
func (t *Tape) SetGrad(on bool) { t.grad = on }

// Reset forgets the recorded ops and recycles every activation the tape handed out.
func (t *Tape) Reset() { panic("nn: Tape.Reset not implemented yet") }

// Backward seeds d(loss)=1 for the scalar loss and runs the recorded ops in reverse,
// accumulating (+=) into the Grad of every trainable parameter, so that micro-batches
// accumulate until the caller zeroes the gradients.
func (t *Tape) Backward(loss *Tensor) { panic("nn: Tape.Backward not implemented yet") }

func (t *Tape) Linear(x, w, b *Tensor) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) Add(a, b *Tensor) *Tensor       { panic("nn: not implemented yet") }
func (t *Tape) Scale(x *Tensor, s float32) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) Embedding(table *Tensor, ids []int32) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) LayerNorm(x, g, b *Tensor, eps float32) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) GELU(x *Tensor) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) Tanh(x *Tensor) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) ReLU(x *Tensor) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) Dropout(x *Tensor, p float32, seed uint64) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) Attention(q, k, v *Tensor, s AttnSpec) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) ConcatSeq(a, b *Tensor, batch int) *Tensor     { panic("nn: not implemented yet") }
func (t *Tape) SliceSeq(x *Tensor, batch, start, end int) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) TileBatch(p *Tensor, batch int) *Tensor { panic("nn: not implemented yet") }
func (t *Tape) SetRows(x *Tensor, rows []int32, src *Tensor) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) CrossEntropy(logits *Tensor, targets []int32, ignore int32, smoothing float32) *Tensor {
	panic("nn: not implemented yet")
}
func (t *Tape) MSE(pred *Tensor, target []float32) *Tensor { panic("nn: not implemented yet") }

// ParamGroup is a set of parameters sharing optimizer settings, e.g. no weight decay on
// biases and LayerNorm gains, or a separate learning-rate multiplier.
type ParamGroup struct {
	Name        string
	Params      []*Tensor
	LRScale     float32 // multiplies the scheduled learning rate; 0 means 1
	WeightDecay float32 // decoupled (AdamW) weight decay
}

// Optimizer updates trainable parameters from their gradients.
type Optimizer interface {
	// Step applies one update with base learning rate lr; parameters that are not
	// Trainable are skipped.
	Step(lr float32)
}

// Schedule gives the learning rate at a step: linear warmup to Peak over Warmup steps, then
// Decay ("linear", "cosine" or "constant") towards zero at Total steps.
type Schedule struct {
	Peak          float32
	Warmup, Total int
	Decay         string
}
