package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// gapName names the gap: "lora r=8 q,v − ft".
func (bs *BaseStrength) gapName() string { return bs.LoRA + " − " + bs.FT }

// WriteMarkdown renders the study as one table: a row per task and base, the bases by
// pretraining tokens, a column per setting (mean ± std over seeds, the chosen learning
// rate), and the gap with its confidence interval, bold when the interval excludes 0.
func (bs *BaseStrength) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Each setting's metric (%s split; mean ± std over seeds) and %s: the mean difference over the seeds both ran, paired by seed, with its %s confidence interval (Student's t; bold when it excludes 0, i.e. the paired t-test holds at p < 0.05).\n\n",
		bs.Split, bs.gapName(), confidenceLabel())
	header := append([]string{"task (metric)", "base", "pretraining tokens"}, bs.Settings...)
	header = append(header, bs.gapName()+" ["+confidenceLabel()+" CI]")
	writeMarkdownRow(&b, header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---:"
	}
	sep[0], sep[1] = ":---", ":---"
	writeMarkdownRow(&b, sep)
	searched, collapsed := false, false
	for _, r := range bs.Rows {
		line := []string{columnTitle(r.Task, r.Metric), r.Base.Dir, formatParams(int(*r.Base.Tokens))}
		for _, c := range r.Cells {
			line = append(line, cellText(c, " ± ")+cellNotes(c, false))
			searched, collapsed = searched || c.Searched, collapsed || c.Collapsed > 0
		}
		line = append(line, gapText(r))
		collapsed = collapsed || r.GapCollapsed
		writeMarkdownRow(&b, line)
	}
	if searched {
		b.WriteString("\nlr: the learning rate with the best mean validation metric of those searched on that base, and the metric at it.\n")
	}
	if collapsed {
		b.WriteString("\n†k/n: k of the n seeds predict one class for every input; a gap marked † compares such runs.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// gapText is the gap cell: mean difference [interval] over n pairs, bold when it holds.
func gapText(r StrengthRow) string {
	if !r.HasGap {
		return "–"
	}
	s := fmt.Sprintf("%s [%s, %s] (%d seeds)", signedValue(r.Gap.Diff), signedValue(r.GapLo), signedValue(r.GapHi), r.Gap.N)
	if r.Gap.Holds() {
		s = "**" + s + "**"
	}
	if r.GapCollapsed {
		s += " †"
	}
	return s
}

// signedValue is a difference with its sign: +0.012, −0.034.
func signedValue(v float64) string {
	if v < 0 {
		return "−" + formatValue(-v)
	}
	return "+" + formatValue(v)
}

// WriteCSV writes the study for machines: a row per task and base with the exact token
// count, per setting its mean, std, seeds and learning rate, and the gap with its interval
// and both paired p-values.
func (bs *BaseStrength) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"task", "metric", "split", "base", "pretraining_tokens"}
	for _, s := range bs.Settings {
		header = append(header, s+":mean", s+":std", s+":n", s+":lr", s+":collapsed")
	}
	header = append(header, "gap", "gap:mean", "gap:ci_lo", "gap:ci_hi", "gap:n", "gap:p_paired_t", "gap:p_sign_flip", "gap:collapsed")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("analysis: csv: %w", err)
	}
	for _, r := range bs.Rows {
		line := []string{r.Task, r.Metric, bs.Split, r.Base.Dir, strconv.FormatInt(*r.Base.Tokens, 10)}
		for _, c := range r.Cells {
			if !c.OK {
				line = append(line, "", "", "0", "", "")
				continue
			}
			line = append(line, formatExact(c.Mean), formatExact(c.Std), strconv.Itoa(c.N), optional(c.LR, c.LR > 0), strconv.Itoa(c.Collapsed))
		}
		line = append(line, bs.gapName(), optional(r.Gap.Diff, r.HasGap), optional(r.GapLo, r.HasGap), optional(r.GapHi, r.HasGap),
			strconv.Itoa(r.Gap.N), optional(r.Gap.P, r.HasGap), optional(r.Gap.PSignFlip, r.HasGap), strconv.FormatBool(r.GapCollapsed))
		if err := cw.Write(line); err != nil {
			return fmt.Errorf("analysis: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("analysis: csv: %w", err)
	}
	return nil
}

// Figure is the study's figure of one task: above, each setting's metric against the
// pretraining tokens (mean ± std over seeds) with the chance level; below, the gap with its
// confidence interval and the zero line.
func (bs *BaseStrength) Figure(task string, chance map[string]float64) StackedPlot {
	var metric string
	series := make([]Series, len(bs.Settings))
	for i, s := range bs.Settings {
		series[i].Name = s
	}
	gap := Series{Name: bs.gapName()}
	var xs []float64
	for _, r := range bs.Rows {
		if r.Task != task {
			continue
		}
		metric = r.Metric
		x := float64(*r.Base.Tokens) / 1e6
		xs = append(xs, x)
		for i, c := range r.Cells {
			if c.OK && finite(c.Mean) && finite(c.Std) {
				series[i].X, series[i].Y, series[i].Err = append(series[i].X, x), append(series[i].Y, c.Mean), append(series[i].Err, c.Std)
			}
		}
		if r.HasGap && finite(r.GapHi) {
			gap.X, gap.Y, gap.Err = append(gap.X, x), append(gap.Y, r.Gap.Diff), append(gap.Err, r.GapHi-r.Gap.Diff)
		}
	}
	lo, hi := xs[0], xs[len(xs)-1]
	level := func(name string, y float64) Series {
		return Series{Name: name, X: []float64{lo, hi}, Y: []float64{y, y}}
	}
	if v, ok := chance[metric]; ok {
		series = append(series, level(ChanceSetting, v))
	}
	const xlabel = "pretraining tokens of the base (millions)"
	return StackedPlot{Panels: []LinePlot{
		{Title: fmt.Sprintf("%s: %s (%s) against the base's pretraining", task, metric, bs.Split), XLabel: xlabel,
			YLabel: metric + ", mean ± std over seeds", Series: series},
		{Title: bs.gapName() + ", paired by seed", XLabel: xlabel,
			YLabel: "difference, " + confidenceLabel() + " CI", Series: []Series{gap, level("no gap", 0)}},
	}}
}
