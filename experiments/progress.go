package experiments

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// display shows the progress of the running jobs.
type display interface {
	start(run RunSpec) jobLine
	close()
}

// jobLine is the progress of one running job.
type jobLine interface {
	update(p Progress)
	end(status string)
}

// newDisplay picks live bars for a terminal, plain log lines for anything else (a log file,
// a CI console), or nothing when w is nil.
func newDisplay(w io.Writer, every time.Duration, total int) display {
	if w == nil {
		return silent{}
	}
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return newBars(f, total)
	}
	return &logLines{w: w, every: every, total: total}
}

// silent shows nothing.
type silent struct{}

func (silent) start(RunSpec) jobLine { return silent{} }
func (silent) close()                {}
func (silent) update(Progress)       {}
func (silent) end(string)            {}

// meter follows one job's phase, step, loss and speed, for its ETA.
type meter struct {
	phase      string
	step       int
	total      int
	loss       float64
	phaseStart time.Time
	firstStep  int
}

// observe takes a report into the meter.
func (m *meter) observe(p Progress, now time.Time) {
	if p.Phase == PhaseEval {
		return
	}
	if p.Phase != m.phase {
		m.phase, m.phaseStart, m.firstStep = p.Phase, now, p.Step
	}
	m.step, m.total, m.loss = p.Step, p.Total, p.Loss
}

// eta estimates the time left in the current phase from its mean step time so far.
func (m *meter) eta(now time.Time) string {
	done := m.step - m.firstStep
	if m.total <= 0 || done <= 0 {
		return "?"
	}
	left := time.Duration(float64(now.Sub(m.phaseStart)) / float64(done) * float64(m.total-m.step))
	return left.Round(time.Second).String()
}

// status is the one-line state of the job: phase, step/total, loss and ETA.
func (m *meter) status(now time.Time) string {
	if m.phase == "" {
		return "starting"
	}
	s := fmt.Sprintf("%s %d/%d", m.phase, m.step, m.total)
	if !math.IsNaN(m.loss) && m.loss != 0 {
		s += fmt.Sprintf(" loss %.4f", m.loss)
	}
	return s + " ETA " + m.eta(now)
}

// formatMetrics writes evaluation metrics on one line, by name, three decimals each:
// "accuracy 0.570  f1 0.726  mcc 0.000".
func formatMetrics(m map[string]float64) string {
	parts := make([]string, 0, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %s", name, formatValue(m[name])))
	}
	return strings.Join(parts, "  ")
}

// formatValue writes a metric value with three decimals, or in %g form when it is too
// large or too small for that to show it.
func formatValue(v float64) string {
	if a := math.Abs(v); a != 0 && (a >= 1e6 || a < 1e-3) {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// logLines writes a line when a job starts and ends, and at most one per job every few
// seconds in between.
type logLines struct {
	mu       sync.Mutex
	w        io.Writer
	every    time.Duration
	total    int
	started  int
	finished int
}

func (l *logLines) start(run RunSpec) jobLine {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.started++
	fmt.Fprintf(l.w, "[%d/%d] start %s (%s, %d threads)\n", l.started, l.total, run.Label(), run.ID, run.Threads)
	return &logJob{parent: l, label: run.Label(), last: time.Now()}
}

func (l *logLines) close() {}

// logJob is one job of logLines.
type logJob struct {
	parent *logLines
	label  string
	meter  meter
	last   time.Time
}

func (j *logJob) update(p Progress) {
	now := time.Now()
	j.meter.observe(p, now)
	if p.Phase == PhaseEval {
		j.parent.printf("%s: eval %s at step %d: %s\n", j.label, p.Split, p.Step, formatMetrics(p.Metrics))
		return
	}
	if now.Sub(j.last) >= j.parent.every {
		j.last = now
		j.parent.printf("%s: %s\n", j.label, j.meter.status(now))
	}
}

func (j *logJob) end(status string) {
	j.parent.mu.Lock()
	defer j.parent.mu.Unlock()
	j.parent.finished++
	fmt.Fprint(j.parent.w, endLine(j.parent.finished, j.parent.total, status, j.label))
}

// endLine is the line a finished job prints: "[3/12] done LABEL", or "[4/12] failed LABEL:
// reason" for a status "failed: reason".
func endLine(n, total int, status, label string) string {
	if reason, ok := strings.CutPrefix(status, "failed: "); ok {
		return fmt.Sprintf("[%d/%d] failed %s: %s\n", n, total, label, reason)
	}
	return fmt.Sprintf("[%d/%d] %s %s\n", n, total, status, label)
}

func (l *logLines) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}

// bars draws one live bar per running job on a terminal.
type bars struct {
	p        *mpb.Progress
	mu       sync.Mutex
	total    int
	finished int
}

func newBars(w io.Writer, total int) *bars {
	p := mpb.New(mpb.WithOutput(w), mpb.WithAutoRefresh(), mpb.WithWidth(30), mpb.WithRefreshRate(250*time.Millisecond))
	return &bars{p: p, total: total}
}

func (b *bars) start(run RunSpec) jobLine {
	j := &barJob{parent: b, label: run.Label()}
	j.bar = b.p.AddBar(0,
		mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(j.label, decor.WC{C: decor.DindentRight | decor.DextraSpace})),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return j.status() })),
	)
	return j
}

func (b *bars) close() { b.p.Wait() }

// barJob is one job of bars.
type barJob struct {
	parent *bars
	label  string
	bar    *mpb.Bar
	mu     sync.Mutex
	meter  meter
}

func (j *barJob) status() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.meter.status(time.Now())
}

func (j *barJob) update(p Progress) {
	j.mu.Lock()
	j.meter.observe(p, time.Now())
	step, total := j.meter.step, j.meter.total
	j.mu.Unlock()
	if p.Phase != PhaseEval && total > 0 {
		j.bar.SetTotal(int64(total), false)
		j.bar.SetCurrent(int64(min(step, total-1))) // full only at end, so the bar stays until then
	}
}

func (j *barJob) end(status string) {
	j.parent.mu.Lock()
	j.parent.finished++
	line := endLine(j.parent.finished, j.parent.total, status, j.label)
	j.parent.mu.Unlock()
	fmt.Fprint(j.parent.p, line)
	j.bar.SetTotal(-1, true)
}
