package nn

import (
	"fmt"
	"slices"
)

// slab hands out buffers in request order and takes them all back at once. A tape that
// replays the same graph step after step asks for the same sizes in the same order, so
// after the first step every request is served from a buffer it already owns.
type slab[T any] struct {
	bufs [][]T
	next int
}

// take returns a buffer of length n whose contents are unspecified.
func (s *slab[T]) take(n int) []T {
	if s.next == len(s.bufs) {
		s.bufs = append(s.bufs, nil)
	}
	b := s.bufs[s.next]
	if cap(b) < n {
		b = make([]T, n)
		s.bufs[s.next] = b
	}
	s.next++
	return b[:n]
}

// reset makes every buffer available again.
func (s *slab[T]) reset() { s.next = 0 }

// tensorArena recycles the activation tensors a tape hands out: the i-th activation of a
// step reuses the Tensor struct, shape, data and gradient buffers of the i-th activation of
// the previous step.
type tensorArena struct {
	tensors []*Tensor
	grads   [][]float32 // gradient buffer of each tensor, kept while Grad is nil
	next    int
}

// take returns an activation of the given shape with unspecified Data and, if withGrad,
// a zeroed Grad.
func (a *tensorArena) take(name string, withGrad bool, shape ...int) *Tensor {
	if a.next == len(a.tensors) {
		a.tensors = append(a.tensors, &Tensor{activation: true})
		a.grads = append(a.grads, nil)
	}
	t := a.tensors[a.next]
	n := shapeSize(shape)
	t.Name = name
	t.Shape = append(t.Shape[:0], shape...)
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	}
	t.Data = t.Data[:n]
	t.Grad = nil
	t.gradStale = false
	t.uses = 0
	if withGrad {
		g := a.grads[a.next]
		if cap(g) < n {
			g = make([]float32, n)
			a.grads[a.next] = g
		}
		t.Grad = g[:n]
		t.gradStale = true // zeroed by backward when first used (clearStale), or overwritten
	}
	a.next++
	return t
}

// addGrad gives t, the latest activation taken, its zeroed gradient buffer.
func (a *tensorArena) addGrad(t *Tensor) {
	i := a.next - 1
	if a.tensors[i] != t {
		panic("nn: addGrad on an activation that is not the latest")
	}
	n := len(t.Data)
	if cap(a.grads[i]) < n {
		a.grads[i] = make([]float32, n)
	}
	t.Grad = a.grads[i][:n]
	t.gradStale = true
}

// clearStale zeroes a stale gradient (see Tensor.gradStale) before something adds into it.
func clearStale(t *Tensor) {
	if t != nil && t.gradStale {
		clear(t.Grad)
		t.gradStale = false
	}
}

func (a *tensorArena) reset() { a.next = 0 }

// Mark is a position in a tape's records and buffers, for Release.
type Mark struct{ ops, acts, floats, scratch, ints, bools int }

// Mark returns the tape's current position.
func (t *Tape) Mark() Mark {
	return Mark{ops: len(t.ops), acts: t.acts.next, floats: t.floats.next, scratch: t.scratch.next,
		ints: t.ints.next, bools: t.bools.next}
}

// Release, in a pass without gradients (SetGrad(false)), takes back every activation and
// buffer handed out since m except keep, which, if it was handed out since m, moves to m's
// position: without backward an activation is dead once the ops that read it have run,
// so a forward pass that releases after each block holds one block's activations at a
// time instead of all of them. With gradients on, Release does nothing: backward needs
// them all.
func (t *Tape) Release(m Mark, keep *Tensor) {
	if t.grad {
		return
	}
	a := &t.acts
	switch k := slices.Index(a.tensors[:a.next], keep); {
	case k >= m.acts:
		a.tensors[m.acts], a.tensors[k] = a.tensors[k], a.tensors[m.acts]
		a.grads[m.acts], a.grads[k] = a.grads[k], a.grads[m.acts]
		a.next = m.acts + 1
	case k >= 0 || !keep.activation:
		a.next = m.acts // keep is older than the mark or not the tape's
	default:
		panic(fmt.Sprintf("nn.Tape.Release: %q is not an activation of this tape since its last Reset", keep.Name))
	}
	t.ops = t.ops[:m.ops]
	t.floats.next, t.scratch.next, t.ints.next, t.bools.next = m.floats, m.scratch, m.ints, m.bools
}
