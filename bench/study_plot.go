package bench

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"loralab/internal/figure"
)

// saveLatencyFigure draws the paper's Figure 5: a grid of panels, a row per variant and a
// column per sequence length, each plotting the latency over the base model (%) against the
// batch size, one line per size r. It writes base.png and base.svg and returns their paths.
func saveLatencyFigure(base string, s *LatencyStudy, rows []LatencyRow) ([]string, error) {
	grid, err := latencyPanels(s, rows)
	if err != nil {
		return nil, fmt.Errorf("latency figure: %w", err)
	}
	const panelW, panelH, titleH = 2.7 * vg.Inch, 2.1 * vg.Inch, 0.4 * vg.Inch
	w := panelW * vg.Length(len(s.Seqs))
	h := panelH*vg.Length(len(s.Variants)) + titleH
	title := fmt.Sprintf("Latency over base (%s of passes), %s (d=%d, L=%d)", s.Estimator, s.Preset, s.Shape.DModel, s.Shape.Layers)
	render := func(dc draw.Canvas) {
		dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
		sty := plot.New().Title.TextStyle
		sty.Font.Size = 12
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(sty, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - titleH/2}, title)
		body := draw.Crop(dc, 0, 0, 0, -titleH)
		tiles := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: vg.Millimeter, PadY: vg.Millimeter,
			PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: 2 * vg.Millimeter}
		canvases := plot.Align(grid, tiles, body)
		for i := range grid {
			for j := range grid[i] {
				grid[i][j].Draw(canvases[i][j])
			}
		}
	}
	return figure.Save(base, w, h, render)
}

// latencyPanels builds the panels: [variant][seq], one line per size, every panel of a row
// on the same y range so that sequence lengths compare at a glance.
func latencyPanels(s *LatencyStudy, rows []LatencyRow) ([][]*plot.Plot, error) {
	pct := map[string]float64{}
	for _, r := range rows {
		_, pct[fmt.Sprintf("%s|%d|%d|%d", r.Variant, r.Size, r.Batch, r.Seq)] = s.Estimate(r)
	}
	grid := make([][]*plot.Plot, len(s.Variants))
	for i, variant := range s.Variants {
		lo, hi := 0.0, 1.0
		for j, seq := range s.Seqs {
			p := plot.New()
			p.Title.Text = fmt.Sprintf("%s, seq %d", variant, seq)
			p.Title.TextStyle.Font.Size = 10
			p.X.Label.Text = "batch size"
			p.Y.Label.Text = "over base (%)"
			for _, ax := range []*plot.Axis{&p.X, &p.Y} {
				ax.Label.TextStyle.Font.Size = 9
				ax.Tick.Label.Font.Size = 8
			}
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = batchTicks(s.Batches)
			p.X.Min, p.X.Max = float64(slices.Min(s.Batches))/1.4, float64(slices.Max(s.Batches))*1.4
			p.Add(plotter.NewGrid())
			p.Legend.Top = true
			p.Legend.TextStyle.Font.Size = 8
			for k, size := range s.Sizes {
				var xys plotter.XYs
				for _, b := range s.Batches {
					if v, ok := pct[fmt.Sprintf("%s|%d|%d|%d", variant, size, b, seq)]; ok {
						xys = append(xys, plotter.XY{X: float64(b), Y: v})
						lo, hi = math.Min(lo, v), math.Max(hi, v)
					}
				}
				if len(xys) == 0 {
					continue
				}
				line, points, err := plotter.NewLinePoints(xys)
				if err != nil {
					return nil, fmt.Errorf("%s seq %d size %d: %w", variant, seq, size, err)
				}
				line.Color, points.Color = plotutil.Color(k), plotutil.Color(k)
				line.Dashes, points.Shape = plotutil.Dashes(k), plotutil.Shape(k)
				line.Width, points.Radius = vg.Points(1.5), vg.Points(2.5)
				p.Add(line, points)
				if j == 0 { // the sizes are the same in every panel of a row: one legend
					p.Legend.Add("r = "+strconv.Itoa(size), line, points)
				}
			}
			grid[i] = append(grid[i], p)
		}
		pad := 0.08 * (hi - lo)
		for _, p := range grid[i] {
			p.Y.Min, p.Y.Max = lo-pad, hi+pad
		}
	}
	return grid, nil
}

// batchTicks labels every batch size of the study on the log axis.
func batchTicks(batches []int) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(batches))
	for i, b := range batches {
		ticks[i] = plot.Tick{Value: float64(b), Label: strconv.Itoa(b)}
	}
	return ticks
}
