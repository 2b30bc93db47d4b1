// Package bench measures what the paper's efficiency claims are about: training throughput
// of a method (tokens per second, trainable parameters, peak memory) and forward latency
// of a base model, merged and unmerged LoRA, adapters and prefixes (paper Table 1).
//
// Models are randomly initialised: speed does not depend on the weights.
package bench

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"syscall"
	"time"

	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// Shape is the model a benchmark runs.
type Shape struct {
	Arch                                      string
	DModel, Layers, Heads, DFF, Vocab, MaxLen int
}

// Config returns the model configuration of the shape (dropout off, GELU).
func (s Shape) Config() model.Config {
	dff := s.DFF
	if dff == 0 {
		dff = 4 * s.DModel
	}
	maxLen := s.MaxLen
	if maxLen == 0 {
		maxLen = 1024
	}
	return model.Config{Arch: s.Arch, Vocab: s.Vocab, DModel: s.DModel, Layers: s.Layers, Heads: s.Heads,
		DFF: dff, MaxLen: maxLen, Activation: "gelu", LNEps: 1e-5}
}

// NewMethodFunc builds a method from its setting.
type NewMethodFunc func(method.Spec) (tuner.Method, error)

// build makes a random model of shape s with the method applied ("" or "base": nothing
// applied, every tensor frozen).
func build(s Shape, spec method.Spec, newMethod NewMethodFunc, seed uint64) (*model.Model, tuner.Method, error) {
	m, err := model.NewModel(s.Config(), seed)
	if err != nil {
		return nil, nil, err
	}
	meth, err := apply(m, spec, newMethod, seed)
	return m, meth, err
}

// apply applies the method of spec to m and returns it; "" or "base" freezes every tensor
// of m and returns a nil method.
func apply(m *model.Model, spec method.Spec, newMethod NewMethodFunc, seed uint64) (tuner.Method, error) {
	if spec.Name == "" || spec.Name == "base" {
		m.Freeze()
		return nil, nil
	}
	meth, err := newMethod(spec)
	if err != nil {
		return nil, err
	}
	if err := meth.Apply(m, seed); err != nil {
		return nil, fmt.Errorf("bench: apply %s: %w", spec.Label(), err)
	}
	return meth, nil
}

// randomBatch is a batch of B sequences of T random tokens, with slots for prefix methods.
func randomBatch(rng *rand.Rand, vocab, B, T, prefix, infix int) *model.Batch {
	b := &model.Batch{B: B, T: T, IDs: make([]int32, B*T)}
	for i := range b.IDs {
		b.IDs[i] = int32(rng.IntN(vocab))
	}
	for s := range B {
		for k := range prefix {
			b.Slots = append(b.Slots, int32(s*T+1+k))
			b.SlotIDs = append(b.SlotIDs, int32(k))
		}
		for k := range infix {
			b.Slots = append(b.Slots, int32(s*T+T-1-infix+k))
			b.SlotIDs = append(b.SlotIDs, int32(prefix+k))
		}
	}
	return b
}

// peakRSS is the process's peak resident set size in bytes (Linux reports KiB).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}

// cpuTime is the user and system CPU time the process has used so far (0 if unknown).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// median of durations.
func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
