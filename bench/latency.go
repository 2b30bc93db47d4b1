package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"loralab/method"
	"loralab/model"
	"loralab/model/target"
	"loralab/nn"
	"loralab/tuner"
)

// LatencyOptions set a forward-latency benchmark (paper Table 1 and Figure 5).
type LatencyOptions struct {
	Shape
	Batch, Seq int
	Reps       int // timed forward passes per variant; the median is reported
	Warmup     int
	Threads    int
	Seed       uint64
	// Variants to time, each a method setting plus whether to merge it; Base is always
	// measured first and the others are reported relative to it.
	Variants []Variant
}

// Variant is one thing to time: a method setting, merged or not.
type Variant struct {
	Name   string // as printed, e.g. "lora merged"
	Spec   method.Spec
	Merged bool
	Size   int // reported in the rows: the rank, bottleneck or prefix length of a study's variant
}

// LatencyRow is one variant's measurement.
type LatencyRow struct {
	Variant      string  `json:"variant"`
	Size         int     `json:"size,omitempty"` // Variant.Size: a study's rank, bottleneck or prefix length; 0 for base
	Batch        int     `json:"batch"`
	Seq          int     `json:"seq"`
	Reps         int     `json:"reps"`
	MedianMillis float64 `json:"median_ms"`
	MinMillis    float64 `json:"min_ms"`        // the fastest pass: the least disturbed by other load
	StdMillis    float64 `json:"std_ms"`        // sample standard deviation of the timed passes
	OverBasePct  float64 `json:"over_base_pct"` // (median / base median - 1) * 100
	// OverBaseMinPct is (min / base min - 1) * 100: on a loaded machine the fastest pass is
	// the one least disturbed by other work.
	OverBaseMinPct float64 `json:"over_base_min_pct"`
	AddedParams    int     `json:"added_params"`
}

// DefaultVariants are the paper's Table 1 rows at bottleneck/rank r: LoRA merged and
// unmerged on q,v, AdapterH and AdapterL.
func DefaultVariants(r int) []Variant {
	lora := method.Spec{Name: method.LoRA, Rank: r, Alpha: float64(r), Targets: target.Default()}
	return []Variant{
		{Name: "lora merged", Spec: lora, Merged: true},
		{Name: "lora unmerged", Spec: lora},
		{Name: fmt.Sprintf("adapter_h r=%d", r), Spec: method.Spec{Name: method.AdapterH, Size: r}},
		{Name: fmt.Sprintf("adapter_l r=%d", r), Spec: method.Spec{Name: method.AdapterL, Size: r}},
	}
}

// Latency times no-grad forward passes of the base model and of each variant on the same
// random batch, interleaving the variants round by round so that a change in the machine's
// load hits them all alike.
func Latency(ctx context.Context, o LatencyOptions, newMethod NewMethodFunc) ([]LatencyRow, error) {
	if o.Batch < 1 || o.Seq < 1 || o.Reps < 1 || o.Seq > o.Shape.Config().MaxLen {
		return nil, fmt.Errorf("bench latency: batch %d, seq %d, reps %d: want >= 1 and seq <= max_len", o.Batch, o.Seq, o.Reps)
	}
	set, err := NewLatencySet(o.Shape, o.Variants, newMethod, o.Seed)
	if err != nil {
		return nil, err
	}
	return set.Measure(ctx, Cell{Batch: o.Batch, Seq: o.Seq, Reps: o.Reps, Warmup: o.Warmup, Threads: o.Threads})
}

// LatencySet holds the base model and one model per variant, built once and timed on as
// many (batch, seq) cells as wanted: building a GPT-2-sized model takes longer than timing it.
// The variants are shares of the base (model.Share): one copy of the base weights serves
// them all, and a merged variant owns a copy of only the matrices it merges into.
type LatencySet struct {
	shape  Shape
	seed   uint64
	names  []string
	sizes  []int
	models []*model.Model
	slots  [][2]int // prefix and infix lengths of each model's method
	added  []int    // parameters the method added to the base model
}

// NewLatencySet builds the base model and the variants, all over the same random base
// weights (seed), merging those that ask for it.
func NewLatencySet(s Shape, variants []Variant, newMethod NewMethodFunc, seed uint64) (*LatencySet, error) {
	base, err := model.NewModel(s.Config(), seed)
	if err != nil {
		return nil, fmt.Errorf("bench latency: %w", err)
	}
	base.Freeze()
	all := append([]Variant{{Name: "base", Spec: method.Spec{Name: "base"}}}, variants...)
	set := &LatencySet{shape: s, seed: seed}
	for i, v := range all {
		m := base
		if i > 0 {
			m = base.Share()
		}
		meth, err := apply(m, v.Spec, newMethod, seed)
		if err != nil {
			return nil, fmt.Errorf("bench latency %s: %w", v.Name, err)
		}
		lp, li, added := 0, 0, 0
		if meth != nil {
			lp, li = meth.Slots()
			for _, t := range meth.Trainable() {
				if m.Param(t.Name) == nil {
					added += t.Len()
				}
			}
			if v.Merged {
				ownDeltaTargets(m)
				if err := meth.Merge(); err != nil && !errors.Is(err, tuner.ErrCannotMerge) {
					return nil, fmt.Errorf("bench latency %s: merge: %w", v.Name, err)
				}
			}
		}
		set.names = append(set.names, v.Name)
		set.sizes = append(set.sizes, v.Size)
		set.models = append(set.models, m)
		set.slots = append(set.slots, [2]int{lp, li})
		set.added = append(set.added, added)
	}
	return set, nil
}

// ownDeltaTargets gives every Linear of the share m that has Deltas its own copy of its
// weight, so that merging into it leaves the base weights the other variants share as
// they are.
func ownDeltaTargets(m *model.Model) {
	for _, l := range m.Linears() {
		if len(l.Deltas) > 0 {
			l.W = l.W.Clone()
		}
	}
}

// Cell is one latency measurement point: the input shape and how often to time it.
type Cell struct {
	Batch, Seq int
	Reps       int // timed passes per model
	Warmup     int // untimed passes per model first
	Threads    int
}

// Measure times Reps no-grad forward passes (LM head included for a decoder) of every model
// of the set on one random batch of the cell's shape, round by round, and reports each
// model's median against the base model's (the first row).
func (set *LatencySet) Measure(ctx context.Context, c Cell) ([]LatencyRow, error) {
	if c.Batch < 1 || c.Seq < 1 || c.Reps < 1 || c.Warmup < 0 || c.Seq > set.shape.Config().MaxLen {
		return nil, fmt.Errorf("bench latency: batch %d, seq %d, reps %d, warmup %d: want >= 1 (warmup >= 0) and seq <= max_len %d",
			c.Batch, c.Seq, c.Reps, c.Warmup, set.shape.Config().MaxLen)
	}
	rng := rand.New(rand.NewPCG(set.seed, uint64(c.Batch)<<32|uint64(c.Seq)))
	batches := make([]*model.Batch, len(set.models))
	for i, sl := range set.slots {
		if sl[0]+sl[1]+2 > c.Seq {
			return nil, fmt.Errorf("bench latency %s: %d prefix and %d infix slots do not fit in seq %d", set.names[i], sl[0], sl[1], c.Seq)
		}
		batches[i] = randomBatch(rng, set.shape.Vocab, c.Batch, c.Seq, sl[0], sl[1])
	}
	tape := nn.NewTape(max(c.Threads, 1))
	tape.SetTrain(false)
	tape.SetGrad(false)
	forward := func(i int) time.Duration {
		m, b := set.models[i], batches[i]
		start := time.Now()
		h := m.Forward(tape, b, &model.Context{Batch: b})
		if m.Cfg.Arch == model.Decoder {
			m.LMLogits(tape, h)
		}
		el := time.Since(start)
		tape.Reset()
		return el
	}
	// One untimed pass grows the tape's shared activation memory to the cell's shape, so that
	// no timed pass pays for it; Warmup rounds then run every model untimed.
	forward(0)
	for range c.Warmup {
		for i := range set.models {
			forward(i)
		}
	}
	// Each round starts one model later than the one before, so that no model always runs
	// first (after the others' caches) or last.
	n := len(set.models)
	times := make([][]time.Duration, n)
	for rep := range c.Reps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for k := range n {
			i := (rep + k) % n
			times[i] = append(times[i], forward(i))
		}
	}
	base, baseMin := median(times[0]), slices.Min(times[0])
	rows := make([]LatencyRow, len(set.models))
	for i, ts := range times {
		med, fastest := median(ts), slices.Min(ts)
		rows[i] = LatencyRow{Variant: set.names[i], Size: set.sizes[i], Batch: c.Batch, Seq: c.Seq, Reps: c.Reps, AddedParams: set.added[i],
			MedianMillis: millis(med), MinMillis: millis(fastest), StdMillis: stdMillis(ts),
			OverBasePct: (med.Seconds()/base.Seconds() - 1) * 100, OverBaseMinPct: (fastest.Seconds()/baseMin.Seconds() - 1) * 100}
	}
	return rows, nil
}

func millis(d time.Duration) float64 { return d.Seconds() * 1000 }

// stdMillis is the sample standard deviation of durations in milliseconds (0 for one).
func stdMillis(ds []time.Duration) float64 {
	if len(ds) < 2 {
		return 0
	}
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = millis(d)
	}
	return stat.StdDev(xs, nil)
}
