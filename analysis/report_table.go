package analysis

import (
	"fmt"
	"strings"
)

// comparisonTable writes tables/main.{md,csv,tex} (one per base on the base axis:
// main_<base>) and shows the table on the terminal.
func (r *reporter) comparisonTable() error {
	if len(r.summary.Groups) == 0 {
		r.note("no done run: no comparison table")
		return nil
	}
	what := r.spec.Table.Metric
	if what == "" {
		what = "main metric"
	}
	title := fmt.Sprintf("%s: %s", r.produced.Sweep, what)
	if r.base != nil {
		title += ", " + baseTitle(*r.base)
	}
	t := BuildTable(r.summary, title)
	r.produced.Table = t
	if err := t.WriteText(r.opt.Out); err != nil {
		return err
	}
	sec := Section{Title: "Comparison table"}
	md, err := r.writeTable(&sec, r.named("main"), t)
	if err != nil {
		return err
	}
	sec.Body = string(md) + r.unreportedNote()
	r.produced.Sections = append(r.produced.Sections, sec)
	return nil
}

// unreportedNote lists done runs that did not report the table's metric.
func (r *reporter) unreportedNote() string {
	var b strings.Builder
	for _, g := range r.summary.Groups {
		if len(g.Unreported) > 0 {
			fmt.Fprintf(&b, "\n%s on %s: seeds %v report no %s on the %s split.\n", g.Setting, g.Task, g.Unreported, g.Metric, g.Split)
		}
	}
	return b.String()
}
