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
		if err := write(t.path, t.canvas, t.canvas == svg); err != nil {
			return nil, err
		}
		paths = append(paths, t.path)
	}
	return paths, nil
}

// write encodes a rendered canvas and writes it to path atomically; an SVG gets its images
// fixed first (fixSVGImages).
func write(path string, c io.WriterTo, isSVG bool) error {
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return fmt.Errorf("figure: encode %s: %w", path, err)
	}
	data := buf.Bytes()
	if isSVG {
		data = fixSVGImages(data)
	}
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("figure: write %s: %w", path, err)
	}
	return nil
}

// fixSVGImages makes the raster images of an SVG written by vgsvg fill the boxes they are
// drawn in, as they do in the PNG: vgsvg leaves SVG's default preserveAspectRatio, under which
// a browser shrinks a 1-pixel-wide colour bar to a hairline, and labels its PNG data as JPEG.
func fixSVGImages(svg []byte) []byte {
	svg = bytes.ReplaceAll(svg, []byte("<image "), []byte(`<image preserveAspectRatio="none" `))
	return bytes.ReplaceAll(svg, []byte("data:image/jpg;base64,iVBOR"), []byte("data:image/png;base64,iVBOR"))
}
