package analysis

import (
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	if _, err := SaveHeatmaps(base, "t", nil, ScaleFixed); err == nil {
		t.Error("heatmap without panels: no error")
	}
}

// TestLinearTicks checks that every label of a linear axis reads its tick's true value,
// that the labelled ticks are evenly spaced inside the range, and that there are 3 to 7 of
// them — among them the curves plot's range whose top tick at 1.15 was labelled 1.2.
func TestLinearTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string // the labels, "" = only check the rules
	}{
		{0.45, 1.2, "0.6 0.8 1.0 1.2"},          // range/5 = 0.15: step 0.2
		{0.5, 1.17, "0.6 0.8 1.0"},              // 0.134: step 0.2
		{0, 240, "0 50 100 150 200"},            // 48: step 50
		{0.54, 1.16, "0.6 0.8 1.0"},             // the curves plot: 0.124, step 0.2
		{-0.013, 0.021, "-0.01 0.00 0.01 0.02"}, // 0.0068: step 0.01
		{0, 1.1, "0.00 0.25 0.50 0.75 1.00"},    // 0.22: step 0.25, two decimals
		{0.3701, 0.3712, ""},
		{3, 70000, ""},
		{-5, 5, "-4 -2 0 2 4"},
	}
	for _, c := range cases {
		var labels []string
		var values []float64
		for _, tk := range (linearTicks{}).Ticks(c.lo, c.hi) {
			if tk.Value < c.lo-1e-12 || tk.Value > c.hi+1e-12 {
				t.Errorf("[%g, %g]: tick %g outside the range", c.lo, c.hi, tk.Value)
			}
			if tk.Label == "" {
				continue
			}
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > 1e-9*math.Max(1, math.Abs(tk.Value)) {
				t.Errorf("[%g, %g]: tick at %v labelled %q", c.lo, c.hi, tk.Value, tk.Label)
			}
			labels, values = append(labels, tk.Label), append(values, tk.Value)
		}
		if n := len(labels); n < 3 || n > 7 {
			t.Errorf("[%g, %g]: %d labelled ticks %v, want 3 to 7", c.lo, c.hi, n, labels)
		}
		for i := 2; i < len(values); i++ {
			if d1, d2 := values[i]-values[i-1], values[1]-values[0]; math.Abs(d1-d2) > 1e-9*d2 {
				t.Errorf("[%g, %g]: uneven ticks %v", c.lo, c.hi, values)
			}
		}
		if got := strings.Join(labels, " "); c.want != "" && got != c.want {
			t.Errorf("[%g, %g]: labels %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

// TestHeatmapScales checks the two colour scales: fixed maps [0, 1] whatever the values;
// auto maps the panels' smallest to largest finite value, so phi of 0.01 and 0.05 get the two
// ends of the map instead of two nearly black cells.
func TestHeatmapScales(t *testing.T) {
	small := []HeatmapPanel{
		{Phi: mat.NewDense(1, 2, []float64{0.01, 0.03})},
		{Phi: mat.NewDense(1, 2, []float64{0.05, math.NaN()})},
	}
	cases := []struct {
		scale  string
		panels []HeatmapPanel
		lo, hi float64
	}{
		{ScaleFixed, small, 0, 1},
		{"", small, 0, 1},
		{ScaleAuto, small, 0.01, 0.05},
		{ScaleAuto, []HeatmapPanel{{Phi: mat.NewDense(1, 1, []float64{0.2})}}, 0.1995, 0.2005},
		{ScaleAuto, []HeatmapPanel{{Phi: mat.NewDense(1, 1, []float64{math.NaN()})}}, 0, 1},
	}
	for _, c := range cases {
		cm := heatmapColors(c.scale, c.panels)
		if math.Abs(cm.Min()-c.lo) > 1e-12 || math.Abs(cm.Max()-c.hi) > 1e-12 {
			t.Errorf("scale %q: range [%g, %g], want [%g, %g]", c.scale, cm.Min(), cm.Max(), c.lo, c.hi)
		}
	}
	auto := heatmapImage(small[0].Phi, heatmapColors(ScaleAuto, small))
	black, _ := similarityColors().At(0)
	if lowest := auto.At(0, 0); !sameColor(lowest, black) {
		t.Errorf("auto scale: the smallest value is %v, want the map's low end %v", lowest, black)
	}
	// 0.03, the middle of [0.01, 0.05], gets the middle colour on the auto scale and the
	// colour of 0.03 on the fixed one.
	mid, _ := similarityColors().At(0.5)
	near, _ := similarityColors().At(0.03)
	last := auto.Bounds().Dx() - 1
	if got := auto.At(last, 0); !sameColor(got, mid) {
		t.Errorf("auto scale: 0.03 painted %v, want the middle colour %v", got, mid)
	}
	fixed := heatmapImage(small[0].Phi, similarityColors())
	if got := fixed.At(last, 0); !sameColor(got, near) {
		t.Errorf("fixed scale: 0.03 painted %v, want %v", got, near)
	}
}
