package analysis

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders the table as GitHub Markdown, the best cell of each column in bold.
func (t *Table) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s split; mean ± std over seeds; best per column in bold)\n\n", t.Title, t.Split)
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
			s := cellText(c, " ± ")
			if c.Best {
				s = "**" + s + "**"
			}
			line = append(line, s)
		}
		writeMarkdownRow(&b, line)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownRow(b *strings.Builder, cells []string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
}
