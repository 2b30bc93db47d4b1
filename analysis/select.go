package analysis

import (
	"fmt"
	"slices"
	"strings"

	"loralab/experiments/record"
)

// pickError says why a selector picks no run.
type pickError struct {
	msg string
	// ambiguous: several runs tie for the pick (the lowest seed); else no done run at a
	// chosen learning rate matches.
	ambiguous bool
}

func (e *pickError) Error() string { return e.msg }

// noRun is the pickError of a selector that matches no run at a chosen rate.
func noRun(format string, a ...any) error { return &pickError{msg: fmt.Sprintf(format, a...)} }

// atChosenRate says whether run r ran at the learning rate the protocol chose for its
// setting and task: the rate of its group in s (experiments.ChooseLR on the validation
// metric when the sweep searched several; the only rate otherwise). The runs of a search
// where no rate could be chosen are at none.
func (s Summary) atChosenRate(r record.Result) bool {
	g, ok := s.group(r.Setting, r.Task)
	return ok && runLR(r) == g.LR
}

// group is the group of one setting on one task, and whether there is one.
func (s Summary) group(setting, task string) (Group, bool) {
	i := slices.IndexFunc(s.Groups, func(g Group) bool { return g.Setting == setting && g.Task == task })
	if i < 0 {
		return Group{}, false
	}
	return s.Groups[i], true
}

// pick returns the done run sel selects among those at the learning rate chosen for their
// setting and task (s.atChosenRate), so that an analysis reads the runs the tables report:
// the one of the lowest seed. The error, a *pickError, says why there is none: no run
// matches, the matching runs are at rates the protocol did not choose (or their search
// chose none), or several runs share the lowest seed.
func (sel Selector) pick(runs []Run, s Summary) (Run, error) {
	var found, elsewhere []Run
	for _, r := range runs {
		if r.Result.Status != record.StatusDone || !sel.matches(r.Result) {
			continue
		}
		if s.atChosenRate(r.Result) {
			found = append(found, r)
		} else {
			elsewhere = append(elsewhere, r)
		}
	}
	if len(found) == 0 {
		return Run{}, sel.noRunError(elsewhere, s)
	}
	lowest := slices.MinFunc(found, func(a, b Run) int { return a.Result.Seed - b.Result.Seed }).Result.Seed
	tied := slices.DeleteFunc(found, func(r Run) bool { return r.Result.Seed != lowest })
	if len(tied) > 1 {
		var names []string
		for _, r := range tied {
			names = append(names, fmt.Sprintf("%s on %s (run %s)", r.Result.Setting, r.Result.Task, r.Result.RunID))
		}
		return Run{}, &pickError{ambiguous: true, msg: fmt.Sprintf("%s matches %d runs of seed %d at their chosen learning rates: %s; "+
			"name the setting, targets or task", sel, len(tied), lowest, strings.Join(names, ", "))}
	}
	return tied[0], nil
}

// noRunError explains why sel picks nothing, given the done runs it matches at rates that
// were not chosen.
func (sel Selector) noRunError(elsewhere []Run, s Summary) error {
	if len(elsewhere) == 0 {
		return noRun("no done run matches %s", sel)
	}
	r := elsewhere[0].Result
	g, ok := s.group(r.Setting, r.Task)
	if !ok {
		return noRun("no done run of %s at a chosen learning rate: no rate could be chosen for %s on %s "+
			"(every rate failed or lacks the validation metric)", sel, r.Setting, r.Task)
	}
	var rates []string
	for _, o := range elsewhere {
		if lr := formatLR(runLR(o.Result)); !slices.Contains(rates, lr) {
			rates = append(rates, lr)
		}
	}
	return noRun("no done run of %s at the learning rate chosen for %s on %s (%s, best mean validation metric "+
		"of %s); the runs it matches ran at %s", sel, r.Setting, r.Task, formatLR(g.LR), formatRates(g.LRs),
		strings.Join(rates, ", "))
}

// formatRates writes the searched rates of a group, e.g. "1e-3, 3e-3, 1e-2".
func formatRates(lrs []float64) string {
	out := make([]string, len(lrs))
	for i, lr := range lrs {
		out[i] = formatLR(lr)
	}
	return strings.Join(out, ", ")
}
