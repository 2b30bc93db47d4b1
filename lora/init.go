package lora

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"loralab/method"
	"loralab/model"
	"loralab/model/target"
	"loralab/nn"
)

// initA fills a (an r x fanIn factor A, row-major or its transpose: only the count matters)
// with random values:
//
//   - kaiming (the default): uniform on [-bound, bound] with bound = sqrt(6 / ((1+a²) fan_in))
//     and a = sqrt(5), which is 1/sqrt(fan_in): PyTorch's default for nn.Linear weights,
//     which PEFT uses for lora_A;
//   - gaussian: N(0, σ²) with σ = 1/r, as PEFT's init_lora_weights="gaussian".
//
// The generator is seeded by seed, the tensor's name and the rank, so that a matrix gets the
// same A whatever the other targets of the setting are, and the A of two ranks are
// independent draws: were the stream shared, the first rows of A at r=64 would be A at r=8,
// and the subspace similarity of the two (paper Figure 3) would measure the shared
// initialisation rather than what training learned.
func initA(a []float32, r, fanIn int, aInit string, seed uint64, name string) {
	rng := rand.New(rand.NewPCG(seed, model.SubSeed(nameHash(name), uint64(r))))
	switch aInit {
	case InitGaussian:
		sigma := 1 / float64(r)
		for i := range a {
			a[i] = float32(sigma * rng.NormFloat64())
		}
	default:
		bound := kaimingBound(fanIn)
		for i := range a {
			a[i] = float32(bound * (2*rng.Float64() - 1))
		}
	}
}

// kaimingBound is PyTorch's kaiming_uniform_ bound with a = sqrt(5) (leaky-ReLU gain
// sqrt(2/(1+a²))): sqrt(3) · gain / sqrt(fan_in) = sqrt(6 / ((1+a²) fan_in)).
func kaimingBound(fanIn int) float64 {
	const a2 = 5.0 // a², a = sqrt(5)
	return math.Sqrt(6 / ((1 + a2) * float64(fanIn)))
}

// nameHash mixes a tensor name into a 64-bit stream selector for the generator.
func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return model.SubSeed(h.Sum64(), 0)
}

// A factorInit starts the factors of one adapted weight W [out, in] from W itself instead of
// at random (PiSSA, OLoRA, MiLoRA): it returns A [r, in] and B [out, r], row-major, for the
// scale s, and the layer keeps the residual W − s·B·A frozen in place of W, so that the
// model at step 0 is the base model. Each such initialisation registers itself from its
// own file (init_pissa.go, ...) through registerFactorInit.
type factorInit func(w []float32, out, in, r int, s float32) (a, b []float32)

var factorInits = map[string]factorInit{}

// registerFactorInit makes name a value of LoRA's init key. It panics on a name taken.
func registerFactorInit(name string, f factorInit) {
	if _, dup := factorInits[name]; dup || name == InitKaiming || name == InitGaussian {
		panic(fmt.Sprintf("lora: init %q registered twice", name))
	}
	factorInits[name] = f
}

// initNames lists the values of LoRA's init key: the random ones, then the factor inits.
func initNames() []string {
	return append([]string{InitKaiming, InitGaussian}, slices.Sorted(maps.Keys(factorInits))...)
}

// changesBase reports whether an initialisation replaces the adapted weights by residuals.
func changesBase(aInit string) bool {
	_, ok := factorInits[aInit]
	return ok
}

// initFactors applies the factor init of d's setting: A and B from the layer's weight, and
// the residual W − s·B·A in place of W. The weight gets its own values first, so that a
// model that shares them with others (model.Model.Share) keeps them unchanged.
func initFactors(d *Linear, aInit string) {
	w := d.Target.W
	r := d.A.Shape[0]
	a, b := factorInits[aInit](w.Data, w.Shape[0], w.Shape[1], r, d.Scale)
	copy(d.A.Data, a)
	copy(d.B.Data, b)
	w.Data = slices.Clone(w.Data)
	nn.MatMulAdd(w, -d.Scale, d.B, d.A, false, false)
}

// checkInit reports a factor init that cannot apply to a setting: the token embedding has
// no such init, and the rank must not exceed the smaller side of any adapted matrix.
func checkInit(s method.Spec, d method.Dims) []method.Problem {
	if !changesBase(s.Init) {
		return nil
	}
	var ps []method.Problem
	for _, name := range s.Targets {
		t, ok := target.Lookup(name)
		if !ok {
			continue
		}
		if !t.PerLayer {
			ps = append(ps, method.Problem{Key: "init", Msg: fmt.Sprintf("init %s applies to the Linear targets only, not %s", s.Init, name)})
			continue
		}
		in, out := t.Shape(d.DModel, d.DFF, d.Vocab)
		if s.Rank > min(in, out) {
			ps = append(ps, method.Problem{Key: "rank", Msg: fmt.Sprintf("rank %d exceeds the smaller side %d of target %s (init %s)", s.Rank, min(in, out), name, s.Init)})
		}
	}
	return ps
}
