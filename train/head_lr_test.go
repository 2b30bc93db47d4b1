package train

import (
	"context"
	"math"
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// TestHeadLearningRate trains one step with Adam, whose first update moves every parameter
// with a gradient by the learning rate times the sign of its gradient (m̂/√v̂ = g/|g|): the
// largest change of a head element must be head_lr, that of a body element lr.
func TestHeadLearningRate(t *testing.T) {
	for _, c := range []struct{ lr, headLR, wantHead float64 }{
		{1e-3, 0, 1e-3}, // head_lr 0 = lr
		{1e-3, 5e-2, 5e-2},
		{2e-2, 1e-4, 1e-4},
	} {
		task := sentimentTask(32, 5)
		tok := toyTokenizer(t, task)
		m := toyEncoder(t, tok.VocabSize())
		meth := &fullFT{}
		if err := meth.Apply(m, 1); err != nil {
			t.Fatal(err)
		}
		head, body := snapshot(tuner.HeadParams(m)), snapshot(meth.Trainable())
		cfg := Config{Steps: 1, Batch: 8, SeqLen: 32, LR: c.lr, HeadLR: c.headLR, Schedule: "constant", Seed: 1, Threads: 1}
		if _, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg}); err != nil {
			t.Fatal(err)
		}
		if got := maxChange(head, tuner.HeadParams(m)); math.Abs(got-c.wantHead) > 1e-3*c.wantHead {
			t.Errorf("lr %g head_lr %g: head moved by at most %g, want %g", c.lr, c.headLR, got, c.wantHead)
		}
		if got := maxChange(body, meth.Trainable()); math.Abs(got-c.lr) > 1e-3*c.lr {
			t.Errorf("lr %g head_lr %g: body moved by at most %g, want %g", c.lr, c.headLR, got, c.lr)
		}
	}
}

// TestParamGroupsHead checks that tensors at another rate (the head at head_lr) get groups
// of their own, split by decay like the others.
func TestParamGroupsHead(t *testing.T) {
	mat, vec, hmat, hvec := nn.New(2, 2), nn.New(2), nn.New(2, 2), nn.New(2)
	head := []*nn.Tensor{hmat, hvec}
	gs := paramGroups([]*nn.Tensor{mat, vec, hmat, hvec}, 0.1, func(t *nn.Tensor) float32 {
		if slices.Contains(head, t) {
			return 0.5
		}
		return 1
	})
	want := []struct {
		name  string
		p     *nn.Tensor
		scale float32
		decay float32
	}{{"decay", mat, 1, 0.1}, {"decay lr×0.5", hmat, 0.5, 0.1}, {"no_decay", vec, 1, 0}, {"no_decay lr×0.5", hvec, 0.5, 0}}
	if len(gs) != len(want) {
		t.Fatalf("groups %+v", gs)
	}
	for i, w := range want {
		if g := gs[i]; g.Name != w.name || len(g.Params) != 1 || g.Params[0] != w.p || g.LRScale != w.scale || g.WeightDecay != w.decay {
			t.Errorf("group %d: %s ×%g decay %g, want %+v", i, g.Name, g.LRScale, g.WeightDecay, w)
		}
	}
}

func TestHeadLRScale(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want float32
	}{{Config{LR: 1e-3}, 1}, {Config{LR: 1e-3, HeadLR: 1e-2}, 10}, {Config{LR: 4e-3, HeadLR: 1e-3}, 0.25}} {
		if got := c.cfg.headLRScale(); math.Abs(float64(got-c.want)) > 1e-6 {
			t.Errorf("%+v: scale %g, want %g", c.cfg, got, c.want)
		}
	}
	bad := Config{Steps: 1, Batch: 1, SeqLen: 8, LR: 1e-3, HeadLR: -1}
	if err := bad.Validate(); err == nil {
		t.Error("head_lr -1 validated")
	}
}

func snapshot(ps []*nn.Tensor) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.Data...)
	}
	return out
}

func maxChange(before [][]float32, ps []*nn.Tensor) float64 {
	m := 0.0
	for i, p := range ps {
		for j, v := range p.Data {
			m = max(m, math.Abs(float64(v-before[i][j])))
		}
	}
	return m
}

// headOnly trains nothing of the base: the linear probe, where only the head learns.
type headOnly struct{}

func (headOnly) Spec() method.Spec                    { return method.Spec{Name: "head_only"} }
func (headOnly) Apply(m *model.Model, _ uint64) error { return nil }
func (headOnly) Trainable() []*nn.Tensor              { return nil }
func (headOnly) Slots() (int, int)                    { return 0, 0 }
func (headOnly) Merge() error                         { return nil }
func (headOnly) Unmerge() error                       { return nil }

// TestHeadOnlyTrainsTheHead: a method with no tensors of its own still trains the head, at
// head_lr, and leaves the base as it was.
func TestHeadOnlyTrainsTheHead(t *testing.T) {
	task := sentimentTask(32, 5)
	tok := toyTokenizer(t, task)
	m := toyEncoder(t, tok.VocabSize())
	head, body := snapshot(tuner.HeadParams(m)), snapshot(m.Params())
	cfg := Config{Steps: 1, Batch: 8, SeqLen: 32, LR: 1e-3, HeadLR: 2e-2, Schedule: "constant", Seed: 1, Threads: 1}
	if _, err := Finetune(context.Background(), Run{Model: m, Method: headOnly{}, Task: task, Tok: tok, Cfg: cfg}); err != nil {
		t.Fatal(err)
	}
	if got := maxChange(head, tuner.HeadParams(m)); math.Abs(got-2e-2) > 2e-5 {
		t.Errorf("head moved by at most %g, want head_lr 2e-2", got)
	}
	var base []*nn.Tensor
	var before [][]float32
	for i, p := range m.Params() {
		if !slices.Contains(tuner.HeadParams(m), p) {
			base, before = append(base, p), append(before, body[i])
		}
	}
	if got := maxChange(before, base); got != 0 {
		t.Errorf("the frozen base moved by %g", got)
	}
}
