package analysis

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders the table as GitHub Markdown, the best cell of each column in bold.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s split; mean ± std over seeds [%s confidence interval]; %s)\n\n", t.Title, t.Split, confidenceLabel(), boldRule)
	header := t.header("# Trainable params", "Paper formula")
	writeMarkdownRow(&b, header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---:"
	}
	sep[0] = ":---"
	writeMarkdownRow(&b, sep)
	for _, r := range t.Rows {
		line := t.rowStart(r, formatParams(r.Params), paperCell(r))
		for _, c := range r.Cells {
			s := cellText(c, " ± ") + cellNotes(c, true)
			if c.Bold {
				s = "**" + s + "**"
			}
			line = append(line, s)
		}
		writeMarkdownRow(&b, line)
	}
	b.WriteString(t.legend())
	_, err := io.WriteString(w, b.String())
	return err
}

// boldRule says when a cell is bold.
const boldRule = "bold: best of its column and better than every other row by a paired t-test over seeds, p < 0.05"

// confidenceLabel is "95 %".
func confidenceLabel() string { return fmt.Sprintf("%g %%", Confidence*100) }

// legend explains the marks the table uses, one line each, after a blank line; "" when it
// uses none.
func (t *Table) legend() string {
	var searched, collapsed, control bool
	for _, r := range t.Rows {
		control = control || r.Control
		for _, c := range r.Cells {
			searched = searched || c.Searched
			collapsed = collapsed || c.Collapsed > 0
		}
	}
	var lines []string
	if searched {
		lines = append(lines, "lr: the learning rate with the best mean validation metric of those searched, and the test metric at it.")
	}
	if collapsed {
		lines = append(lines, "†k/n: k of the n seeds predict one class for every input; such a cell is never best.")
	}
	if control {
		lines = append(lines, ChanceSetting+": the training split's majority class (mean target, most frequent reference) for every input.")
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n" + strings.Join(lines, "\n") + "\n"
}

func writeMarkdownRow(b *strings.Builder, cells []string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}
