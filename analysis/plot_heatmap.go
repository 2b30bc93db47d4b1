package analysis

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	vgdraw "gonum.org/v1/plot/vg/draw"

	"loralab/internal/figure"
)

// HeatmapPanel is one heat map of a similarity figure.
type HeatmapPanel struct {
	Title  string
	XLabel string // what j indexes, e.g. "j (r=64)"
	YLabel string // what i indexes
	Phi    *mat.Dense
}

// Colour scales of the similarity heat maps, as Spec.HeatmapScale names them.
const (
	// ScaleFixed maps phi's whole range [0, 1] to the colours, so that figures compare with
	// each other and with the paper's.
	ScaleFixed = "fixed"
	// ScaleAuto maps the smallest to the largest value of the figure's panels, so that small
	// values (phi of 0.01-0.05 between unrelated subspaces) are told apart.
	ScaleAuto = "auto"
)

// HeatmapScales lists the colour scales, the default first.
func HeatmapScales() []string { return []string{ScaleFixed, ScaleAuto} }

// similarityColors is the colour map of phi in [0, 1]: black (0) through red and yellow to
// white (1).
func similarityColors() palette.ColorMap {
	return blackBody(0, 1)
}

// blackBody is the black-red-yellow-white colour map over [lo, hi].
func blackBody(lo, hi float64) palette.ColorMap {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm
}

// heatmapColors is the colour map of a figure's panels on the named scale: [0, 1] for
// ScaleFixed (and ""), the range of the panels' finite values for ScaleAuto.
func heatmapColors(scale string, panels []HeatmapPanel) palette.ColorMap {
	if scale != ScaleAuto {
		return similarityColors()
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		for _, v := range p.Phi.RawMatrix().Data {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	switch {
	case lo > hi: // no finite value
		return similarityColors()
	case hi-lo < 1e-9:
		lo, hi = lo-0.5e-3, hi+0.5e-3
	}
	return blackBody(lo, hi)
}

// heatmapPlot draws one panel with the colour map, i growing downwards as in the paper.
func heatmapPlot(p HeatmapPanel, cm palette.ColorMap) *plot.Plot {
	plt := plot.New()
	plt.Title.Text = p.Title
	plt.X.Label.Text = p.XLabel
	plt.Y.Label.Text = p.YLabel
	rows, cols := p.Phi.Dims()
	// Cell (i, j) covers x in [j-1/2, j+1/2] and y in [-i-1/2, -i+1/2]: i grows downwards as
	// in the paper's figures, and the tick labels drop the sign.
	plt.Add(plotter.NewImage(heatmapImage(p.Phi, cm), 0.5, -float64(rows)-0.5, float64(cols)+0.5, -0.5), frame{})
	plt.X.Tick.Marker = integerTicks(cols, 1)
	plt.Y.Tick.Marker = integerTicks(rows, -1)
	plt.X.Padding, plt.Y.Padding = 0, 0
	return plt
}

// integerTicks labels 1..n at a step that keeps about eight labels; the tick of v sits at
// sign·v.
func integerTicks(n int, sign float64) plot.ConstantTicks {
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
			ticks = append(ticks, plot.Tick{Value: sign * float64(v), Label: fmt.Sprint(v)})
		}
	}
	return ticks
}

// heatmapImage paints phi with the colour map, each cell a block of pixels (about 512 pixels
// along each side) so that the image's scaling to the page blurs only the cells' edges.
// Values outside the colour map's range are clamped.
func heatmapImage(phi *mat.Dense, cm palette.ColorMap) image.Image {
	rows, cols := phi.Dims()
	cellW, cellH := max(1, 512/cols), max(1, 512/rows)
	img := image.NewNRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	for i := range rows {
		for j := range cols {
			c, err := cm.At(min(max(phi.At(i, j), cm.Min()), cm.Max()))
			if err != nil {
				c = color.Gray{Y: 128} // NaN: no colour of the map
			}
			cell := image.Rect(j*cellW, i*cellH, (j+1)*cellW, (i+1)*cellH)
			draw.Draw(img, cell, image.NewUniform(c), image.Point{}, draw.Src)
		}
	}
	return img
}

// colorBarPlot is a vertical colour bar legend for phi.
func colorBarPlot(cm palette.ColorMap) *plot.Plot {
	plt := plot.New()
	plt.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true}, frame{})
	plt.HideX()
	plt.Y.Padding = 0
	plt.Y.Tick.Marker = linearTicks{}
	plt.Title.Text = "φ"
	return plt
}

// SaveHeatmaps draws the panels side by side on one colour scale (ScaleFixed or ScaleAuto),
// with a colour bar on the right and a title over all, as base.png and base.svg.
func SaveHeatmaps(base, title string, panels []HeatmapPanel, scale string) ([]string, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("analysis: heatmap %s: no panels", base)
	}
	const panelW, barW, height, titleH = 3.2 * vg.Inch, 0.9 * vg.Inch, 3.4 * vg.Inch, 0.35 * vg.Inch
	width := panelW*vg.Length(len(panels)) + barW
	cm := heatmapColors(scale, panels)
	render := func(dc vgdraw.Canvas) {
		dc.FillPolygon(color.White, rectangle(dc))
		header := vgdraw.Crop(dc, 0, 0, height-titleH, 0)
		header.FillText(titleStyle(), header.Center(), title)
		body := vgdraw.Crop(dc, 0, 0, 0, -titleH)
		plots := make([][]*plot.Plot, 1)
		for _, p := range panels {
			plots[0] = append(plots[0], heatmapPlot(p, cm))
		}
		left := vgdraw.Crop(body, 0, -barW, 0, 0)
		tiles := vgdraw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Inch / 4, PadTop: vg.Inch / 16,
			PadBottom: vg.Inch / 16, PadLeft: vg.Inch / 16, PadRight: vg.Inch / 16}
		for j, c := range plot.Align(plots, tiles, left)[0] {
			plots[0][j].Draw(c)
		}
		bar := vgdraw.Crop(body, width-barW, -vg.Inch/6, vg.Inch/2, -vg.Inch/4)
		colorBarPlot(cm).Draw(bar)
	}
	return figure.Save(base, width, height, render)
}
