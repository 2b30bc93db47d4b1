package analysis

import (
	"fmt"
	"io"
	"strings"
)

// WriteLaTeX renders the table as a booktabs tabular (needs \usepackage{booktabs}), the best
// cell of each column in \textbf.
func (t *Table) WriteLaTeX(w io.Writer) error {
	var b strings.Builder
	header := t.header("# Trainable params", "Paper formula")
	fmt.Fprintf(&b, "%% %s (%s split; mean $\\pm$ std over seeds; bold: best per column by a paired t-test, p $<$ 0.05; $^\\dagger$: a seed predicts one class)\n", t.Title, t.Split)
	b.WriteString(`\begin{tabular}{l` + strings.Repeat("r", len(header)-1) + "}\n\\toprule\n")
	for i, h := range header {
		header[i] = latexEscape(h)
	}
	b.WriteString(strings.Join(header, " & ") + ` \\` + "\n\\midrule\n")
	for _, r := range t.Rows {
		line := t.rowStart(r, latexEscape(formatParams(r.Params)), latexEscape(paperCell(r)))
		line[0] = latexEscape(line[0])
		for _, c := range r.Cells {
			s := cellText(c, `$\pm$`)
			if !c.OK {
				s = "--"
			}
			if c.Collapsed > 0 {
				s += `$^\dagger$`
			}
			if c.Bold {
				s = `\textbf{` + s + "}"
			}
			line = append(line, s)
		}
		b.WriteString(strings.Join(line, " & ") + ` \\` + "\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// latexReplacer escapes the characters LaTeX treats specially in text mode, and turns the
// arrows of column titles into math.
var latexReplacer = strings.NewReplacer(
	`\`, `\textbackslash{}`, `&`, `\&`, `%`, `\%`, `$`, `\$`, `#`, `\#`, `_`, `\_`,
	`{`, `\{`, `}`, `\}`, `~`, `\textasciitilde{}`, `^`, `\textasciicircum{}`,
	"↑", `$\uparrow$`, "↓", `$\downarrow$`, "±", `$\pm$`, "–", "--",
)

func latexEscape(s string) string { return latexReplacer.Replace(s) }
