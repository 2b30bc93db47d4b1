package analysis

import (
	"bytes"
	"fmt"
	"io"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"loralab/experiments/record"
)

// figureDPI is the resolution of PNG figures: readable on screen, small on disk.
const figureDPI = 144

// saveFigure renders a figure of size w x h twice, as base.png and base.svg, each written
// atomically. It returns the two paths.
func saveFigure(base string, w, h vg.Length, render func(dc draw.Canvas)) ([]string, error) {
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(figureDPI))}
	svg := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	targets := []struct {
		path   string
		canvas vg.CanvasWriterTo
		dc     draw.Canvas
	}{
		{base + ".png", png, draw.New(png.Canvas)},
		{base + ".svg", svg, draw.New(svg)},
	}
	var paths []string
	for _, t := range targets {
		render(t.dc)
		if err := writeCanvas(t.path, t.canvas); err != nil {
			return nil, err
		}
		paths = append(paths, t.path)
	}
	return paths, nil
}

// writeCanvas encodes a rendered canvas and writes it to path atomically.
func writeCanvas(path string, c io.WriterTo) error {
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("analysis: encode %s: %w", path, err)
	}
	if err := record.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	return nil
}
