package bench

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// latencyTable is the paper's Table 1 at one size: a row per variant (base first), a column
// per (batch, seq) cell, each holding the median latency and its percentage over the base.
type latencyTable struct {
	Size      int
	Estimator string   // EstimatorMedian or EstimatorMin
	Cells     [][2]int // (batch, seq), in the order measured
	Variants  []string
	Added     []int           // parameters each variant adds
	Rows      [][]*LatencyRow // [variant][cell]; nil where not measured (an interrupted study)
}

// buildLatencyTables arranges the rows of a study into one table per size.
func buildLatencyTables(s *LatencyStudy, rows []LatencyRow) []*latencyTable {
	var out []*latencyTable
	for _, size := range s.Sizes {
		t := &latencyTable{Size: size, Estimator: s.Estimator, Variants: append([]string{"base"}, s.Variants...)}
		for _, b := range s.Batches {
			for _, n := range s.Seqs {
				t.Cells = append(t.Cells, [2]int{b, n})
			}
		}
		t.Added = make([]int, len(t.Variants))
		t.Rows = make([][]*LatencyRow, len(t.Variants))
		for v := range t.Rows {
			t.Rows[v] = make([]*LatencyRow, len(t.Cells))
		}
		at := map[string]*LatencyRow{}
		for i := range rows {
			if rows[i].Size == size || rows[i].Variant == "base" {
				at[rowKey(rows[i].Variant, rows[i].Batch, rows[i].Seq)] = &rows[i]
			}
		}
		for v, name := range t.Variants {
			for c, cell := range t.Cells {
				if r := at[rowKey(name, cell[0], cell[1])]; r != nil {
					t.Rows[v][c], t.Added[v] = r, r.AddedParams
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// rowKey identifies a measurement within one size.
func rowKey(variant string, batch, seq int) string {
	return fmt.Sprintf("%s|%d|%d", variant, batch, seq)
}

// cellTitle heads the column of one (batch, seq) cell.
func cellTitle(c [2]int) string { return fmt.Sprintf("batch %d, seq %d", c[0], c[1]) }

// cellText is "median ± std" in milliseconds, or the fastest pass under EstimatorMin, and,
// off the base row, the percentage over the base by the same statistic.
func cellText(r *LatencyRow, base bool, estimator string) string {
	if r == nil {
		return "-"
	}
	s := fmt.Sprintf("%s ± %s", formatMillis(r.MedianMillis), formatMillis(r.StdMillis))
	pct := r.OverBasePct
	if estimator == EstimatorMin {
		s, pct = formatMillis(r.MinMillis), r.OverBaseMinPct
	}
	if !base {
		s += fmt.Sprintf(" (%+.1f%%)", pct)
	}
	return s
}

// statistic describes what the cells hold.
func (t *latencyTable) statistic() string {
	if t.Estimator == EstimatorMin {
		return "fastest of the timed passes in ms"
	}
	return "median ± std of the timed passes in ms"
}

// formatMillis prints a duration in milliseconds with three significant digits or more.
func formatMillis(ms float64) string {
	switch {
	case ms >= 100:
		return strconv.FormatFloat(ms, 'f', 0, 64)
	case ms >= 10:
		return strconv.FormatFloat(ms, 'f', 1, 64)
	}
	return strconv.FormatFloat(ms, 'f', 2, 64)
}

// formatCount prints a parameter count compactly (12.3k, 1.2M).
func formatCount(n int) string {
	switch {
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 2, 64) + "M"
	case n >= 1_000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	}
	return strconv.Itoa(n)
}

// header is the table's column headings.
func (t *latencyTable) header() []string {
	h := []string{fmt.Sprintf("Variant (r = %d)", t.Size), "Added params"}
	for _, c := range t.Cells {
		h = append(h, cellTitle(c))
	}
	return h
}

// line is the cells of variant v.
func (t *latencyTable) line(v int) []string {
	out := []string{t.Variants[v], formatCount(t.Added[v])}
	for _, r := range t.Rows[v] {
		out = append(out, cellText(r, v == 0, t.Estimator))
	}
	return out
}

// writeMarkdown renders the table as GitHub Markdown.
func (t *latencyTable) writeMarkdown(w io.Writer) error {
	h := t.header()
	var b strings.Builder
	fmt.Fprintf(&b, "Forward latency at size r = %d: %s (%% over base).\n\n", t.Size, t.statistic())
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(h, " | "), strings.Repeat(" ---: |", len(h)))
	for v := range t.Variants {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(t.line(v), " | "))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("latency table r=%d: %w", t.Size, err)
	}
	return nil
}

// writeCSV writes the table in long form, one line per variant and cell, for other tools.
func (t *latencyTable) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"size", "variant", "batch", "seq", "reps", "median_ms", "min_ms", "std_ms", "over_base_pct", "over_base_min_pct", "added_params"})
	ff := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	for v, cells := range t.Rows {
		for _, r := range cells {
			if r == nil {
				continue
			}
			_ = cw.Write([]string{strconv.Itoa(t.Size), t.Variants[v], strconv.Itoa(r.Batch), strconv.Itoa(r.Seq), strconv.Itoa(r.Reps),
				ff(r.MedianMillis), ff(r.MinMillis), ff(r.StdMillis), ff(r.OverBasePct), ff(r.OverBaseMinPct), strconv.Itoa(r.AddedParams)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("latency table r=%d: %w", t.Size, err)
	}
	return nil
}

// writeText renders the table for a terminal with tablewriter.
func (t *latencyTable) writeText(w io.Writer) error {
	h := t.header()
	align := make([]tw.Align, len(h))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0] = tw.AlignLeft
	tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}))
	tbl.Header(h)
	for v := range t.Variants {
		if err := tbl.Append(t.line(v)); err != nil {
			return fmt.Errorf("latency table r=%d: %w", t.Size, err)
		}
	}
	if _, err := fmt.Fprintf(w, "Forward latency, size r = %d (%s, %% over base)\n", t.Size, t.statistic()); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return fmt.Errorf("latency table r=%d: %w", t.Size, err)
	}
	return nil
}
