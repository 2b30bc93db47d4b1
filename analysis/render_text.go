package analysis

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteText renders the table for a terminal with tablewriter; the best cell of each column
// is marked with a trailing "*", explained under the table.
func (t *Table) WriteText(w io.Writer) error {
	header := t.header("# Params", "Paper formula")
	align := make([]tw.Align, len(header)) // the setting left, numbers right
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0] = tw.AlignLeft
	tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft), tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}))
	tbl.Header(header)
	for _, r := range t.Rows {
		line := t.rowStart(r, formatParams(r.Params), paperCell(r))
		for _, c := range r.Cells {
			s := cellText(c, " ± ") + cellNotes(c, true) + "  " // the same width with or without the mark
			if c.Bold {
				s = s[:len(s)-2] + " *"
			}
			line = append(line, s)
		}
		if err := tbl.Append(line); err != nil {
			return fmt.Errorf("analysis: table %q: %w", t.Title, err)
		}
	}
	if _, err := fmt.Fprintf(w, "%s (%s split; mean ± std over seeds [%s confidence interval]; * best per column by a paired t-test, p < 0.05)\n", t.Title, t.Split, confidenceLabel()); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("analysis: table %q: %w", t.Title, err)
	}
	_, err := io.WriteString(w, strings.TrimPrefix(t.legend(), "\n"))
	return err
}

// header is the column headings: method, parameter counts, one per task.
func (t *Table) header(params, paper string) []string {
	h := []string{"Method", params}
	if t.PaperDiffers() {
		h = append(h, paper)
	}
	for i, task := range t.Tasks {
		if t.oneTask() {
			task = ""
		}
		h = append(h, columnTitle(task, t.Metric[i]))
	}
	return h
}

// rowStart is a row's first cells: the setting and its counts (the paper's count only when
// the table has that column).
func (t *Table) rowStart(r Row, params, paper string) []string {
	line := []string{r.Setting, params}
	if t.PaperDiffers() {
		line = append(line, paper)
	}
	return line
}

// oneTask says whether the columns are several metrics of one task (BuildMetricTable): the
// title names the task, the columns only the metric.
func (t *Table) oneTask() bool {
	if len(t.Tasks) < 2 {
		return false
	}
	for _, task := range t.Tasks {
		if task != t.Tasks[0] {
			return false
		}
	}
	return true
}
