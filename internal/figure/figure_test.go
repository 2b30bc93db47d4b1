package figure

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TestSave draws a red square and checks both files: the PNG decodes at the size and DPI
// asked for with the square in it, the SVG is an SVG of that size.
func TestSave(t *testing.T) {
	base := filepath.Join(t.TempDir(), "fig")
	calls := 0
	render := func(dc draw.Canvas) {
		calls++
		dc.FillPolygon(color.RGBA{R: 255, A: 255}, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	}
	paths, err := Save(base, 2*vg.Inch, 1*vg.Inch, render)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{base + ".png", base + ".svg"}; !slices.Equal(paths, want) || calls != 2 {
		t.Fatalf("paths %q after %d renders, want %q after 2", paths, calls, want)
	}
	data, err := os.ReadFile(base + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 2*DPI || b.Dy() != DPI {
		t.Errorf("PNG is %dx%d pixels, want %dx%d", b.Dx(), b.Dy(), 2*DPI, DPI)
	}
	if r, g, b, _ := img.At(DPI, DPI/2).RGBA(); r>>8 != 255 || g != 0 || b != 0 {
		t.Errorf("PNG centre is (%d, %d, %d), want red", r>>8, g>>8, b>>8)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(svg); !strings.Contains(s, "<svg") || !strings.Contains(s, `width="144pt"`) {
		t.Errorf("SVG does not look like a 2 inch wide SVG: %.200s", s)
	}
}

// TestSaveIntoMissingFolder checks that a write error names the file.
func TestSaveIntoMissingFolder(t *testing.T) {
	base := filepath.Join(t.TempDir(), "no", "such", "fig")
	_, err := Save(base, vg.Inch, vg.Inch, func(draw.Canvas) {})
	if err == nil || !strings.Contains(err.Error(), base+".png") {
		t.Fatalf("error %v, want one naming %s.png", err, base)
	}
}

// TestSVGImagesFillTheirBox draws a 1x4-pixel image stretched over a wide box, as a colour
// bar is, and checks that the SVG's image fills the box (preserveAspectRatio none) and says
// its data is a PNG.
func TestSVGImagesFillTheirBox(t *testing.T) {
	base := filepath.Join(t.TempDir(), "bar")
	img := image.NewNRGBA(image.Rect(0, 0, 1, 4))
	render := func(dc draw.Canvas) {
		dc.DrawImage(vg.Rectangle{Min: dc.Min, Max: dc.Max}, img)
	}
	if _, err := Save(base, 2*vg.Inch, 1*vg.Inch, render); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if n := strings.Count(s, "<image "); n != 1 || strings.Count(s, `<image preserveAspectRatio="none" `) != 1 {
		t.Errorf("SVG has %d images, want 1 with preserveAspectRatio none:\n%.400s", n, s)
	}
	if !strings.Contains(s, "data:image/png;base64,") || strings.Contains(s, "image/jpg") {
		t.Errorf("the image's data is not labelled PNG:\n%.400s", s)
	}
}
