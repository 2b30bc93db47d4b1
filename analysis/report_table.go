package analysis

import (
	"fmt"
	"strings"
)

// comparisonTable writes tables/main.{md,csv,tex} and shows the table on the terminal.
func (r *reporter) comparisonTable() error {
	if len(r.summary.Groups) == 0 {
		r.note("no done run: no comparison table")
		return nil
	}
	what := r.spec.Table.Metric
	if what == "" {
		what = "main metric"
	}
	t := BuildTable(r.summary, fmt.Sprintf("%s: %s", r.produced.Sweep, what))
	r.produced.Table = t
	if err := t.WriteText(r.opt.Out); err != nil {
		return err
	}
	md, err := render(t.WriteMarkdown)
	if err != nil {
		return err
	}
	formats := []struct {
		title, ext string
		write      func(*Table) ([]byte, error)
	}{
		{"Markdown", "md", func(*Table) ([]byte, error) { return md, nil }},
		{"CSV", "csv", func(t *Table) ([]byte, error) { return render(t.WriteCSV) }},
		{"LaTeX (booktabs)", "tex", func(t *Table) ([]byte, error) { return render(t.WriteLaTeX) }},
	}
	sec := Section{Title: "Comparison table", Body: string(md) + r.unreportedNote()}
	for _, f := range formats {
		data, err := f.write(t)
		if err != nil {
			return err
		}
		rel, err := r.writeFile(TablesDir+"/main."+f.ext, data)
		if err != nil {
			return err
		}
		sec.Files = append(sec.Files, Artifact{Title: f.title, Path: rel})
	}
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
