package analysis

import (
	"math"
	"testing"
)

// TestMeanCI checks the interval against hand computation: 0.90, 0.86, 0.88 have mean 0.88
// and s = 0.02; t(0.975, 2) = 4.302652729911275 (for 2 degrees of freedom the quantile is
// (2p-1)·√(2/(4p(1-p))) in closed form), so 0.88 ± 4.3026527·0.02/√3.
func TestMeanCI(t *testing.T) {
	lo, hi, ok := MeanCI([]float64{0.90, 0.86, 0.88}, 0.95)
	half := 4.302652729911275 * 0.02 / math.Sqrt(3)
	if !ok || math.Abs(lo-(0.88-half)) > 1e-9 || math.Abs(hi-(0.88+half)) > 1e-9 {
		t.Errorf("CI [%v, %v], want [%v, %v]", lo, hi, 0.88-half, 0.88+half)
	}
	// Two values: t(0.975, 1) = tan(π(0.975-0.5)) = 12.706204736174698; s = |a-b|/√2.
	lo, hi, ok = MeanCI([]float64{1, 3}, 0.95)
	half = 12.706204736174698 * math.Sqrt2 / math.Sqrt(2)
	if !ok || math.Abs(lo-(2-half)) > 1e-9 || math.Abs(hi-(2+half)) > 1e-9 {
		t.Errorf("CI [%v, %v], want [%v, %v]", lo, hi, 2-half, 2+half)
	}
	if _, _, ok := MeanCI([]float64{0.5}, 0.95); ok {
		t.Error("one value gave an interval")
	}
}

// TestPairedTest checks the paired t-test by hand: a = 0.90, 0.86, 0.88 and b = 0.85,
// 0.84, 0.80 on seeds 1-3 differ by 0.05, 0.02, 0.08: mean 0.05, s = 0.03, t = 0.05/(0.03/√3)
// = 2.8867513; with 2 degrees of freedom the two-sided p is 1 - t/√(2+t²) = 0.1019735.
// The sign-flip test: only all-plus and all-minus reach |sum| 0.15, so p = 2/8.
func TestPairedTest(t *testing.T) {
	p, ok := PairedTest([]int{1, 2, 3}, []float64{0.90, 0.86, 0.88}, []int{3, 1, 2}, []float64{0.80, 0.85, 0.84})
	if !ok || p.N != 3 || math.Abs(p.Diff-0.05) > 1e-12 {
		t.Fatalf("paired %+v, %v", p, ok)
	}
	if math.Abs(p.P-0.10197348986612553) > 1e-9 || p.PSignFlip != 0.25 || p.Holds() {
		t.Errorf("p %v, sign-flip %v, holds %v; want 0.1019735, 0.25, false", p.P, p.PSignFlip, p.Holds())
	}
	// Seeds paired by number, the unshared seed 4 left out: differences 0.10, 0.11, 0.12 give
	// mean 0.11, s = 0.01, t = 0.11/(0.01/√3) = 19.052559, p = 1 - t/√(2+t²) = 0.0027434.
	p, ok = PairedTest([]int{1, 2, 3, 4}, []float64{0.6, 0.61, 0.62, 0.9}, []int{1, 2, 3}, []float64{0.5, 0.5, 0.5})
	tt := 0.11 / (0.01 / math.Sqrt(3))
	if want := 1 - tt/math.Sqrt(2+tt*tt); !ok || p.N != 3 || math.Abs(p.P-want) > 1e-9 || !p.Holds() {
		t.Errorf("paired %+v, want N 3, p %v, holds", p, want)
	}
	if _, ok := PairedTest([]int{1, 2}, []float64{1, 2}, []int{2, 3}, []float64{1, 2}); ok {
		t.Error("one shared seed gave a test")
	}
	if p, _ := PairedTest([]int{1, 2}, []float64{0.7, 0.8}, []int{1, 2}, []float64{0.6, 0.7}); p.P != 0 || !p.Holds() {
		t.Errorf("equal differences 0.1: p %v, want 0", p.P)
	}
	if p, _ := PairedTest([]int{1, 2}, []float64{0.7, 0.8}, []int{1, 2}, []float64{0.7, 0.8}); p.P != 1 || p.Holds() {
		t.Errorf("no difference: p %v, want 1", p.P)
	}
}

// TestSignFlipP counts sign patterns by hand.
func TestSignFlipP(t *testing.T) {
	tests := []struct {
		d    []float64
		want float64
	}{
		// sums of ±0.05 ±0.02 ±0.08: 0.15, 0.11, -0.01, -0.05, 0.05, 0.01, -0.11, -0.15;
		// |s| >= 0.11 for 4 of 8.
		{[]float64{0.05, -0.02, 0.08}, 0.5},
		{[]float64{1, 2, 3, 4, 5}, 2.0 / 32}, // only all-plus and all-minus reach 15
		// ±1 ±1 ±1 ±1: |sum| >= 2 unless two of each sign (6 of 16 patterns).
		{[]float64{1, 1, 1, -1}, 10.0 / 16},
		{[]float64{0, 0}, 1},
	}
	for _, tt := range tests {
		if got := SignFlipP(tt.d); math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("%v: p %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestComparisonText(t *testing.T) {
	tests := []struct {
		p    *Paired
		want string
	}{
		{nil, "–"},
		{&Paired{N: 3, Diff: 0.0521, P: 0.0031}, "+0.052 (p 0.0031)"},
		{&Paired{N: 3, Diff: -0.1, P: 0.0004}, "-0.100 (p < 0.001)"},
		{&Paired{N: 3, Diff: 0.01, P: 0.41}, "tie (+0.010, p 0.41)"},
		{&Paired{N: 2, Diff: 0.2, P: 0.05}, "tie (+0.200, p 0.05)"}, // p must be below 0.05
	}
	for _, tt := range tests {
		if got := comparisonText(tt.p); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}
