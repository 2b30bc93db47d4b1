package analysis

import (
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestHeatmapImageLayout(t *testing.T) {
	phi := mat.NewDense(2, 3, []float64{0, 0.5, 1, 0.25, 2, -1})
	cm := similarityColors()
	img := heatmapImage(phi, cm)
	cellW, cellH := img.Bounds().Dx()/3, img.Bounds().Dy()/2
	if img.Bounds().Dx() != 3*cellW || img.Bounds().Dy() != 2*cellH {
		t.Fatalf("image %v is not 3x2 whole cells", img.Bounds())
	}
	for i := range 2 {
		for j := range 3 {
			v := min(max(phi.At(i, j), 0), 1) // out-of-range values clamp to the ends
			want, _ := cm.At(v)
			// Row i of phi is the i-th row of pixels from the top: i grows downwards.
			got := img.At(j*cellW+cellW/2, i*cellH+cellH/2)
			if !sameColor(got, want) {
				t.Errorf("cell (%d, %d) = %v, want the colour of %v = %v", i, j, got, v, want)
			}
		}
	}
}

func sameColor(a, b color.Color) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	near := func(x, y uint32) bool { return x>>8 == y>>8 || x>>8+1 == y>>8 || x>>8 == y>>8+1 }
	return near(ar, br) && near(ag, bg) && near(ab, bb) && near(aa, ba)
}

func TestTicks(t *testing.T) {
	two := powerOfTwoTicks([]float64{1, 8, 64})
	var twoV []float64
	for _, tk := range two {
		twoV = append(twoV, tk.Value)
	}
	if !slices.Equal(twoV, []float64{1, 2, 4, 8, 16, 32, 64}) {
		t.Errorf("powers of two over [1, 64] = %v", twoV)
	}
	var labelled []string
	for _, tk := range decadeTicks([]float64{150, 9000}) {
		if tk.Label != "" {
			labelled = append(labelled, tk.Label)
		}
	}
	if strings.Join(labelled, " ") != "100 200 500 1k 2k 5k" {
		t.Errorf("labelled decade ticks over [150, 9000] = %v, want 100 200 500 1k 2k 5k (the axis clips those outside)", labelled)
	}
	var ints []string
	for _, tk := range integerTicks(64, -1) {
		if tk.Value > 0 {
			t.Fatalf("tick %v: with sign -1 every tick sits below zero", tk.Value)
		}
		ints = append(ints, tk.Label)
	}
	if strings.Join(ints, " ") != "1 8 16 24 32 40 48 56 64" {
		t.Errorf("integer ticks 1..64 = %v", ints)
	}
}

func TestSaveFigureFormats(t *testing.T) {
	base := filepath.Join(t.TempDir(), "lines")
	lp := LinePlot{Title: "t", XLabel: "x", YLabel: "y", XLog: log2Axis,
		Series: []Series{{Name: "a", X: []float64{1, 2, 4}, Y: []float64{1, 2, 3}, Err: []float64{0.1, 0.2, 0.1}}}}
	paths, err := lp.Save(base)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{base + ".png", base + ".svg"}) {
		t.Fatalf("paths %v", paths)
	}
	png, _ := os.ReadFile(paths[0])
	svg, _ := os.ReadFile(paths[1])
	if !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		t.Error("the .png is not a PNG")
	}
	if !strings.Contains(string(svg), "<svg") {
		t.Error("the .svg is not SVG")
	}
	if _, err := SaveHeatmaps(base, "t", nil); err == nil {
		t.Error("heatmap without panels: no error")
	}
}
