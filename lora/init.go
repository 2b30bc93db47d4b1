package lora

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"loralab/model"
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

// WeightInit initialises the factors of a LoRA update from the base weight of its layer
// instead of at random (PiSSA, OLoRA, MiLoRA take singular vectors or a QR factor of W): it
// sets d.A and d.B and replaces d.Target.W by the residual W - s·B·A, so that the model
// starts equal to the base. It applies to Linear targets only.
type WeightInit func(d *Linear) error

var weightInits = struct {
	sync.RWMutex
	m map[string]WeightInit
}{m: map[string]WeightInit{}}

// RegisterInit makes init: name valid for lora (and its variants) and runs f on every adapted
// Linear after the random initialisation. Each such init registers itself from its own file.
// It panics on a name taken.
func RegisterInit(name string, f WeightInit) {
	weightInits.Lock()
	defer weightInits.Unlock()
	if _, dup := weightInits.m[name]; dup || name == InitKaiming || name == InitGaussian {
		panic(fmt.Sprintf("lora: init %q registered twice", name))
	}
	weightInits.m[name] = f
}

// weightInit returns the WeightInit registered under name.
func weightInit(name string) (WeightInit, bool) {
	weightInits.RLock()
	defer weightInits.RUnlock()
	f, ok := weightInits.m[name]
	return f, ok
}

// initNames lists the values of the init key: the random ones, then the registered ones.
func initNames() []string {
	weightInits.RLock()
	defer weightInits.RUnlock()
	return append([]string{InitKaiming, InitGaussian}, slices.Sorted(maps.Keys(weightInits.m))...)
}
