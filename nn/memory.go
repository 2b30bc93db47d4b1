package nn

// TapeMemory is the memory a tape holds, in bytes of the buffers it keeps between steps
// (their capacity, which after a warm-up step is what every later step of the same graph
// uses).
type TapeMemory struct {
	// Activations are the op outputs, which backward reads as the inputs of later ops.
	Activations int64
	// ActivationGrads are the gradients of the activations that some trainable tensor
	// flows into.
	ActivationGrads int64
	// Saved is what ops keep for backward besides activations: LayerNorm statistics,
	// attention probabilities, GELU gates, cross-entropy row statistics, copied ids.
	Saved int64
	// Workspace is per-op scratch (per-goroutine rows, attention score gradients).
	Workspace int64
}

// Total is the sum of the parts.
func (m TapeMemory) Total() int64 { return m.Activations + m.ActivationGrads + m.Saved + m.Workspace }

// Memory reports the buffers the tape holds.
func (t *Tape) Memory() TapeMemory {
	var m TapeMemory
	for i, x := range t.acts.tensors {
		m.Activations += 4 * int64(cap(x.Data))
		m.ActivationGrads += 4 * int64(cap(t.acts.grads[i]))
	}
	m.Saved = t.floats.bytes(4) + t.ints.bytes(4) + t.bools.bytes(1)
	m.Workspace = t.scratch.bytes(4)
	return m
}

// bytes is the capacity of the slab's buffers times size, the bytes of one element.
func (s *slab[T]) bytes(size int64) int64 {
	var n int64
	for _, b := range s.bufs {
		n += size * int64(cap(b))
	}
	return n
}

// ParamMemory is the memory of a set of parameters, in bytes.
type ParamMemory struct {
	Weights   int64 // values
	Gradients int64 // gradient buffers (none for a frozen parameter)
}

// ParamBytes measures params, counting a tensor listed twice once.
func ParamBytes(params []*Tensor) ParamMemory {
	var m ParamMemory
	seen := map[*Tensor]bool{}
	for _, p := range params {
		if seen[p] {
			continue
		}
		seen[p] = true
		m.Weights += 4 * int64(cap(p.Data))
		m.Gradients += 4 * int64(cap(p.Grad))
	}
	return m
}
