package pretrain

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"loralab/internal/atomicfile"
	"loralab/internal/figure"
	"loralab/model"
)

// CurvePoint is one evaluation of the run: a row of curve.csv.
type CurvePoint struct {
	Step       int     `json:"step"`
	Tokens     int64   `json:"tokens"`     // window tokens read by training so far
	TrainLoss  float64 `json:"train_loss"` // mean training loss since the previous point; 0 at step 0
	HeldOutNLL float64 `json:"held_out_nll"`
	Perplexity float64 `json:"held_out_perplexity"`
	Accuracy   float64 `json:"held_out_accuracy"` // masked-LM accuracy (encoder), next-token (decoder)
	UnigramPPL float64 `json:"unigram_perplexity"`
	Elapsed    float64 `json:"elapsed_seconds"` // wall time of the run so far, over its sessions
	LoadAvg    float64 `json:"load_average"`    // 1-minute load average when evaluated
}

var curveHeader = []string{"step", "tokens", "train_loss", "held_out_nll", "held_out_perplexity", "held_out_accuracy",
	"unigram_perplexity", "elapsed_seconds", "load_average"}

// writeCurve rewrites OUT/curve.csv and the figure from the points so far.
func writeCurve(out string, points []CurvePoint, arch string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(curveHeader)
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }
	for _, p := range points {
		w.Write([]string{strconv.Itoa(p.Step), strconv.FormatInt(p.Tokens, 10), g(p.TrainLoss), g(p.HeldOutNLL),
			g(p.Perplexity), g(p.Accuracy), g(p.UnigramPPL), strconv.FormatFloat(p.Elapsed, 'f', 1, 64), g(p.LoadAvg)})
	}
	w.Flush()
	if err := atomicfile.WriteFile(filepath.Join(out, CurveFile), buf.Bytes()); err != nil {
		return fmt.Errorf("pretrain: curve: %w", err)
	}
	return writeCurveFigure(out, points, arch)
}

// writeCurveFigure plots the held-out loss, the training loss and the unigram's loss against
// the tokens read, into OUT/curve.png and OUT/curve.svg.
func writeCurveFigure(out string, points []CurvePoint, arch string) error {
	if len(points) < 2 {
		return nil
	}
	p := plot.New()
	what := "next-token"
	if arch == model.Encoder {
		what = "masked-LM"
	}
	p.Title.Text = "pretraining: " + what + " loss"
	p.X.Label.Text = "tokens read (millions)"
	p.Y.Label.Text = "cross-entropy (nats)"
	var held, train, uni plotter.XYs
	for _, c := range points {
		x := float64(c.Tokens) / 1e6
		held = append(held, plotter.XY{X: x, Y: c.HeldOutNLL})
		uni = append(uni, plotter.XY{X: x, Y: logOf(c.UnigramPPL)})
		if c.Step > 0 {
			train = append(train, plotter.XY{X: x, Y: c.TrainLoss})
		}
	}
	for _, s := range []struct {
		name  string
		xys   plotter.XYs
		color color.Color
		dash  []vg.Length
	}{
		{"held-out", held, color.RGBA{R: 27, G: 158, B: 119, A: 255}, nil},
		{"training (mean since previous point)", train, color.RGBA{R: 217, G: 95, B: 2, A: 255}, nil},
		{"unigram, held-out", uni, color.Gray{Y: 120}, []vg.Length{vg.Points(4), vg.Points(3)}},
	} {
		if len(s.xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.xys)
		if err != nil {
			return fmt.Errorf("pretrain: curve figure: %w", err)
		}
		l.Color, l.Dashes, l.Width = s.color, s.dash, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	if _, err := figure.Save(filepath.Join(out, CurveFigure), 6*vg.Inch, 4*vg.Inch, func(dc draw.Canvas) { p.Draw(dc) }); err != nil {
		return fmt.Errorf("pretrain: curve figure: %w", err)
	}
	return nil
}

// logOf is the natural logarithm of a perplexity: its loss in nats.
func logOf(ppl float64) float64 { return math.Log(ppl) }
