package analysis

import (
	"fmt"
	"slices"
	"strings"

	"loralab/method"
)

// ComparisonMarkdown renders the paired comparison of the best LoRA setting of each column
// with every other method setting: the mean difference over the seeds both ran (LoRA minus
// the method) and the paired t-test's p, or "tie" when the difference does not hold.
func (t *Table) ComparisonMarkdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s split): the best LoRA setting of each column minus each other method, paired by seed; "+
		"the p of a paired t-test, \"tie\" when p ≥ %g; the exact sign-flip p is in the comparison table's CSV.\n\n", t.Title, t.Split, Alpha)
	header := []string{"Method"}
	for i, task := range t.Tasks {
		h := columnTitle(task, t.Metric[i])
		if ref := t.LoRARef[i]; ref >= 0 {
			h += ", vs " + t.Rows[ref].Setting
		}
		header = append(header, h)
	}
	writeMarkdownRow(&b, header)
	sep := slices.Repeat([]string{"---:"}, len(header))
	sep[0] = ":---"
	writeMarkdownRow(&b, sep)
	for _, row := range t.Rows {
		if row.Control || row.Method == method.LoRA {
			continue
		}
		line := []string{row.Setting}
		for _, c := range row.Cells {
			line = append(line, comparisonText(c.VsLoRA))
		}
		writeMarkdownRow(&b, line)
	}
	return b.String()
}

// comparisonText is one cell of the comparison: "+0.052 (p 0.003)", "tie (+0.010, p 0.41)",
// or "–" when there is no pair to compare.
func comparisonText(p *Paired) string {
	if p == nil {
		return "–"
	}
	d := formatValue(p.Diff)
	if p.Diff >= 0 {
		d = "+" + d
	}
	if p.Holds() {
		return fmt.Sprintf("%s (p %s)", d, formatP(p.P))
	}
	return fmt.Sprintf("tie (%s, p %s)", d, formatP(p.P))
}

// formatP prints a p-value with two significant digits, and tiny ones as "< 0.001".
func formatP(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return fmt.Sprintf("%.2g", p)
}
