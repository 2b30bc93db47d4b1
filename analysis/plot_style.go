package analysis

import (
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
