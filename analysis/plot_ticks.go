package analysis

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// linearTicks marks a linear axis at multiples of a round step (1, 2, 2.5 or 5 times a power
// of ten) with about five labelled ticks, each label written with as many decimals as the step
// needs, so that every label reads the tick's true value. A minor tick sits halfway between
// two labelled ones.
type linearTicks struct{}

// Ticks implements plot.Ticker.
func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return []plot.Tick{{Value: lo, Label: tickLabel(lo, 3)}}
	}
	step, decimals := roundStep((hi - lo) / 5)
	var ticks []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for k := first - 1; (k-0.5)*step <= hi+step*1e-9; k++ {
		if v := k * step; v >= lo-step*1e-9 && v <= hi+step*1e-9 {
			ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, decimals)})
		}
		if half := (k + 0.5) * step; half >= lo && half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}

// roundStep is the smallest step of the form {1, 2, 2.5, 5} x 10^k that is at least raw, and
// the decimals its multiples need.
func roundStep(raw float64) (step float64, decimals int) {
	exp := math.Floor(math.Log10(raw))
	pow := math.Pow(10, exp)
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw*(1-1e-12) {
			step = m * pow
			decimals = max(0, -int(exp))
			if m == 2.5 {
				decimals++
			}
			if m == 10 {
				decimals = max(0, decimals-1)
			}
			return step, decimals
		}
	}
	return 10 * pow, max(0, -int(exp)-1)
}

// tickLabel writes v with the given decimals, and never as "-0".
func tickLabel(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == 0 {
		return strconv.FormatFloat(0, 'f', decimals, 64)
	}
	return s
}
