package analysis

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"loralab/internal/figure"
)

// Series is one line of a line plot: points (X[i], Y[i]) with a symmetric error bar Err[i]
// (nil: no error bars). A Level series is a control's horizontal line (chance, the head-only
// probe): it stretches the y axis only as far as the data's own span again, so that a chance
// score far below the methods does not flatten their differences; a level beyond that is left
// off the axis and its legend entry says where it lies.
type Series struct {
	Name      string
	X, Y, Err []float64
	Level     bool
}

// xyErrors adapts a Series to plotter.NewYErrorBars.
type xyErrors struct {
	plotter.XYs
	plotter.YErrors
}

// Axis scales of line plots.
const (
	linearAxis = 0
	log2Axis   = 2
	log10Axis  = 10
)

// LinePlot describes a line figure.
type LinePlot struct {
	Title, XLabel, YLabel string
	XLog                  int // linearAxis, log2Axis or log10Axis
	Series                []Series
}

// Save draws the plot, one colour, marker and dash pattern per series, error bars where the
// series has them, and the legend beside the data on the right, as base.png and base.svg.
func (lp LinePlot) Save(base string) ([]string, error) {
	plt, legend, legendW, err := lp.plot()
	if err != nil {
		return nil, fmt.Errorf("analysis: plot %s: %w", base, err)
	}
	const plotW, gap, height = 5.6 * vg.Inch, 4 * vg.Millimeter, 3.6 * vg.Inch
	return figure.Save(base, plotW+gap+legendW, height, func(dc draw.Canvas) {
		dc.FillPolygon(color.White, rectangle(dc))
		plt.Draw(draw.Crop(dc, 0, -legendW-gap, 0, 0))
		legend.Draw(draw.Crop(dc, plotW+gap, -vg.Millimeter, 0, -plt.Title.Padding-plt.Title.TextStyle.Height(plt.Title.Text)))
	})
}

// legendWidth is the room the legend needs: the longest name, the thumbnail and margins.
func legendWidth(l plot.Legend, series []Series) vg.Length {
	var w vg.Length
	for _, s := range series {
		w = max(w, l.TextStyle.Width(s.Name))
	}
	return w + l.ThumbnailWidth + 6*vg.Millimeter + l.Padding
}

// plot builds the plot and its legend, and the width the legend needs for the names it
// shows (a level off the axis is renamed to give its value).
func (lp LinePlot) plot() (*plot.Plot, plot.Legend, vg.Length, error) {
	plt := plot.New()
	plt.Title.Text = lp.Title
	plt.Title.TextStyle.Font.Size = 12
	plt.Title.Padding = vg.Points(6)
	plt.X.Label.Text = lp.XLabel
	plt.Y.Label.Text = lp.YLabel
	plt.Add(plotter.NewGrid())
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	series, ylo, yhi := placeLevels(lp.Series)
	var xs []float64
	for i, s := range series {
		if err := addSeries(plt, &legend, s, i); err != nil {
			return nil, legend, 0, fmt.Errorf("series %q: %w", s.Name, err)
		}
		xs = append(xs, s.X...)
	}
	if ylo <= yhi {
		plt.Y.Min, plt.Y.Max = ylo, yhi
	}
	padRange(&plt.Y.Min, &plt.Y.Max, false)
	padRange(&plt.X.Min, &plt.X.Max, lp.XLog != linearAxis)
	plt.Y.Tick.Marker = linearTicks{}
	switch lp.XLog {
	case linearAxis:
		plt.X.Tick.Marker = linearTicks{}
	case log2Axis:
		plt.X.Scale = plot.LogScale{}
		plt.X.Tick.Marker = powerOfTwoTicks(xs)
	case log10Axis:
		plt.X.Scale = plot.LogScale{}
		plt.X.Tick.Marker = decadeTicks(xs)
	}
	return plt, legend, legendWidth(legend, series), nil
}

// placeLevels returns the y range of the series, with each Level series that lies off the
// axis (offAxis) left out of it and renamed to say its value, and the series so renamed.
func placeLevels(in []Series) (out []Series, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range in {
		if !s.Level {
			l, h := seriesYRange(s)
			lo, hi = min(lo, l), max(hi, h)
		}
	}
	data := lo <= hi
	out = make([]Series, len(in))
	for i, s := range in {
		if s.Level && data && len(s.Y) > 0 && offAxis(s.Y[0], lo, hi) {
			s.Name = fmt.Sprintf("%s: %s, off the axis", s.Name, strconv.FormatFloat(s.Y[0], 'f', 3, 64))
		} else if s.Level {
			l, h := seriesYRange(s)
			lo, hi = min(lo, l), max(hi, h)
		}
		out[i] = s
	}
	return out, lo, hi
}

// seriesYRange is the span of a series' values and error bars.
func seriesYRange(s Series) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for k, y := range s.Y {
		e := 0.0
		if s.Err != nil {
			e = math.Abs(s.Err[k])
		}
		lo, hi = min(lo, y-e), max(hi, y+e)
	}
	return lo, hi
}

// offAxis says whether a level y lies further from the data's span [lo, hi] than the span's
// own width (or than 0.05 of its magnitude when the span is a point): drawing it would shrink
// the data to less than half the axis.
func offAxis(y, lo, hi float64) bool {
	room := max(hi-lo, 0.05*max(math.Abs(lo), math.Abs(hi)))
	return y < lo-room || y > hi+room
}

// padRange widens an axis range by 5% on each side (a factor of 1.15 on a log axis), so
// that markers and error bars at the ends are not cut by the frame.
func padRange(lo, hi *float64, logScale bool) {
	if logScale {
		*lo, *hi = *lo/1.15, *hi*1.15
		return
	}
	pad := 0.05 * (*hi - *lo)
	if pad == 0 {
		pad = 0.05*math.Abs(*hi) + 1e-9
	}
	*lo, *hi = *lo-pad, *hi+pad
}

// maxMarkers is the most points a series shows with markers; a longer series (a learning
// curve) is a plain line.
const maxMarkers = 30

// addSeries adds the i-th series: a line with markers and, if it has them, error bars.
func addSeries(plt *plot.Plot, legend *plot.Legend, s Series, i int) error {
	xys := make(plotter.XYs, len(s.X))
	for k := range s.X {
		xys[k] = plotter.XY{X: s.X[k], Y: s.Y[k]}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.Color = seriesColor(i)
	line.Dashes = plotutil.Dashes(i)
	line.Width = vg.Points(1.5)
	points.Color = seriesColor(i)
	points.Shape = plotutil.Shape(i)
	points.Radius = vg.Points(3)
	if len(xys) > maxMarkers {
		line.Width = vg.Points(1)
		plt.Add(line)
		legend.Add(s.Name, line)
	} else {
		plt.Add(line, points)
		legend.Add(s.Name, line, points)
	}
	if s.Err == nil {
		return nil
	}
	errs := make(plotter.YErrors, len(s.Err))
	for k, e := range s.Err {
		errs[k].Low, errs[k].High = e, e
	}
	bars, err := plotter.NewYErrorBars(xyErrors{xys, errs})
	if err != nil {
		return err
	}
	bars.Color = seriesColor(i)
	plt.Add(bars)
	return nil
}

// powerOfTwoTicks marks every power of two in the range of xs.
func powerOfTwoTicks(xs []float64) plot.ConstantTicks {
	if len(xs) == 0 {
		return nil
	}
	lo, hi := floats.Min(xs), floats.Max(xs)
	var ticks plot.ConstantTicks
	for p := math.Exp2(math.Floor(math.Log2(lo))); p <= hi*1.0001; p *= 2 {
		ticks = append(ticks, plot.Tick{Value: p, Label: strconv.FormatFloat(p, 'g', -1, 64)})
	}
	return ticks
}

// decadeTicks marks 1, 2 and 5 times each power of ten in the range of xs with a label
// (e.g. 200, 1k, 5k) and the other integer multiples without one.
func decadeTicks(xs []float64) plot.ConstantTicks {
	if len(xs) == 0 {
		return nil
	}
	lo, hi := floats.Min(xs), floats.Max(xs)
	var ticks plot.ConstantTicks
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
		for m := 1.0; m <= 9; m++ {
			v := m * p
			if v < lo/1.5 || v > hi*1.5 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = formatParams(int(math.Round(v)))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
