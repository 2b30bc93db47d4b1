package pretrain

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// display shows a run's progress: a live bar with the step, loss, tokens/s, the last
// held-out figures and the ETA on a terminal; otherwise the same as a plain line at every
// evaluation and at most every logEvery in between. A nil writer shows nothing.
type display struct {
	mu       sync.Mutex
	w        io.Writer
	p        *mpb.Progress
	bar      *mpb.Bar
	total    int
	first    int // the step this session started from
	perStep  int64
	start    time.Time
	cur      int
	loss     float64
	heldOut  string
	lastLine time.Time
}

const logEvery = 30 * time.Second

func newDisplay(w io.Writer, total, first int, perStep int64) *display {
	d := &display{w: w, total: total, first: first, cur: first, perStep: perStep, start: time.Now(), lastLine: time.Now()}
	if f, ok := w.(*os.File); ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		d.p = mpb.New(mpb.WithOutput(f), mpb.WithAutoRefresh(), mpb.WithWidth(30), mpb.WithRefreshRate(250*time.Millisecond))
		d.bar = d.p.AddBar(int64(total),
			mpb.PrependDecorators(decor.Name("pretrain", decor.WC{C: decor.DindentRight | decor.DextraSpace})),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return d.status() })))
		d.bar.SetCurrent(int64(first))
	}
	return d
}

// status is the one-line state of the run.
func (d *display) status() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := fmt.Sprintf("step %d/%d loss %.4f", d.cur, d.total, d.loss)
	if done := d.cur - d.first; done > 0 {
		el := time.Since(d.start)
		left := time.Duration(float64(el) / float64(done) * float64(d.total-d.cur))
		s += fmt.Sprintf(" %.0f tok/s ETA %s", float64(int64(done)*d.perStep)/el.Seconds(), left.Round(time.Second))
	}
	if d.heldOut != "" {
		s += " | " + d.heldOut
	}
	return s
}

// step records a training step.
func (d *display) step(step int, loss float64) {
	d.mu.Lock()
	d.cur, d.loss = step, loss
	due := d.bar == nil && d.w != nil && time.Since(d.lastLine) >= logEvery
	d.mu.Unlock()
	if d.bar != nil {
		d.bar.SetCurrent(int64(min(step, d.total-1))) // full only at the end
	}
	if due {
		d.line()
	}
}

// eval records an evaluation and, without a bar, prints a line.
func (d *display) eval(p CurvePoint) {
	d.mu.Lock()
	d.heldOut = fmt.Sprintf("held-out ppl %.2f (unigram %.1f) acc %.3f", p.Perplexity, p.UnigramPPL, p.Accuracy)
	d.mu.Unlock()
	if d.bar == nil && d.w != nil {
		d.line()
	}
}

func (d *display) line() {
	s := d.status()
	d.mu.Lock()
	d.lastLine = time.Now()
	d.mu.Unlock()
	fmt.Fprintf(d.w, "%s pretrain %s\n", time.Now().UTC().Format("15:04:05"), s)
}

// close ends the bar.
func (d *display) close() {
	if d.bar != nil {
		d.bar.SetTotal(-1, true)
		d.p.Wait()
	}
}
