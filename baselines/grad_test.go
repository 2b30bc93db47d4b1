package baselines

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// TestGradients checks, for every method on an encoder (head cross-entropy) and a decoder
// (next-token cross-entropy, with and without dropout), the gradient backward gives each
// trainable tensor against float64 central differences of the float32 loss. The method's
// tensors are randomised first (as after some training), so that no gradient is
// trivially zero: with the zero up-projection of a fresh adapter the down-projection's
// gradient would vanish. The ReLU adapters' pre-activations are then kept away from the
// kink (awayFromKinks), where a finite difference has no meaning.
func TestGradients(t *testing.T) {
	for _, s := range tinyShapes {
		for _, dropout := range []float32{0, 0.1} {
			if dropout > 0 && s.arch == model.Encoder {
				continue
			}
			for _, spec := range allSpecs(s.layers) {
				name := fmt.Sprintf("%s/dropout=%g/%s", s, dropout, strings.ReplaceAll(spec.Label(), " ", "_"))
				t.Run(name, func(t *testing.T) {
					m := newRandomModel(t, s, 3)
					m.Cfg.Dropout = dropout
					meth := applied(t, spec, m, 5)
					randomize(meth.Trainable(), 9)
					lp, li := meth.Slots()
					b := slotBatch(rand.New(rand.NewPCG(4, 4)), s.vocab, 2, 8, lp, li, 2)
					loss := func(tp *nn.Tape) *nn.Tensor {
						return taskLoss(tp, m, b, &model.Context{Batch: b, Train: dropout > 0, Seed: 17})
					}
					awayFromKinks(t, m, loss)
					gradcheck.Check(t, meth.Trainable(), loss, 5)
				})
			}
		}
	}
}

// TestFrozenStayFrozen runs a few trainer-like AdamW steps (forward, loss, backward, step)
// for every method and checks that frozen base tensors get no gradient buffer and keep
// every byte, while every trainable tensor moves.
func TestFrozenStayFrozen(t *testing.T) {
	for _, s := range tinyShapes {
		for _, spec := range allSpecs(s.layers) {
			t.Run(s.String()+"/"+strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
				m := newRandomModel(t, s, 3)
				m.Cfg.Dropout = 0.1
				meth := applied(t, spec, m, 5)
				trained := meth.Trainable()
				var frozen []*nn.Tensor
				for _, p := range m.Params() {
					if !slices.Contains(trained, p) {
						frozen = append(frozen, p)
					}
				}
				before := snapshot(append(slices.Clone(frozen), trained...))
				trainSteps(t, m, meth, 3)
				for _, p := range frozen {
					if p.Trainable || p.Grad != nil {
						t.Errorf("frozen %s: trainable %v, gradient buffer of %d", p.Name, p.Trainable, len(p.Grad))
					}
					if !slices.Equal(bits(p.Data), before[p]) {
						t.Errorf("frozen %s changed", p.Name)
					}
				}
				for _, p := range trained {
					if slices.Equal(bits(p.Data), before[p]) {
						t.Errorf("trainable %s did not change in 3 steps", p.Name)
					}
				}
			})
		}
	}
}

// trainSteps runs steps AdamW updates of meth's tensors on random slot batches, like the
// trainer: zero gradients, forward in training mode, loss, backward, step.
func trainSteps(t *testing.T, m *model.Model, meth tuner.Method, steps int) {
	t.Helper()
	params := meth.Trainable()
	opt := nn.NewAdamW([]nn.ParamGroup{{Name: "all", Params: params, WeightDecay: 0.01}})
	tp := nn.NewTape(2)
	lp, li := meth.Slots()
	rng := rand.New(rand.NewPCG(8, 8))
	for step := range steps {
		nn.ZeroGrads(params)
		tp.SetTrain(true)
		tp.SetGrad(true)
		b := slotBatch(rng, m.Cfg.Vocab, 3, 7, lp, li, 1)
		loss := taskLoss(tp, m, b, &model.Context{Batch: b, Train: true, Seed: uint64(step)})
		if v := loss.Data[0]; math.IsNaN(float64(v)) {
			t.Fatalf("step %d: loss is NaN", step)
		}
		tp.Backward(loss)
		tp.Reset()
		opt.Step(1e-2)
	}
}

// snapshot copies the bits of each tensor's data.
func snapshot(ts []*nn.Tensor) map[*nn.Tensor][]uint32 {
	s := map[*nn.Tensor][]uint32{}
	for _, p := range ts {
		s[p] = bits(p.Data)
	}
	return s
}

func bits(xs []float32) []uint32 {
	out := make([]uint32, len(xs))
	for i, x := range xs {
		out[i] = math.Float32bits(x)
	}
	return out
}

// TestTrainingLowersLoss fits each method, from its fresh initialisation, to one fixed
// batch for 60 AdamW steps and checks that the task loss falls: the method's tensors
// are wired into the loss, adapters included despite their zero start.
func TestTrainingLowersLoss(t *testing.T) {
	for _, s := range tinyShapes {
		for _, spec := range allSpecs(s.layers) {
			t.Run(s.String()+"/"+strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
				m := newRandomModel(t, s, 3) // random weights: a frozen head that responds
				meth := applied(t, spec, m, 5)
				params := meth.Trainable()
				opt := nn.NewAdamW([]nn.ParamGroup{{Name: "all", Params: params}})
				lp, li := meth.Slots()
				b := slotBatch(rand.New(rand.NewPCG(8, 8)), s.vocab, 2, 8, lp, li, 0)
				tp := nn.NewTape(1)
				var first, last float32
				for step := range 60 {
					nn.ZeroGrads(params)
					loss := taskLoss(tp, m, b, &model.Context{Batch: b})
					last = loss.Data[0]
					if step == 0 {
						first = last
					}
					tp.Backward(loss)
					tp.Reset()
					opt.Step(1e-2)
				}
				if !(last < 0.9*first) {
					t.Errorf("loss %.4f after 60 steps, %.4f at the start: want a 10%% drop", last, first)
				}
			})
		}
	}
}
