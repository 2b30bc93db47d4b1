package analysis

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// rectangle is the outline of a canvas, for filling its background.
func rectangle(c draw.Canvas) []vg.Point {
	return []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
}

// titleStyle is the style of a figure's overall title: the plot title font, a little
// larger, centred.
func titleStyle() text.Style {
	sty := plot.New().Title.TextStyle
	sty.Font.Size = 13
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	return sty
}

// frame is a plot.Plotter that outlines the data area, so that cells or colours close to the
// white background keep a visible edge.
type frame struct{}

func (frame) Plot(c draw.Canvas, _ *plot.Plot) {
	outline := append(rectangle(c), c.Min)
	c.StrokeLines(draw.LineStyle{Color: color.Gray{Y: 64}, Width: vg.Points(0.5)}, outline)
}

// seriesColors are eight qualitative colours (ColorBrewer Dark2) that stay distinct on white.
func seriesColors() []color.Color {
	p, err := brewer.GetPalette(brewer.TypeQualitative, "Dark2", 8)
	if err != nil {
		panic(err) // Dark2 has 8 colours: a failure is a bug of this package
	}
	return p.Colors()
}

// seriesColor is the colour of the i-th series; past eight, colours repeat and the dash
// pattern (plotutil.Dashes) tells the lines apart.
func seriesColor(i int) color.Color {
	c := seriesColors()
	return c[i%len(c)]
}
