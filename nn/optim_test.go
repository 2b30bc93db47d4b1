package nn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// scalarParam returns a one-element trainable parameter holding v, with a gradient buffer
// for the test to fill.
func scalarParam(name string, v float32) *Tensor {
	p := NewParam(name, 1)
	p.Data[0] = v
	p.ensureGrad()
	return p
}

// TestAdamWByHand applies two AdamW steps with gradients 0.5 then -0.25 to θ = 1 at
// lr 0.1, β = (0.9, 0.999), ε = 1e-8:
//
//	step 1: θ = 1·(1-0.1·0.01) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25;
//	        θ = 0.999 - 0.1·0.5/0.5 = 0.899
//	step 2: θ = 0.899·0.999 = 0.898101; m = 0.02, v = 0.00031225; m̂ = 0.02/0.19,
//	        v̂ = 0.00031225/0.001999; θ = 0.898101 - 0.1·0.1052632/0.3952254 = 0.8714673
//
// A second group with LRScale 2 and no decay gives 0.8 then 0.7467326; a frozen
// parameter does not move.
func TestAdamWByHand(t *testing.T) {
	decayed, scaled, frozen := scalarParam("decayed", 1), scalarParam("scaled", 1), scalarParam("frozen", 1)
	frozen.SetTrainable(false)
	opt := NewAdamW([]ParamGroup{
		{Name: "decay", Params: []*Tensor{decayed, frozen}, WeightDecay: 0.01},
		{Name: "scaled", Params: []*Tensor{scaled}, LRScale: 2},
	})
	want := []struct{ decayed, scaled float64 }{{0.899, 0.8}, {0.8714673, 0.7467326}}
	for step, grad := range []float32{0.5, -0.25} {
		decayed.Grad[0], scaled.Grad[0] = grad, grad
		opt.Step(0.1)
		if got := float64(decayed.Data[0]); math.Abs(got-want[step].decayed) > 1e-6 {
			t.Errorf("step %d: decayed θ = %.7f, want %.7f", step+1, got, want[step].decayed)
		}
		if got := float64(scaled.Data[0]); math.Abs(got-want[step].scaled) > 1e-6 {
			t.Errorf("step %d: scaled θ = %.7f, want %.7f", step+1, got, want[step].scaled)
		}
	}
	if frozen.Data[0] != 1 {
		t.Errorf("frozen parameter moved to %v", frozen.Data[0])
	}
	if opt.Steps() != 2 {
		t.Errorf("Steps() = %d, want 2", opt.Steps())
	}
}

// TestAdamWDecayIsDecoupled checks that with a zero gradient only the decay acts: θ
// shrinks by exactly lr·λ·θ and the moments stay zero, unlike L2 regularisation, which
// would feed λθ through the adaptive scaling.
func TestAdamWDecayIsDecoupled(t *testing.T) {
	p := scalarParam("p", 2)
	opt := NewAdamW([]ParamGroup{{Params: []*Tensor{p}, WeightDecay: 0.1}})
	opt.Step(0.5)
	if want := float32(2 * (1 - 0.5*0.1)); p.Data[0] != want {
		t.Errorf("θ = %v, want %v", p.Data[0], want)
	}
}

// TestSGDByHand: θ = 1, lr 0.1, momentum 0.9, L2 decay 0.1, gradients 0.5 then -0.25:
// step 1: g = 0.5+0.1 = 0.6, b = 0.6, θ = 0.94; step 2: g = -0.25+0.094 = -0.156,
// b = 0.54-0.156 = 0.384, θ = 0.94-0.0384 = 0.9016. Without momentum: 0.94 then
// 0.94 - 0.1·(-0.156) = 0.9556.
func TestSGDByHand(t *testing.T) {
	cases := []struct {
		momentum float32
		want     [2]float64
	}{{0.9, [2]float64{0.94, 0.9016}}, {0, [2]float64{0.94, 0.9556}}}
	for _, c := range cases {
		p := scalarParam("p", 1)
		opt := NewSGD([]ParamGroup{{Params: []*Tensor{p}, WeightDecay: 0.1}}, c.momentum)
		for step, grad := range []float32{0.5, -0.25} {
			p.Grad[0] = grad
			opt.Step(0.1)
			if got := float64(p.Data[0]); math.Abs(got-c.want[step]) > 1e-6 {
				t.Errorf("momentum %v step %d: θ = %v, want %v", c.momentum, step+1, got, c.want[step])
			}
		}
	}
}

// TestOptimizerGradientSize: a gradient of the wrong size panics; a trainable parameter
// no op has used yet has gradient 0, so AdamW only decays it (θ = 1, lr 0.1, decay 0.5).
func TestOptimizerGradientSize(t *testing.T) {
	p := &Tensor{Name: "w", Shape: []int{2}, Data: make([]float32, 2), Grad: make([]float32, 1), Trainable: true}
	opt := NewAdamW([]ParamGroup{{Name: "g", Params: []*Tensor{p}}})
	if msg := mustPanic(t, func() { opt.Step(1) }); !strings.Contains(msg, `"w"`) || !strings.Contains(msg, "1 gradients") {
		t.Errorf("panic %q", msg)
	}
	unused := NewParam("u", 1)
	unused.Data[0] = 1
	opt = NewAdamW([]ParamGroup{{Params: []*Tensor{unused}, WeightDecay: 0.5}})
	opt.Step(0.1)
	if len(unused.Grad) != 1 || unused.Data[0] != 0.95 {
		t.Errorf("unused parameter after a step: grad %v, θ = %v; want [0], 0.95", unused.Grad, unused.Data[0])
	}
}

// TestScheduleByHand: Peak 1, Warmup 4, Total 12, so decay runs over steps 4..12.
func TestScheduleByHand(t *testing.T) {
	cosQuarter := (1 + math.Cos(math.Pi/4)) / 2 // q = 2/8
	cases := []struct {
		decay string
		step  int
		want  float64
	}{
		{"linear", 0, 0.25}, {"linear", 3, 1}, {"linear", 4, 1}, {"linear", 6, 0.75},
		{"linear", 8, 0.5}, {"linear", 12, 0}, {"linear", 100, 0}, {"", 8, 0.5},
		{"cosine", 2, 0.75}, {"cosine", 4, 1}, {"cosine", 6, cosQuarter}, {"cosine", 8, 0.5}, {"cosine", 12, 0},
		{"constant", 1, 0.5}, {"constant", 4, 1}, {"constant", 50, 1},
	}
	for _, c := range cases {
		s := Schedule{Peak: 1, Warmup: 4, Total: 12, Decay: c.decay}
		if got := float64(s.LR(c.step)); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%q step %d: lr %v, want %v", c.decay, c.step, got, c.want)
		}
	}
	if got := (Schedule{Peak: 2, Total: 4}).LR(0); got != 2 {
		t.Errorf("no warmup: first lr %v, want the peak 2", got)
	}
}

func TestScheduleValidate(t *testing.T) {
	cases := []struct {
		s    Schedule
		want string // substring of the error, "" for valid
	}{
		{Schedule{Peak: 1e-3, Warmup: 10, Total: 100, Decay: "cosine"}, ""},
		{Schedule{Peak: 1e-3, Warmup: 10, Total: 100, Decay: "exp"}, `decay "exp"`},
		{Schedule{Peak: -1, Total: 10}, "peak"},
		{Schedule{Peak: 1, Warmup: -1, Total: 10}, "warmup -1"},
		{Schedule{Peak: 1, Warmup: 20, Total: 10}, "total 10"},
	}
	for _, c := range cases {
		err := c.s.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: error %v, want %q", c.s, err, c.want)
		}
	}
	if msg := mustPanic(t, func() { Schedule{Peak: 1, Total: 1, Decay: "exp"}.LR(0) }); !strings.Contains(msg, "exp") {
		t.Errorf("LR on a bad schedule: %q", msg)
	}
}

// TestClipGradNorm: gradients (3, 4) and (12) have norm 13; clipping to 6.5 halves them,
// a frozen parameter is neither counted nor scaled.
func TestClipGradNorm(t *testing.T) {
	a, b, frozen := NewParam("a", 2), NewParam("b", 1), NewParam("frozen", 1)
	for _, p := range []*Tensor{a, b, frozen} {
		p.ensureGrad()
	}
	copy(a.Grad, []float32{3, 4})
	b.Grad[0] = 12
	frozen.Grad[0] = 100
	frozen.Trainable = false
	params := []*Tensor{a, b, frozen}
	if norm := ClipGradNorm(params, 20); norm != 13 || a.Grad[0] != 3 {
		t.Errorf("below the limit: norm %v, grads %v; want 13 and unchanged", norm, a.Grad)
	}
	if norm := ClipGradNorm(params, 6.5); norm != 13 {
		t.Errorf("norm %v, want 13", norm)
	}
	assertClose(t, append(a.Grad, b.Grad...), []float32{1.5, 2, 6}, 1e-6)
	if frozen.Grad[0] != 100 {
		t.Errorf("frozen gradient scaled to %v", frozen.Grad[0])
	}
	ZeroGrads(params)
	if a.Grad[1] != 0 || b.Grad[0] != 0 {
		t.Errorf("ZeroGrads left %v %v", a.Grad, b.Grad)
	}
}

// TestStepScaledIsClipThenStep: ClipFactor then StepScaled updates parameters and
// moments as ClipGradNorm then Step does, bit for bit, over steps that clip and steps
// that do not, with rows of zero gradients (never-seen embedding rows).
func TestStepScaledIsClipThenStep(t *testing.T) {
	build := func() ([]*Tensor, *AdamW) {
		rng := newRand(77)
		emb, w := randLeaf(rng, "emb", 1, 40, 16), randLeaf(rng, "w", 1, 5, 7)
		bias := randLeaf(rng, "b", 1, 7)
		params := []*Tensor{emb, w, bias}
		return params, NewAdamW([]ParamGroup{{Name: "decay", Params: []*Tensor{emb, w}, WeightDecay: 0.01}, {Name: "no_decay", Params: []*Tensor{bias}}})
	}
	pa, oa := build()
	pb, ob := build()
	rng := newRand(78)
	for step := range 6 {
		gscale := []float64{0.01, 1, 3}[step%3] // small gradients are not clipped
		for i := range pa {
			pa[i].ensureGrad()
			pb[i].ensureGrad()
			for j := range pa[i].Grad {
				g := float32(rng.NormFloat64() * gscale)
				if i == 0 && (j/16)%4 != 1 { // embedding rows no batch reaches
					g = 0
				}
				pa[i].Grad[j], pb[i].Grad[j] = g, g
			}
		}
		na := ClipGradNorm(pa, 1)
		oa.Step(1e-3)
		nb, scale, clip := ClipFactor(pb, 1)
		ob.StepScaled(1e-3, scale)
		if na != nb || clip != (na > 1) {
			t.Fatalf("step %d: norms %v and %v, clip %v", step, na, nb, clip)
		}
		for i := range pa {
			if !slices.Equal(bitsOf(pa[i].Data), bitsOf(pb[i].Data)) {
				t.Errorf("step %d: parameter %s differs", step, pa[i].Name)
			}
		}
		for gi := range oa.m {
			for pi := range oa.m[gi] {
				if !slices.Equal(bitsOf(oa.m[gi][pi]), bitsOf(ob.m[gi][pi])) || !slices.Equal(bitsOf(oa.v[gi][pi]), bitsOf(ob.v[gi][pi])) {
					t.Errorf("step %d: moments of group %d parameter %d differ", step, gi, pi)
				}
			}
		}
	}
}

// TestClipScaleIsClipFactor: ClipScale gives ClipFactor's factor and decision, bit for
// bit, on gradients well below, near (within rounding of) and above the limit, with
// zeros, tiny and non-finite values among them.
func TestClipScaleIsClipFactor(t *testing.T) {
	rng := newRand(91)
	for trial := range 400 {
		params := []*Tensor{NewParam("a", 1+rng.IntN(300)), NewParam("b", rng.IntN(70)), NewParam("c", 1+rng.IntN(5))}
		var sum float64
		for _, p := range params {
			p.ensureGrad()
			for i := range p.Grad {
				switch rng.IntN(10) {
				case 0:
					p.Grad[i] = 0
				case 1:
					p.Grad[i] = float32(rng.NormFloat64()) * 1e-42
				default:
					p.Grad[i] = float32(rng.NormFloat64())
				}
				sum += float64(p.Grad[i]) * float64(p.Grad[i])
			}
		}
		params[2].Trainable = trial%3 != 0
		switch trial % 4 {
		case 0: // the limit within rounding of the norm
			maxNorm := float32(math.Sqrt(sum))
			maxNorm = math.Nextafter32(maxNorm, float32(trial%8/4)*2*maxNorm)
			checkClipScale(t, trial, params, maxNorm)
		case 1:
			checkClipScale(t, trial, params, float32(math.Sqrt(sum)*(0.5+rng.Float64())))
		case 2:
			if trial%16 == 2 {
				params[0].Grad[0] = float32(math.Inf(1))
			}
			if trial%16 == 6 {
				params[0].Grad[0] = float32(math.NaN())
			}
			checkClipScale(t, trial, params, 1)
		default:
			checkClipScale(t, trial, params, float32(rng.Float64()*3))
		}
	}
}

func checkClipScale(t *testing.T, trial int, params []*Tensor, maxNorm float32) {
	t.Helper()
	_, wantScale, wantClip := ClipFactor(params, maxNorm)
	scale, clip := ClipScale(params, maxNorm)
	if clip != wantClip || math.Float32bits(scale) != math.Float32bits(wantScale) {
		t.Errorf("trial %d, limit %v: ClipScale %v %v, ClipFactor %v %v", trial, maxNorm, scale, clip, wantScale, wantClip)
	}
}
