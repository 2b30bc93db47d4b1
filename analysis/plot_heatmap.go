package analysis

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// phiGridXYZ shows a phi matrix (row i-1, column j-1) as a heat map grid: x is j, y is i.
type phiGridXYZ struct{ phi *mat.Dense }

func (g phiGridXYZ) Dims() (c, r int)   { r, c = g.phi.Dims(); return c, r }
func (g phiGridXYZ) Z(c, r int) float64 { return g.phi.At(r, c) }
func (g phiGridXYZ) X(c int) float64    { return float64(c + 1) }
func (g phiGridXYZ) Y(r int) float64    { return float64(r + 1) }

// HeatmapPanel is one heat map of a similarity figure.
type HeatmapPanel struct {
	Title  string
	XLabel string // what j indexes, e.g. "j (r=64)"
	YLabel string // what i indexes
	Phi    *mat.Dense
}

// similarityColors is the colour map of phi in [0, 1]: black (0) through red and yellow to
// white (1).
func similarityColors() palette.ColorMap {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(1)
	return cm
}

// heatmapPlot draws one panel on the fixed range [0, 1], i growing downwards as in the paper.
func heatmapPlot(p HeatmapPanel, cm palette.ColorMap) *plot.Plot {
	plt := plot.New()
	plt.Title.Text = p.Title
	plt.X.Label.Text = p.XLabel
	plt.Y.Label.Text = p.YLabel
	h := plotter.NewHeatMap(phiGridXYZ{p.Phi}, cm.Palette(256))
	h.Min, h.Max = 0, 1
	h.Rasterized = true // vector cells leave hairline seams between them
	plt.Add(h)
	rows, cols := p.Phi.Dims()
	plt.X.Tick.Marker = integerTicks(cols)
	plt.Y.Tick.Marker = integerTicks(rows)
	plt.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	plt.X.Padding, plt.Y.Padding = 0, 0
	return plt
}

// integerTicks labels 1..n at a step that keeps about eight labels.
func integerTicks(n int) plot.ConstantTicks {
	step := max(1, int(math.Ceil(float64(n)/8)))
	for _, nice := range []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024} {
		if nice >= step {
			step = nice
			break
		}
	}
	var ticks plot.ConstantTicks
	for v := 1; v <= n; v++ {
		if v == 1 || v%step == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
		}
	}
	return ticks
}

// colorBarPlot is a vertical colour bar legend for phi.
func colorBarPlot(cm palette.ColorMap) *plot.Plot {
	plt := plot.New()
	plt.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	plt.HideX()
	plt.Y.Padding = 0
	plt.Title.Text = "φ"
	return plt
}

// SaveHeatmaps draws the panels side by side on one colour scale, with a colour bar on the
// right and a title over all, as base.png and base.svg.
func SaveHeatmaps(base, title string, panels []HeatmapPanel) ([]string, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("analysis: heatmap %s: no panels", base)
	}
	const panelW, barW, height, titleH = 3.2 * vg.Inch, 0.9 * vg.Inch, 3.4 * vg.Inch, 0.35 * vg.Inch
	width := panelW*vg.Length(len(panels)) + barW
	cm := similarityColors()
	render := func(dc draw.Canvas) {
		dc.FillPolygon(color.White, rectangle(dc))
		header := draw.Crop(dc, 0, 0, height-titleH, 0)
		header.FillText(titleStyle(), header.Center(), title)
		body := draw.Crop(dc, 0, 0, 0, -titleH)
		plots := make([][]*plot.Plot, 1)
		for _, p := range panels {
			plots[0] = append(plots[0], heatmapPlot(p, cm))
		}
		left := draw.Crop(body, 0, -barW, 0, 0)
		tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Inch / 4, PadTop: vg.Inch / 16,
			PadBottom: vg.Inch / 16, PadLeft: vg.Inch / 16, PadRight: vg.Inch / 16}
		for j, c := range plot.Align(plots, tiles, left)[0] {
			plots[0][j].Draw(c)
		}
		bar := draw.Crop(body, width-barW, 0, vg.Inch/2, -vg.Inch/4)
		colorBarPlot(cm).Draw(bar)
	}
	return saveFigure(base, width, height, render)
}
