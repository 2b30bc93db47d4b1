package experiments

import (
	"context"
	"fmt"
	"io"
	"loralab/method"
	"text/tabwriter"
)

// DryRun writes the runs of the shard — id, base folder (on the base axis), task, method
// setting, seed and trainable parameters by the paper's formula (and the actual count when
// exec is a Counter) — then what each parameter budget chose, and the counts. It runs nothing; exec may be nil. When the
// Counter fails for a run, the listing shows ? and the first such error is returned after it;
// the problems Preflight finds are returned instead, all of them.
func DryRun(ctx context.Context, w io.Writer, sw *Sweep, shard Shard, exec Executor) error {
	if w == nil {
		w = io.Discard
	}
	all, err := sw.Expand()
	if err != nil {
		return err
	}
	ph := sw.lrPhases(all)
	listed := all
	if ph != nil {
		listed = ph.first
	}
	selected := shard.Select(listed)
	counter, _ := exec.(Counter)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "#\tid\ttask\tmethod\tseed\tparams (paper)"
	if sw.BaseAxis {
		header = "#\tid\tbase\ttask\tmethod\tseed\tparams (paper)"
	}
	if counter != nil {
		header += "\tparams (actual)\thead"
	}
	fmt.Fprintln(tw, header)
	var countErr error
	for _, r := range selected {
		line := fmt.Sprintf("%d\t%s\t%s\t%s\t%d\t%d", r.Index, r.ID, r.Task, r.Method.Label(), r.Seed, r.PaperParams)
		if sw.BaseAxis {
			line = fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%d\t%d", r.Index, r.ID, r.Base.Dir, r.Task, r.Method.Label(), r.Seed, r.PaperParams)
		}
		if counter != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			c, err := counter.Count(ctx, r)
			switch {
			case err != nil && countErr == nil:
				countErr = fmt.Errorf("count parameters of %s: %w", r.Label(), err)
				fallthrough
			case err != nil:
				line += "\t?\t?"
			default:
				line += fmt.Sprintf("\t%d\t%d", c.Trainable, c.Head)
			}
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("dry run: %w", err)
	}
	for _, note := range budgetNotes(selected) {
		fmt.Fprintln(w, note)
	}
	if ph != nil {
		fmt.Fprintf(w, "%d learning-rate searches (lr_tuning: first_seed): the runs above, then %d more, the other seeds at each search's chosen rate\n",
			len(ph.searches), ph.total(len(sw.Seeds))-len(ph.first))
	}
	if _, err := fmt.Fprintf(w, "sweep %s: %d runs; shard %s: %d runs\n", sw.Name, sw.PlannedRuns(all), shard, len(selected)); err != nil {
		return fmt.Errorf("dry run: %w", err)
	}
	if err := Preflight(ctx, sw, selected, exec); err != nil {
		return err // every problem, at its line; a count that failed is among them
	}
	return countErr // the listing is complete; a count that failed is shown as ?
}

// budgetNotes says, once per setting, what size each parameter budget solved.
func budgetNotes(runs []RunSpec) []string {
	var notes []string
	seen := map[string]bool{}
	for _, r := range runs {
		if r.Budget == 0 {
			continue
		}
		kind, _ := method.Lookup(r.Method.Name)
		note := fmt.Sprintf("budget %d for %s: %s = %d, %d parameters by the paper's formula",
			r.Budget, r.Method.Name, kind.Size, method.SizeOf(r.Method), r.PaperParams)
		if len(r.Method.Targets) > 0 {
			note += fmt.Sprintf(" (targets %v)", r.Method.Targets)
		}
		if !seen[note] {
			seen[note] = true
			notes = append(notes, note)
		}
	}
	return notes
}
