package nn

import (
	"fmt"
	"math"
)

// ParamGroup is a set of parameters sharing optimizer settings, e.g. no weight decay on
// biases and LayerNorm gains, or a separate learning-rate multiplier.
type ParamGroup struct {
	Name        string
	Params      []*Tensor
	LRScale     float32 // multiplies the scheduled learning rate; 0 means 1
	WeightDecay float32 // decoupled (AdamW) weight decay
}

// lr is the group's learning rate for base rate lr.
func (g *ParamGroup) lr(base float32) float32 {
	if g.LRScale == 0 {
		return base
	}
	return base * g.LRScale
}

// Optimizer updates trainable parameters from their gradients.
type Optimizer interface {
	// Step applies one update with base learning rate lr; parameters that are not
	// Trainable are skipped.
	Step(lr float32)
}

// AdamW is Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as in PyTorch's
// torch.optim.AdamW. At step t, for each trainable parameter θ with gradient g, group rate
// η and decay λ:
//
//	θ ← θ - ηλθ
//	m ← β₁m + (1-β₁)g,  v ← β₂v + (1-β₂)g²
//	θ ← θ - η · (m/(1-β₁ᵗ)) / (√(v/(1-β₂ᵗ)) + ε)
//
// The moments of a parameter are allocated at the first step that finds it trainable, so a
// frozen parameter has none.
type AdamW struct {
	Groups            []ParamGroup
	Beta1, Beta2, Eps float32

	steps  int
	m, v   [][][]float32 // moments, indexed by group then parameter
	consts adamWConsts   // the scalars of the current update, for the vector kernel
}

// NewAdamW returns an AdamW optimizer over groups with the usual β₁ = 0.9, β₂ = 0.999,
// ε = 1e-8; change the fields before the first Step to use others.
func NewAdamW(groups []ParamGroup) *AdamW {
	a := &AdamW{Groups: groups, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	a.m, a.v = stateSlots(groups), stateSlots(groups)
	return a
}

// stateSlots returns one empty per-parameter state slot for each parameter of groups;
// stateOf fills a slot when its parameter is first updated.
func stateSlots(groups []ParamGroup) [][][]float32 {
	bufs := make([][][]float32, len(groups))
	for i, g := range groups {
		bufs[i] = make([][]float32, len(g.Params))
	}
	return bufs
}

// stateOf returns the state buffer of parameter pi of group gi, allocating it (zero) on
// first use.
func stateOf(bufs [][][]float32, gi, pi, n int) []float32 {
	if len(bufs[gi][pi]) != n {
		bufs[gi][pi] = make([]float32, n)
	}
	return bufs[gi][pi]
}

// StateBytes is the memory the optimizer's moments take.
func (a *AdamW) StateBytes() int64 { return stateBytes(a.m) + stateBytes(a.v) }

// stateBytes counts the bytes of allocated state buffers.
func stateBytes(bufs [][][]float32) int64 {
	var n int64
	for _, g := range bufs {
		for _, b := range g {
			n += 4 * int64(cap(b))
		}
	}
	return n
}

// Steps is the number of updates applied so far.
func (a *AdamW) Steps() int { return a.steps }

// Step applies one AdamW update with base learning rate lr.
func (a *AdamW) Step(lr float32) { a.StepScaled(lr, 1) }

// StepScaled applies one AdamW update with base learning rate lr to gradients taken as
// float32(gradScale·g): the update Step makes after ScaleGrads(params, gradScale), bit
// for bit, without the pass that rescales the gradients in place (they are left as they
// were). With ClipFactor it is ClipGradNorm then Step, for an optimizer whose
// parameters are the clipped ones, each once.
func (a *AdamW) StepScaled(lr, gradScale float32) {
	a.steps++
	c1 := 1 - math.Pow(float64(a.Beta1), float64(a.steps)) // bias corrections
	c2 := 1 - math.Pow(float64(a.Beta2), float64(a.steps))
	for gi := range a.Groups {
		g := &a.Groups[gi]
		eta := g.lr(lr)
		for pi, p := range g.Params {
			if !p.Trainable {
				continue
			}
			mustHaveGrad("nn.AdamW", g.Name, p)
			a.update(p, stateOf(a.m, gi, pi, p.Len()), stateOf(a.v, gi, pi, p.Len()), eta, g.WeightDecay, float32(c1), float32(c2), gradScale)
		}
	}
}

// update applies one AdamW step to p with moment buffers m and v (the vector kernel
// adamW: m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g·g, p ← p·(1-ηλ) - η(m/c1)/(√(v/c2) + ε),
// each product rounded before it is added).
func (a *AdamW) update(p *Tensor, m, v []float32, eta, decay, c1, c2, gscale float32) {
	a.consts = adamWConsts{b1: a.Beta1, ob1: 1 - a.Beta1, b2: a.Beta2, ob2: 1 - a.Beta2, c1: c1, c2: c2,
		eta: eta, shrink: 1 - eta*decay, eps: a.Eps, gscale: gscale}
	if adamWZeroSkip(&a.consts) {
		a.consts.zeroSkip = 1
	}
	n := len(p.Data)
	kern.adamW(p.Data, p.Grad[:n], m[:n], v[:n], &a.consts)
}

// mustHaveGrad gives the trainable parameter p a zero gradient if it has none yet (no op
// has used it since it was made trainable) and panics if its gradient has the wrong size.
func mustHaveGrad(opt, group string, p *Tensor) {
	if p.Grad == nil {
		p.ensureGrad()
	}
	if len(p.Grad) != len(p.Data) {
		panic(fmt.Sprintf("%s: parameter %q of group %q has %d values but %d gradients", opt, p.Name, group, len(p.Data), len(p.Grad)))
	}
}

// SGD is stochastic gradient descent with optional momentum μ and L2 weight decay λ
// (coupled, as in torch.optim.SGD): g ← g + λθ, b ← μb + g, θ ← θ - ηb (b = g without momentum).
type SGD struct {
	Groups   []ParamGroup
	Momentum float32

	velocity [][][]float32 // nil without momentum
}

// NewSGD returns an SGD optimizer over groups; momentum 0 means plain SGD.
func NewSGD(groups []ParamGroup, momentum float32) *SGD {
	s := &SGD{Groups: groups, Momentum: momentum}
	if momentum != 0 {
		s.velocity = stateSlots(groups)
	}
	return s
}

// Step applies one SGD update with base learning rate lr.
func (s *SGD) Step(lr float32) {
	for gi := range s.Groups {
		g := &s.Groups[gi]
		eta, decay := g.lr(lr), g.WeightDecay
		for pi, p := range g.Params {
			if !p.Trainable {
				continue
			}
			mustHaveGrad("nn.SGD", g.Name, p)
			var b []float32
			if s.velocity != nil {
				b = stateOf(s.velocity, gi, pi, p.Len())
			}
			for i, grad := range p.Grad[:len(p.Data)] {
				step := grad + decay*p.Data[i]
				if b != nil {
					b[i] = s.Momentum*b[i] + step
					step = b[i]
				}
				p.Data[i] -= eta * step
			}
		}
	}
}
