package nn

import (
	"fmt"
	"slices"

	"loralab/nn/gemm"
)

// Tape records the ops of one forward pass so that Backward can run them in reverse. A tape
// is reused across steps: Reset recycles its activations, so a warmed-up step allocates
// nothing. A tape is not safe for concurrent use.
type Tape struct {
	threads int
	train   bool
	grad    bool
	// grain, when positive, replaces every op's minimum work per goroutine; tests set it
	// to 1 so that small graphs exercise the multi-goroutine paths.
	grain int

	ops     []op // recorded ops, in forward order
	acts    tensorArena
	floats  slab[float32] // what backward needs besides the activations
	scratch slab[float32] // per-op scratch (op.work)
	ints    slab[int32]   // copies of ids, targets and row lists
	bools   slab[bool]    // copies of attention key masks
	pool    *workers      // started on the first op that runs on several goroutines
	mm      *gemm.Pool    // products of whole activations, on Threads goroutines
	slotMM  []*gemm.Pool  // single-goroutine products, one per goroutine slot (attention heads)
	// pools and mms keep, by thread count, the workers and GEMM pools of the counts
	// SetThreads has used, so that switching back and forth starts no goroutines.
	pools map[int]*workers
	mms   map[int]*gemm.Pool

	backwardDone bool
}

// op is one recorded op: its inputs, its output, what its backward needs and the function
// that computes the input gradients from the output gradient. Ops are stored by value in a
// slice the tape reuses; backward is a plain function, never a closure.
type op struct {
	name     string
	backward func(t *Tape, o *op) // nil when no input needs a gradient
	in       [5]*Tensor           // unused inputs are nil
	out      *Tensor

	scalar float32      // Scale factor, LayerNorm eps, dropout rate, label smoothing
	seed   uint64       // dropout seed
	n      [3]int       // integer arguments: batch, start, end, ignore index
	ids    []int32      // embedding ids, targets, row lists (copied from the caller)
	saved  []float32    // what forward keeps for backward: statistics, probabilities
	work   []float32    // scratch: per-row results, per-goroutine buffers
	slotMM []*gemm.Pool // the tape's per-slot GEMM pools, for kernels that multiply
	attn   AttnSpec     // KeyMask is a tape-owned copy
	// overwrites has bit k set when backward, given in[k] with a stale gradient, writes
	// that gradient whole instead of adding into it (and marks it fresh): Linear's dx
	// product, Add's da and db, LayerNorm's, GELU's and Dropout's dx, and Attention's
	// dQ, dK and dV when each sequence and head is one query block.
	overwrites uint8
	// set has bit k set, during backward, when in[k]'s gradient was stale and the
	// backward writes it (0 + the contribution: the same bits as clearing it and adding)
	// instead of adding into it; see takeStale.
	set uint8
}

// takeStale records in o.set whether in[k] needs a gradient that is still stale, which
// the op's backward then writes instead of adding into, and marks it fresh. The caller is
// an op whose overwrites has bit k set and that writes every element of in[k]'s gradient.
func (o *op) takeStale(k int) bool {
	x := o.in[k]
	stale := needsGrad(x) && x.gradStale && o.overwrites&(1<<k) != 0
	if stale {
		x.gradStale = false
		o.set |= 1 << k
	} else {
		o.set &^= 1 << k
	}
	return stale
}

// setting says whether backward writes, not adds into, in[k]'s gradient (takeStale).
func (o *op) setting(k int) bool { return o.set&(1<<k) != 0 }

// inPlace, for an element-wise op whose backward writes in[k]'s stale gradient
// (setting(k)) from the output gradient alone, element by element, says whether it may
// write it into the output gradient's buffer and give in[k] that buffer: in[k] is an
// activation this op is the only consumer of, so nothing else reads or adds into its
// gradient, and no other op reads the output gradient once this backward has run (its
// consumers' backwards ran before). It then makes the switch (until the tape hands
// in[k] out again); the output gradient's values afterwards are in[k]'s.
func (o *op) inPlace(k int) bool {
	x := o.in[k]
	if !o.setting(k) || !x.activation || x.uses != 1 || !gradInPlace {
		return false
	}
	x.Grad = o.out.Grad
	return true
}

// gradInPlace lets element-wise backwards write in place (tests turn it off to compare).
var gradInPlace = true

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

// SetThreads changes the number of goroutines later ops may use (at least 1). Results do
// not depend on it, so a caller may change it between steps, e.g. to give a run the cores
// that other runs have left; it must not be called between a forward pass and its
// Backward (ops keep the per-slot pools of the count they ran with).
func (t *Tape) SetThreads(n int) {
	n = max(n, 1)
	if n == t.threads {
		return
	}
	if t.pools == nil {
		t.pools, t.mms = map[int]*workers{}, map[int]*gemm.Pool{}
	}
	if t.pool != nil {
		t.pools[t.threads] = t.pool
	}
	if t.mm != nil {
		t.mms[t.threads] = t.mm
	}
	t.threads = n
	t.pool, t.mm = t.pools[n], t.mms[n]
	for len(t.slotMM) > 0 && len(t.slotMM) < n {
		t.slotMM = append(t.slotMM, gemm.NewPool(1))
	}
}

// SetTrain switches dropout on (training) or off (evaluation).
func (t *Tape) SetTrain(on bool) { t.train = on }

// Training reports whether dropout is on.
func (t *Tape) Training() bool { return t.train }

// SetGrad switches recording for backward on or off (off for evaluation and generation).
func (t *Tape) SetGrad(on bool) { t.grad = on }

// GradEnabled reports whether ops record their backward.
func (t *Tape) GradEnabled() bool { return t.grad }

// Reset forgets the recorded ops and recycles every activation the tape handed out.
// Tensors returned by earlier ops must not be used after Reset.
func (t *Tape) Reset() {
	t.ops = t.ops[:0]
	t.acts.reset()
	t.floats.reset()
	t.scratch.reset()
	t.ints.reset()
	t.bools.reset()
	t.backwardDone = false
}

// Backward seeds d(loss)=1 for the scalar loss and runs the recorded ops in reverse,
// accumulating (+=) into the Grad of every trainable parameter, so that micro-batches
// accumulate until the caller zeroes the gradients. It may be called once per Reset.
func (t *Tape) Backward(loss *Tensor) {
	if loss.Len() != 1 {
		panic(fmt.Sprintf("nn.Tape.Backward: loss %q has shape %v, want a scalar", loss.Name, loss.Shape))
	}
	t.backwardFrom(loss, oneSeed[:])
}

var oneSeed = [1]float32{1}

// backwardFrom adds seed to y's gradient and runs backward from the op that produced y.
// With a random seed it computes the gradient of the scalar sum(seed*y), which is how the
// tests check non-scalar ops.
func (t *Tape) backwardFrom(y *Tensor, seed []float32) {
	if t.backwardDone {
		panic("nn.Tape.Backward: called twice without Reset")
	}
	if !y.activation || y.Grad == nil {
		panic(fmt.Sprintf("nn.Tape.Backward: %q does not depend on any trainable tensor, or gradients were off", y.Name))
	}
	last := -1
	for i := len(t.ops) - 1; i >= 0; i-- {
		if t.ops[i].out == y {
			last = i
			break
		}
	}
	if last < 0 {
		panic(fmt.Sprintf("nn.Tape.Backward: %q was not produced by this tape since its last Reset", y.Name))
	}
	t.backwardDone = true
	clearStale(y)
	for i, s := range seed {
		y.Grad[i] += s
	}
	for i := last; i >= 0; i-- {
		if o := &t.ops[i]; o.backward != nil {
			clearStale(o.out) // no later op read it: its gradient is zero
			for k, x := range o.in {
				if o.overwrites&(1<<k) != 0 && x != nil && x.gradStale && !inTwice(o, x) {
					continue // the op writes x's whole gradient instead of adding into it
				}
				clearStale(x)
			}
			o.backward(t, o)
		}
	}
	// Activations that no op of this backward reached hold zero gradients, as documented.
	for _, a := range t.acts.tensors[:t.acts.next] {
		clearStale(a)
	}
}

// inTwice says whether x is more than one of o's inputs.
func inTwice(o *op, x *Tensor) bool {
	i := slices.Index(o.in[:], x)
	return slices.Contains(o.in[i+1:], x)
}

// record appends an op whose output is a new activation of the given shape. The output
// gets a gradient, and the op its backward, only when gradients are on and some input
// needs one. A trainable input without a gradient buffer gets one here.
func (t *Tape) record(name string, backward func(*Tape, *op), in [5]*Tensor, shape ...int) *op {
	withGrad := false
	if t.grad {
		for _, x := range in {
			if needsGrad(x) {
				withGrad = true
				x.ensureGrad()
			}
		}
	}
	if !withGrad {
		backward = nil
	}
	for _, x := range in {
		if x != nil {
			x.uses++
		}
	}
	t.ops = append(t.ops, op{name: name, backward: backward, in: in, out: t.acts.take(name, withGrad, shape...)})
	return &t.ops[len(t.ops)-1]
}

// matmul returns the tape's GEMM pool, which multiplies on Threads goroutines.
func (t *Tape) matmul() *gemm.Pool {
	if t.mm == nil {
		t.mm = gemm.NewPool(t.threads)
	}
	return t.mm
}

// slotMatmuls returns one single-goroutine GEMM pool per goroutine slot, so that kernels
// running in parallel multiply without sharing packing buffers.
func (t *Tape) slotMatmuls() []*gemm.Pool {
	for len(t.slotMM) < t.threads {
		t.slotMM = append(t.slotMM, gemm.NewPool(1))
	}
	return t.slotMM
}

// copyInts returns a tape-owned copy of ids, so that callers may reuse their buffers.
func (t *Tape) copyInts(ids []int32) []int32 {
	c := t.ints.take(len(ids))
	copy(c, ids)
	return c
}
