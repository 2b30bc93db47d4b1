package analysis

import (
	"image/color"

	"gonum.org/v1/plot"
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
