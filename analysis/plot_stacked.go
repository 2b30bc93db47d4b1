package analysis

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"loralab/internal/figure"
)

// StackedPlot is line plots one above the other in one figure, each with its legend on the
// right: panels that share their x quantity (the base-strength study's metric and gap
// against pretraining tokens).
type StackedPlot struct {
	Panels []LinePlot
}

// Save draws the panels top to bottom as base.png and base.svg.
func (sp StackedPlot) Save(base string) ([]string, error) {
	const plotW, gap, panelH, panelGap = 5.6 * vg.Inch, 4 * vg.Millimeter, 3.2 * vg.Inch, 5 * vg.Millimeter
	plots := make([]*plot.Plot, len(sp.Panels))
	legends := make([]plot.Legend, len(sp.Panels))
	var legendW vg.Length
	for i, lp := range sp.Panels {
		var err error
		var w vg.Length
		if plots[i], legends[i], w, err = lp.plot(); err != nil {
			return nil, fmt.Errorf("analysis: plot %s, panel %d: %w", base, i, err)
		}
		legendW = max(legendW, w)
	}
	n := vg.Length(len(plots))
	return figure.Save(base, plotW+gap+legendW, n*panelH, func(dc draw.Canvas) {
		dc.FillPolygon(color.White, rectangle(dc))
		for i, plt := range plots {
			k := vg.Length(i)
			band := draw.Crop(dc, 0, 0, (n-1-k)*panelH, -k*panelH)
			if i > 0 {
				band = draw.Crop(band, 0, 0, 0, -panelGap) // room between a panel's axis label and the next title
			}
			plt.Draw(draw.Crop(band, 0, -legendW-gap, 0, 0))
			legends[i].Draw(draw.Crop(band, plotW+gap, -vg.Millimeter, 0, -plt.Title.Padding-plt.Title.TextStyle.Height(plt.Title.Text)))
		}
	})
}
