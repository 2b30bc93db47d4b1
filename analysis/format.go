package analysis

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// formatValue prints a metric value with 3 decimals, or 1 decimal from 100 on.
func formatValue(v float64) string {
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// cellText is the mean and the std joined by pm (" ± ", or LaTeX's "$\pm$"), the mean
// alone for a single seed, and "–" for an empty cell.
func cellText(c Cell, pm string) string {
	if !c.OK {
		return "–"
	}
	if c.N < 2 {
		return formatValue(c.Mean)
	}
	return formatValue(c.Mean) + pm + formatValue(c.Std)
}

// cellNotes is what a cell shows after its numbers: the confidence interval when ci is
// set, the chosen learning rate of a search, and a dagger with the share of seeds whose run
// predicted one class.
func cellNotes(c Cell, ci bool) string {
	if !c.OK {
		return ""
	}
	var s string
	if ci && c.HasCI {
		s += " [" + formatValue(c.CILo) + ", " + formatValue(c.CIHi) + "]"
	}
	if c.Searched {
		s += " lr " + formatLR(c.LR)
	}
	if c.Collapsed > 0 {
		s += fmt.Sprintf(" †%d/%d", c.Collapsed, c.N)
	}
	return s
}

// formatLR prints a learning rate briefly: 0.0003 as 3e-04 -> "3e-4".
func formatLR(lr float64) string {
	s := strconv.FormatFloat(lr, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign := ""
	if strings.HasPrefix(exp, "-") {
		sign = "-"
	}
	return mant + "e" + sign + strings.TrimLeft(exp, "+-0")
}

// formatParams prints a parameter count the way the paper does: 0.8k, 12.3k, 1.2M, 0.35B.
func formatParams(n int) string {
	x := float64(n)
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case x < 1e6:
		return trimFloat(x/1e3) + "k"
	case x < 1e9:
		return trimFloat(x/1e6) + "M"
	}
	return trimFloat(x/1e9) + "B"
}

// trimFloat prints x with 3 significant digits.
func trimFloat(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }

// paperCell is the paper-formula column's text: empty when it equals the actual count.
func paperCell(r Row) string {
	if r.Paper == r.Params {
		return ""
	}
	return formatParams(r.Paper)
}

// columnTitle is a task column's heading, e.g. "sotu-party (accuracy ↑)", or "bleu ↑" for a
// metric column of a one-task table (task "").
func columnTitle(task, metric string) string {
	if metric == "" {
		return task
	}
	arrow := "↑"
	if LowerIsBetter(metric) {
		arrow = "↓"
	}
	if task == "" {
		return metric + " " + arrow
	}
	return fmt.Sprintf("%s (%s %s)", task, metric, arrow)
}
