package datasets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
)

// List writes one row per registered task: kind, split sizes and label balance of the
// train split. Tasks whose real data is not prepared are listed as such, not as errors.
func (r *Registry) List(ctx context.Context, w io.Writer) error {
	table := tablewriter.NewWriter(w)
	table.Header("task", "kind", "train", "validation", "test", "train balance / target", "description")
	for _, name := range r.Names() {
		summary, _, _ := r.Summary(name)
		t, err := r.Load(ctx, name)
		if errors.Is(err, ErrNoData) {
			if err := table.Append(name, "", "-", "-", "-", "not prepared: run `make data`", summary); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		row := []string{name, t.Kind.String(), fmt.Sprint(len(t.Train)), fmt.Sprint(len(t.Validation)), fmt.Sprint(len(t.Test)), balance(t, t.Train), summary}
		if err := table.Append(row); err != nil {
			return err
		}
	}
	return table.Render()
}

// balance describes a split's labels ("negative 49.8%, positive 50.2%"), targets (range
// and mean), references per source, or corpus size.
func balance(t *Task, exs []Example) string {
	if len(exs) == 0 {
		return "empty"
	}
	switch t.Kind {
	case Classification:
		counts := make([]int, len(t.Labels))
		unlabelled := 0
		for _, ex := range exs {
			if ex.Label == NoLabel {
				unlabelled++
				continue
			}
			counts[ex.Label]++
		}
		parts := make([]string, 0, len(counts))
		for l, c := range counts {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", t.Labels[l], 100*float64(c)/float64(len(exs))))
		}
		if unlabelled > 0 {
			parts = append(parts, fmt.Sprintf("unlabelled %.1f%%", 100*float64(unlabelled)/float64(len(exs))))
		}
		return strings.Join(parts, ", ")
	case Regression:
		lo, hi, sum := exs[0].Target, exs[0].Target, 0.0
		for _, ex := range exs {
			lo, hi, sum = min(lo, ex.Target), max(hi, ex.Target), sum+ex.Target
		}
		return fmt.Sprintf("target %.4g..%.4g, mean %.4g", lo, hi, sum/float64(len(exs)))
	case Generation:
		refs := 0
		for _, ex := range exs {
			refs += len(ex.Refs)
		}
		return fmt.Sprintf("%.2f references per source", float64(refs)/float64(len(exs)))
	default:
		chars := 0
		for _, ex := range exs {
			chars += len(ex.Text)
		}
		return fmt.Sprintf("%d documents, %.1f MB", len(exs), float64(chars)/1e6)
	}
}

// Show writes a task's description, metrics, the size and balance of each split and the
// first n examples of the train split.
func Show(w io.Writer, t *Task, n int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n", t.Name, t.Kind, t.Description)
	if len(t.Labels) > 0 {
		fmt.Fprintf(&b, "labels: %s\n", strings.Join(t.Labels, ", "))
	}
	if t.MainMetric != "" {
		fmt.Fprintf(&b, "metrics: %s (main: %s)\n", strings.Join(t.Metrics, ", "), t.MainMetric)
	}
	for _, s := range splitNames {
		exs, _ := t.Split(s)
		fmt.Fprintf(&b, "%-10s %6d  %s\n", s, len(exs), balance(t, exs))
	}
	for i, ex := range t.Train[:min(n, len(t.Train))] {
		fmt.Fprintf(&b, "\n[%d] group %s\n", i, ex.Group)
		switch t.Kind {
		case Classification:
			fmt.Fprintf(&b, "  label: %s\n", t.Labels[ex.Label])
		case Regression:
			fmt.Fprintf(&b, "  target: %g\n", ex.Target)
		case Generation:
			fmt.Fprintf(&b, "  source: %s\n", ex.Source)
			for _, r := range ex.Refs {
				fmt.Fprintf(&b, "  ref: %s\n", r)
			}
		}
		if ex.Text != "" {
			fmt.Fprintf(&b, "  text: %s\n", ellipsis(ex.Text, 300))
		}
		if ex.Text2 != "" {
			fmt.Fprintf(&b, "  text2: %s\n", ellipsis(ex.Text2, 300))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ellipsis shortens s to at most n runes, marking the cut.
func ellipsis(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Prepare fetches and extracts the real data into cacheDir ("" for DefaultCacheDir()) and
// builds every real task once with the default options, so that a broken download shows
// now rather than in the middle of a sweep. `make data` calls it.
func Prepare(ctx context.Context, cacheDir string, progress io.Writer) error {
	if cacheDir == "" {
		cacheDir = DefaultCacheDir()
	}
	fmt.Fprintf(progress, "fetching %s into %s\n", stdlibPackage, cacheDir)
	root, err := FetchStdlib(ctx, cacheDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "extracted to %s\n", root)
	r := NewRegistry(Options{CacheDir: cacheDir})
	for _, name := range r.Names() {
		if _, real, _ := r.Summary(name); !real {
			continue
		}
		t, err := r.Load(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(progress, "%-12s train %5d  validation %4d  test %4d\n", name, len(t.Train), len(t.Validation), len(t.Test))
	}
	return nil
}
