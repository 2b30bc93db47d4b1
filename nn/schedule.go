package nn

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate at a step: linear warmup to Peak over Warmup steps, then
// Decay ("linear", "cosine" or "constant"; empty means "linear") towards zero at Total steps.
type Schedule struct {
	Peak          float32
	Warmup, Total int
	Decay         string
}

// Validate reports a schedule that LR cannot follow.
func (s Schedule) Validate() error {
	switch s.Decay {
	case "", "linear", "cosine", "constant":
	default:
		return fmt.Errorf("schedule: decay %q, want linear, cosine or constant", s.Decay)
	}
	if !(s.Peak >= 0) || math.IsInf(float64(s.Peak), 0) {
		return fmt.Errorf("schedule: peak learning rate %v, want a finite value >= 0", s.Peak)
	}
	if s.Warmup < 0 || s.Total < s.Warmup {
		return fmt.Errorf("schedule: warmup %d and total %d steps, want 0 <= warmup <= total", s.Warmup, s.Total)
	}
	return nil
}

// LR is the learning rate of step (counted from 0). During warmup it rises linearly,
// reaching Peak·(step+1)/Warmup, so the first step already moves; from step Warmup the
// decay runs over the remaining Total-Warmup steps with progress
// q = (step-Warmup)/(Total-Warmup) clamped to [0,1]:
//
//	linear: Peak·(1-q),  cosine: Peak·(1+cos πq)/2,  constant: Peak.
//
// It panics on a schedule that Validate rejects.
func (s Schedule) LR(step int) float32 {
	if err := s.Validate(); err != nil {
		panic("nn.Schedule.LR: " + err.Error())
	}
	if step < s.Warmup {
		return s.Peak * float32(step+1) / float32(s.Warmup)
	}
	if s.Decay == "constant" {
		return s.Peak
	}
	q := 1.0
	if span := s.Total - s.Warmup; span > 0 {
		q = min(float64(step-s.Warmup)/float64(span), 1)
	}
	if s.Decay == "cosine" {
		return float32(float64(s.Peak) * (1 + math.Cos(math.Pi*q)) / 2)
	}
	return float32(float64(s.Peak) * (1 - q))
}
