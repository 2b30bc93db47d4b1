package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
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
}

// LatencyRow is one variant's measurement.
type LatencyRow struct {
	Variant      string  `json:"variant"`
	Batch        int     `json:"batch"`
	Seq          int     `json:"seq"`
	MedianMillis float64 `json:"median_ms"`
	OverBasePct  float64 `json:"over_base_pct"` // (median / base median - 1) * 100
	AddedParams  int     `json:"added_params"`
}

// DefaultVariants are the paper's Table 1 rows at bottleneck/rank r: LoRA merged and
// unmerged on q,v, AdapterH and AdapterL.
func DefaultVariants(r int) []Variant {
	lora := method.Spec{Name: method.LoRA, Rank: r, Alpha: float64(r), Targets: []string{"q", "v"}}
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
	variants := append([]Variant{{Name: "base", Spec: method.Spec{Name: "base"}}}, o.Variants...)
	type prepared struct {
		m     *model.Model
		batch *model.Batch
		added int
		times []time.Duration
	}
	rng := rand.New(rand.NewPCG(o.Seed, 3))
	ps := make([]*prepared, len(variants))
	for i, v := range variants {
		m, meth, err := build(o.Shape, v.Spec, newMethod, o.Seed)
		if err != nil {
			return nil, fmt.Errorf("bench latency %s: %w", v.Name, err)
		}
		p := &prepared{m: m}
		lp, li := 0, 0
		if meth != nil {
			lp, li = meth.Slots()
			for _, t := range meth.Trainable() {
				if m.Param(t.Name) == nil {
					p.added += t.Len()
				}
			}
			if v.Merged {
				if err := meth.Merge(); err != nil && !errors.Is(err, method.ErrCannotMerge) {
					return nil, fmt.Errorf("bench latency %s: merge: %w", v.Name, err)
				}
			}
		}
		p.batch = randomBatch(rng, o.Vocab, o.Batch, o.Seq, lp, li)
		ps[i] = p
	}
	tape := nn.NewTape(max(o.Threads, 1))
	tape.SetTrain(false)
	tape.SetGrad(false)
	forward := func(p *prepared) time.Duration {
		start := time.Now()
		h := p.m.Forward(tape, p.batch, &model.Context{Batch: p.batch})
		if p.m.Cfg.Arch == model.Decoder {
			p.m.LMLogits(tape, h)
		}
		el := time.Since(start)
		tape.Reset()
		return el
	}
	for range o.Warmup {
		for _, p := range ps {
			forward(p)
		}
	}
	for range o.Reps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, p := range ps {
			p.times = append(p.times, forward(p))
		}
	}
	base := median(ps[0].times)
	rows := make([]LatencyRow, len(ps))
	for i, p := range ps {
		med := median(p.times)
		rows[i] = LatencyRow{Variant: variants[i].Name, Batch: o.Batch, Seq: o.Seq, AddedParams: p.added,
			MedianMillis: med.Seconds() * 1000, OverBasePct: (med.Seconds()/base.Seconds() - 1) * 100}
	}
	return rows, nil
}
