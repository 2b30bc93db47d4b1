package bench

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"
)

// writeStudyReport writes report.md: what was measured on what, the tables, the figure and
// the findings the measurements support (computed, not written by hand).
func writeStudyReport(w io.Writer, s *LatencyStudy, res *StudyResult, tables []*latencyTable) error {
	var b strings.Builder
	cfg := s.Shape.Config()
	fmt.Fprintf(&b, "# Latency study %s (paper Table 1, Figure 5)\n\n", s.Name)
	fmt.Fprintf(&b, "No-grad forward pass of a randomly initialised %s (%s shape: d=%d, L=%d, h=%d, d_ff=%d, vocab %d), "+
		"language-model head included, on random tokens. Each model is timed %s per cell after %d untimed passes, "+
		"the base and every variant interleaved pass by pass (each round starting with a different model). "+
		"Tables, figure and findings report %s; results.jsonl and the CSV files hold the median, the fastest pass and the standard deviation.\n\n",
		cfg.Arch, s.Preset, cfg.DModel, cfg.Layers, cfg.Heads, cfg.DFF, cfg.Vocab, s.RepsText(), s.Warmup, estimatorText(s.Estimator))
	fmt.Fprintf(&b, "- grid: batch %v x seq %v, sizes r = %v (LoRA rank with alpha = r on %s; adapter bottleneck; prefix length)\n",
		s.Batches, s.Seqs, s.Sizes, strings.Join(s.LoRATargets, ","))
	fmt.Fprintf(&b, "- machine: %s/%s, %d CPUs, %d threads, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), res.Threads, runtime.Version())
	if res.LoadBefore != "" || res.LoadAfter != "" {
		fmt.Fprintf(&b, "; load average %s before, %s after", orUnknown(res.LoadBefore), orUnknown(res.LoadAfter))
	}
	b.WriteString("\n")
	if res.Measured > 0 {
		fmt.Fprintf(&b, "- wall time of the measurements: %s for %d cells (cells measured by an earlier run into this folder not counted)",
			res.Elapsed.Round(time.Second), res.Measured)
		if res.PeakRSSBytes > 0 {
			fmt.Fprintf(&b, "; peak resident memory %.2f GB", float64(res.PeakRSSBytes)/1e9)
		}
		b.WriteString("\n\n")
	} else {
		b.WriteString("- every cell was measured by an earlier run into this folder (results.jsonl); its wall time is not recorded here\n\n")
	}
	b.WriteString("## Findings\n\n")
	for _, f := range latencyFindings(s, res.Rows) {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	fmt.Fprintf(&b, "\n![latency over base](%s.png)\n\n", StudyFigureBase)
	for _, t := range tables {
		fmt.Fprintf(&b, "## Size r = %d\n\n", t.Size)
		if err := t.writeMarkdown(&b); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("latency report: %w", err)
	}
	return nil
}

// estimatorText describes what a study reports.
func estimatorText(estimator string) string {
	if estimator == EstimatorMin {
		return "the fastest pass (the least disturbed by other work on the machine) and its percentage over the base's fastest"
	}
	return "the median pass and its percentage over the base's median"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// baseFLOPsPerToken is the multiply-adds x 2 of one token through the model: the block
// matrices, attention over seq positions, and the LM head.
func baseFLOPsPerToken(s Shape, seq int) float64 {
	c := s.Config()
	d, dff := float64(c.DModel), float64(c.DFF)
	perLayer := 4*d*d + 2*d*dff + 2*float64(seq)*d // Q, K, V, O; MLP; scores and weighted sum
	return 2 * (float64(c.Layers)*perLayer + d*float64(c.Vocab))
}

// addedFLOPsPerToken is what a variant adds per token: every added parameter of unmerged
// LoRA (x A, then B) and of adapters (down, up) is one multiply-add; merged LoRA adds
// nothing, and prefix slots take positions inside the sequence.
func addedFLOPsPerToken(variant string, added int) float64 {
	switch variant {
	case VariantLoRAUnmerged, VariantAdapterH, VariantAdapterL:
		return 2 * float64(added)
	}
	return 0
}

// arithmeticFinding says how much arithmetic each variant adds at the largest size and the
// middle sequence length: the overhead a compute-bound machine would show.
func arithmeticFinding(s *LatencyStudy, rows []LatencyRow) string {
	size, seq := slices.Max(s.Sizes), s.Seqs[len(s.Seqs)/2]
	base := baseFLOPsPerToken(s.Shape, seq)
	if !(base > 0) {
		return ""
	}
	var parts []string
	for _, v := range s.Variants {
		for _, r := range rows {
			if r.Variant == v && r.Size == size && r.Seq == seq {
				pct := 100 * addedFLOPsPerToken(v, r.AddedParams) / base
				parts = append(parts, fmt.Sprintf("%s %+.1f%%", v, pct))
				break
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("arithmetic: at r = %d and seq %d the variants add %s to the base's floating-point operations per token; "+
		"overheads beyond that come from running more, smaller operations one after another.", size, seq, strings.Join(parts, ", "))
}

// overheadSummary is the spread of one variant's overhead over the cells of a selection.
type overheadSummary struct {
	Median, Min, Max float64
	N                int
}

// describe is "the median overhead over the 9 cells (seq x size) is +1.2% (range ...)", or
// "not measured".
func (o overheadSummary) describe() string {
	if o.N == 0 {
		return "not measured"
	}
	return fmt.Sprintf("the median overhead over the %d cells (seq x size) is %+.1f%% (range %+.1f%% to %+.1f%%)", o.N, o.Median, o.Min, o.Max)
}

// summarize takes the median, least and greatest overhead of the rows keep selects.
func summarize(rows []LatencyRow, value func(LatencyRow) float64, keep func(LatencyRow) bool) overheadSummary {
	var xs []float64
	for _, r := range rows {
		if keep(r) {
			xs = append(xs, value(r))
		}
	}
	if len(xs) == 0 {
		return overheadSummary{}
	}
	sort.Float64s(xs)
	med := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		med = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return overheadSummary{Median: med, Min: xs[0], Max: xs[len(xs)-1], N: len(xs)}
}

// latencyFindings states, for each variant, its overhead over the base at the smallest batch
// and at the largest, across sequence lengths and sizes: the paper's claims are that merged
// LoRA adds nothing and that adapters cost most at batch 1.
func latencyFindings(s *LatencyStudy, rows []LatencyRow) []string {
	small, large := s.Batches[0], s.Batches[0]
	for _, b := range s.Batches {
		small, large = min(small, b), max(large, b)
	}
	pct := func(r LatencyRow) float64 { _, p := s.Estimate(r); return p }
	var out []string
	for _, v := range s.Variants {
		at := func(batch int) overheadSummary {
			return summarize(rows, pct, func(r LatencyRow) bool { return r.Variant == v && r.Batch == batch })
		}
		lo, hi := at(small), at(large)
		if lo.N == 0 && hi.N == 0 {
			continue
		}
		line := fmt.Sprintf("%s: at batch %d %s; at batch %d %s.", v, small, lo.describe(), large, hi.describe())
		if v == VariantLoRAMerged {
			line += " Merged LoRA runs exactly the base model's operations (W = W0 + BA is one matrix), so its spread is the measurement noise of this machine."
		}
		out = append(out, line)
	}
	if f := arithmeticFinding(s, rows); f != "" {
		out = append(out, f)
	}
	relStd := func(r LatencyRow) float64 { return 100 * r.StdMillis / r.MedianMillis }
	if sp := summarize(rows, relStd, func(r LatencyRow) bool { return r.Variant == "base" && r.MedianMillis > 0 }); sp.N > 0 {
		out = append(out, fmt.Sprintf("noise: the base model's own pass-to-pass standard deviation is %.1f%% of its median (median over %d cells; range %.1f%% to %.1f%%); median overheads smaller than that are not resolved.",
			sp.Median, sp.N, sp.Min, sp.Max))
	}
	return out
}
