// Package figure writes a gonum/plot drawing twice, as a PNG for reports and an SVG for
// papers, each file atomically, so that the analysis and the latency study save their figures
// the same way.
package figure

import (
	"bytes"
	"fmt"
	"io"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"loralab/internal/atomicfile"
)

// DPI is the resolution of the PNG: readable on screen, small on disk.
const DPI = 144

// Save renders a figure of size w x h twice, into base.png and base.svg, and returns the two
// paths. render draws onto the canvas it is given; it is called once per format.
func Save(base string, w, h vg.Length, render func(dc draw.Canvas)) ([]string, error) {
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI))}
	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	targets := []struct {
		path   string
		canvas io.WriterTo
		dc     draw.Canvas
	}{
		{base + ".png", png, draw.New(png.Canvas)},
		{base + ".svg", svg, draw.New(svg)},
	}
	var paths []string
	for _, t := range targets {
		render(t.dc)
		if err := write(t.path, t.canvas); err != nil {
			return nil, err
		}
		paths = append(paths, t.path)
	}
	return paths, nil
}

// write encodes a rendered canvas and writes it to path atomically.
func write(path string, c io.WriterTo) error {
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("figure: encode %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return fmt.Errorf("figure: write %s: %w", path, err)
	}
	return nil
}
