package experiments

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"loralab/experiments/record"
	"loralab/internal/jsonpos"
)

// Run states that Status reports.
const (
	StateDone    = record.StatusDone
	StateFailed  = record.StatusFailed
	StateRunning = "running" // claimed by a worker whose heartbeat is fresh
	StateMissing = "missing" // not run yet, or interrupted
)

// RunState is the state of one run of a sweep folder.
type RunState struct {
	PlanItem
	State  string
	Reason string // why a failed run failed; who holds a running one
}

// StatusReport is the state of every planned run of a sweep folder.
type StatusReport struct {
	Dir                            string
	Runs                           []RunState
	Done, Failed, Running, Missing int
}

// Status reads the sweep folder dir (<out>/<sweep name>) and says, for every run of its plan,
// whether it is done, failed (and why), running, or missing.
func Status(dir string) (StatusReport, error) {
	rep := StatusReport{Dir: dir}
	data, err := os.ReadFile(filepath.Join(dir, PlanFile))
	if err != nil {
		return rep, fmt.Errorf("status %s: no %s, not a sweep folder (run the sweep first): %w", dir, PlanFile, err)
	}
	var plan Plan
	if err := jsonpos.Unmarshal(data, &plan); err != nil {
		return rep, fmt.Errorf("status %s: %w", filepath.Join(dir, PlanFile), err)
	}
	for _, it := range plan.Runs {
		st, err := runState(runDir(dir, it.ID))
		if err != nil {
			return rep, fmt.Errorf("status %s: %w", dir, err)
		}
		st.PlanItem = it
		rep.Runs = append(rep.Runs, st)
		switch st.State {
		case StateDone:
			rep.Done++
		case StateFailed:
			rep.Failed++
		case StateRunning:
			rep.Running++
		default:
			rep.Missing++
		}
	}
	return rep, nil
}

// runState reads one run folder.
func runState(dir string) (RunState, error) {
	res, err := record.ReadResult(dir)
	switch {
	case err == nil && (res.Status == record.StatusDone || res.Status == record.StatusFailed):
		return RunState{State: res.Status, Reason: res.Reason}, nil
	case err == nil:
		return RunState{State: StateMissing, Reason: fmt.Sprintf("result.json has unknown status %q", res.Status)}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return RunState{}, err
	}
	if holder, live := claimHolder(filepath.Join(dir, claimFile), defaultStaleClaim); live {
		return RunState{State: StateRunning, Reason: holder.String()}, nil
	}
	return RunState{State: StateMissing}, nil
}

// Write prints the report: a table of the runs that are not done, then the counts.
func (r StatusReport) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Runs) > r.Done {
		fmt.Fprintln(tw, "#\tid\tstate\trun\treason")
	}
	for _, st := range r.Runs {
		if st.State != StateDone {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", st.Index, st.ID, st.State, st.Label, firstLine(st.Reason))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d runs: %d done, %d failed, %d running, %d missing\n",
		r.Dir, len(r.Runs), r.Done, r.Failed, r.Running, r.Missing)
	return err
}

// firstLine cuts a reason (a panic's stack, say) to its first line for a table.
func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
