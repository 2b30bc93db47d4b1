package analysis

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteCSV writes the table for machines: exact counts and full-precision values, three
// columns per task (mean, std, n) and a best flag. Empty cells stay empty.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"setting", "method", "trainable_params", "paper_formula_params"}
	for i, task := range t.Tasks {
		p := task + ":" + t.Metric[i]
		header = append(header, p+":mean", p+":std", p+":n", p+":best", p+":bold", p+":ci_lo", p+":ci_hi",
			p+":lr", p+":collapsed", p+":lora_minus_this", p+":p_paired_t", p+":p_sign_flip")
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("analysis: csv: %w", err)
	}
	for _, r := range t.Rows {
		line := []string{r.Setting, r.Method, strconv.Itoa(r.Params), strconv.Itoa(r.Paper)}
		for _, c := range r.Cells {
			if !c.OK {
				line = append(line, "", "", "0", "", "", "", "", "", "", "", "", "")
				continue
			}
			line = append(line, formatExact(c.Mean), formatExact(c.Std), strconv.Itoa(c.N), strconv.FormatBool(c.Best),
				strconv.FormatBool(c.Bold), optional(c.CILo, c.HasCI), optional(c.CIHi, c.HasCI), optional(c.LR, c.LR > 0),
				strconv.Itoa(c.Collapsed))
			if p := c.VsLoRA; p != nil {
				line = append(line, formatExact(p.Diff), formatExact(p.P), formatExact(p.PSignFlip))
			} else {
				line = append(line, "", "", "")
			}
		}
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

// optional is formatExact(v) when ok, else empty.
func optional(v float64, ok bool) string {
	if !ok {
		return ""
	}
	return formatExact(v)
}

// formatExact prints v with the fewest digits that read back to the same float64.
func formatExact(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
