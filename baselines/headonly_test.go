package baselines

import (
	"math/rand/v2"
	"slices"
	"testing"

	"loralab/internal/gradcheck"
	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// TestHeadOnlyCounts: head_only trains no tensor of its own on any shape, its paper count is
// 0, the head is counted apart, and every base tensor, the head's included, is frozen after
// Apply (the trainer unfreezes the head).
func TestHeadOnlyCounts(t *testing.T) {
	for _, s := range countShapes {
		t.Run(s.String(), func(t *testing.T) {
			m, err := model.NewModel(s.config(), 1)
			if err != nil {
				t.Fatal(err)
			}
			meth := applied(t, method.Spec{Name: HeadOnly}, m, 1)
			c, err := tuner.Count(meth, m)
			if err != nil {
				t.Fatal(err)
			}
			wantHead := 0
			for _, h := range tuner.HeadParams(m) {
				wantHead += h.Len()
			}
			if c.Trainable != 0 || c.Paper != 0 || c.Head != wantHead {
				t.Errorf("counts %+v, want 0 trainable, 0 by formula, head %d", c, wantHead)
			}
			if s.labels > 0 && wantHead == 0 {
				t.Fatal("an encoder with labels has no head: the test checks nothing")
			}
			if n := m.NumTrainable(); n != 0 {
				t.Errorf("%d base parameters trainable after Apply, want 0", n)
			}
		})
	}
}

// TestHeadOnlyTrainsOnlyTheHead trains the head as the trainer does (head unfrozen, AdamW on
// the method's tensors and the head's) on an encoder with random weights: the head's gradient
// through the frozen base matches finite differences, the loss on a fixed batch falls, the
// head moves, and every other base tensor keeps every bit and never gets a gradient buffer.
func TestHeadOnlyTrainsOnlyTheHead(t *testing.T) {
	s := tinyShapes[0]
	if s.arch != model.Encoder {
		t.Fatalf("tinyShapes[0] is a %s, want an encoder", s.arch)
	}
	m := newRandomModel(t, s, 3)
	meth := applied(t, method.Spec{Name: HeadOnly}, m, 5)
	head := tuner.HeadParams(m)
	var body []*nn.Tensor
	for _, p := range m.Params() {
		if !slices.Contains(head, p) {
			body = append(body, p)
		}
	}
	before := snapshot(m.Params())
	params := append(meth.Trainable(), head...)
	for _, h := range head {
		h.SetTrainable(true)
	}
	b := slotBatch(rand.New(rand.NewPCG(8, 8)), s.vocab, 3, 8, 0, 0, 1)
	loss := func(tp *nn.Tape) *nn.Tensor { return taskLoss(tp, m, b, &model.Context{Batch: b}) }
	gradcheck.Check(t, head, loss, 5)

	opt := nn.NewAdamW([]nn.ParamGroup{{Name: "head", Params: params, WeightDecay: 0.01}})
	tp := nn.NewTape(1)
	var first, last float32
	for step := range 60 {
		nn.ZeroGrads(params)
		l := loss(tp)
		last = l.Data[0]
		if step == 0 {
			first = last
		}
		tp.Backward(l)
		tp.Reset()
		opt.Step(1e-2)
	}
	if !(last < 0.9*first) {
		t.Errorf("loss %.4f after 60 steps, %.4f at the start: want a 10%% drop", last, first)
	}
	for _, p := range body {
		if p.Trainable || p.Grad != nil {
			t.Errorf("frozen %s: trainable %v, gradient buffer of %d", p.Name, p.Trainable, len(p.Grad))
		}
		if !slices.Equal(bits(p.Data), before[p]) {
			t.Errorf("frozen %s changed", p.Name)
		}
	}
	for _, p := range head {
		if slices.Equal(bits(p.Data), before[p]) {
			t.Errorf("head %s did not change in 60 steps", p.Name)
		}
	}
}

// TestHeadOnlyLeavesTheBase: on a decoder (no task head) and an encoder, applying head_only
// and merging change no output bit, and Merge and Unmerge succeed with nothing to fold.
func TestHeadOnlyLeavesTheBase(t *testing.T) {
	for _, s := range tinyShapes {
		t.Run(s.String(), func(t *testing.T) {
			m := newRandomModel(t, s, 3)
			b := slotBatch(rand.New(rand.NewPCG(4, 4)), s.vocab, 2, 8, 0, 0, 2)
			want := bits(outputs(m, b))
			meth := applied(t, method.Spec{Name: HeadOnly}, m, 5)
			if len(meth.Trainable()) != 0 {
				t.Errorf("trainable %q, want none", names(meth.Trainable()))
			}
			if lp, li := meth.Slots(); lp != 0 || li != 0 {
				t.Errorf("slots %d, %d, want none", lp, li)
			}
			if got := bits(outputs(m, b)); !slices.Equal(got, want) {
				t.Error("applying head_only changed the outputs")
			}
			if err := meth.Merge(); err != nil {
				t.Fatalf("merge: %v", err)
			}
			if got := bits(outputs(m, b)); !slices.Equal(got, want) {
				t.Error("merging head_only changed the outputs")
			}
			if err := meth.Unmerge(); err != nil {
				t.Fatalf("unmerge: %v", err)
			}
			if err := meth.Apply(m, 5); err == nil {
				t.Error("a second Apply succeeded")
			}
		})
	}
}
