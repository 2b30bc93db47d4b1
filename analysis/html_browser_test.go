package analysis

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"loralab/experiments/record"
)

// findChromium returns the path of a Chromium-like browser. Without one the browser tests
// fail under CI=true (.ci/run installs Debian's chromium) and skip elsewhere, saying how to
// get one.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "no chromium on PATH: install it (apt-get install chromium) to test report.html in a browser"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser starts a headless Chromium with a fresh profile and no network services, and
// returns its context and the messages of every console error, exception and error log
// entry the page raises.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelTimeout() })
	var mu sync.Mutex
	var errs []string
	listenErr := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				errs = append(errs, "console: "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			errs = append(errs, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber+1, d.ColumnNumber+1, msg))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				errs = append(errs, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
			}
		}
	})
	if listenErr != nil {
		t.Fatal(listenErr)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser; chromedp enables the runtime and log domains
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// addCosts gives the fixture's done runs the costs a real run records (training time,
// checkpoint size, steps), each different, so that every Pareto axis has data.
func addCosts(t *testing.T, dir string) {
	t.Helper()
	sw, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, run := range sw.Done() {
		res := run.Result
		res.TrainSeconds = 10 + float64(i)
		res.CheckpointBytes = int64(1000 + 37*i)
		res.Config["train"] = map[string]any{"steps": 40}
		if err := record.WriteJSON(filepath.Join(run.Dir, record.ResultFile), res); err != nil {
			t.Fatal(err)
		}
	}
}

// point is a Pareto point as the page draws it.
type point struct {
	Run  string
	X, Y float64
}

// TestReportHTMLInBrowser opens report.html of the fixture sweep in headless Chromium and
// checks: no console error, every figure drawn at a non-zero size, a table that sorts on
// click (descending, then ascending), the method filter on rows and points, CSV export, and
// Pareto points equal to the result.json values for each x axis.
func TestReportHTMLInBrowser(t *testing.T) {
	dir := writeFixtureSweep(t)
	addCosts(t, dir)
	p, err := WriteReport(dir, fixtureSpec(), Options{Command: "runexp fixture.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, errors := browser(t)
	url := "file://" + filepath.Join(dir, HTMLFile)
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("#pareto-plot"))); err != nil {
		t.Fatal(err)
	}

	// Every figure of the report is on the page, drawn at a non-zero size.
	figures := 0
	for _, sec := range p.Sections {
		for _, a := range sec.Files {
			if a.Image {
				figures++
			}
		}
	}
	var sizes [][2]float64
	eval(t, ctx, `Array.from(document.querySelectorAll("figure > svg")).map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })`, &sizes)
	if len(sizes) != figures || figures == 0 {
		t.Errorf("%d inline SVG figures, want the report's %d", len(sizes), figures)
	}
	for i, s := range sizes {
		if s[0] <= 0 || s[1] <= 0 {
			t.Errorf("figure %d drawn at %vx%v", i, s[0], s[1])
		}
	}

	// The comparison table sorts by a column on click: descending first, then ascending.
	const table = `document.querySelector("#comparison-table table.sortable")`
	column := func() []string {
		var keys []string
		eval(t, ctx, `Array.from(`+table+`.tBodies[0].rows).map(r => r.cells[2].dataset.sort)`, &keys)
		return keys
	}
	before := column()
	for _, want := range []string{"descending", "ascending"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#comparison-table table.sortable thead th:nth-child(3)`))); err != nil {
			t.Fatal(err)
		}
		got := column()
		if !sortedNumbers(got, want == "descending") {
			t.Errorf("after a click the column reads %v, want it %s", got, want)
		}
		if slices.Equal(got, before) && want == "descending" {
			t.Errorf("the click did not reorder the rows %v", before)
		}
		var aria string
		eval(t, ctx, table+`.tHead.rows[0].cells[2].getAttribute("aria-sort")`, &aria)
		if aria != want {
			t.Errorf("aria-sort %q, want %q", aria, want)
		}
	}

	// The Pareto points are the done runs of the chosen task, at their result.json values.
	sw, err := LoadSweep(dir)
	if err != nil {
		t.Fatal(err)
	}
	var axes []string
	eval(t, ctx, `Array.from(document.querySelectorAll("#pareto-x option")).map(o => o.value)`, &axes)
	if want := []string{"trainable_params", "step_seconds", "train_seconds", "checkpoint_bytes"}; !slices.Equal(axes, want) {
		t.Errorf("x axes %v, want %v", axes, want)
	}
	var task string
	eval(t, ctx, `document.getElementById("pareto-task").value`, &task)
	for _, axis := range axes {
		js := fmt.Sprintf(`(() => { const s = document.getElementById("pareto-x"); s.value = %q; s.dispatchEvent(new Event("change")); return true; })()`, axis)
		var ok bool
		eval(t, ctx, js, &ok)
		got := paretoPointsOnPage(t, ctx)
		want := expectedPoints(sw, task, axis, nil)
		if !samePoints(got, want) {
			t.Errorf("axis %s: points on the page %v, want %v", axis, got, want)
		}
	}

	// The method filter hides the rows and the points of an unticked method.
	var ok bool
	eval(t, ctx, `(() => { const b = document.querySelector('#methods input[value="ft"]'); b.click(); return !b.checked; })()`, &ok)
	if !ok {
		t.Fatal("the ft box did not untick")
	}
	var hidden []string
	eval(t, ctx, `Array.from(document.querySelectorAll("table.sortable tbody tr")).filter(r => r.hidden).map(r => r.dataset.method)`, &hidden)
	if len(hidden) == 0 || slices.ContainsFunc(hidden, func(m string) bool { return m != "ft" }) {
		t.Errorf("hidden rows are of methods %v, want only and some ft", hidden)
	}
	if got, want := paretoPointsOnPage(t, ctx), expectedPoints(sw, task, axes[len(axes)-1], []string{"ft"}); !samePoints(got, want) {
		t.Errorf("with ft unticked the points are %v, want %v", got, want)
	}

	// CSV export: the visible rows of the table, header first.
	var csv string
	var visible int
	eval(t, ctx, `window.loralab.tableCSV(`+table+`)`, &csv)
	eval(t, ctx, table+`.querySelectorAll("tbody tr:not([hidden])").length`, &visible)
	if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != visible+1 || !strings.HasPrefix(lines[0], "Method,") || strings.Contains(csv, "\nft,") {
		t.Errorf("table CSV has %d lines for %d visible rows:\n%s", len(lines), visible, csv)
	}
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the page raised errors:\n%s", strings.Join(errs, "\n"))
	}

	// A sweep with nothing done yet: the page still loads without an error and says the
	// Pareto view is empty.
	empty := t.TempDir()
	failed := filepath.Join(empty, "runs", "f")
	mustMkdir(t, failed)
	writeJSON(t, filepath.Join(failed, record.ResultFile), record.Result{RunID: "f", Status: record.StatusFailed, Reason: "NaN loss", Setting: "ft", Task: "cls"})
	if _, err := WriteReport(empty, Spec{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(empty, HTMLFile)), chromedp.WaitReady(chromedp.CSS("#pareto-plot"))); err != nil {
		t.Fatal(err)
	}
	var shown bool
	eval(t, ctx, `!document.getElementById("pareto-empty").hidden && document.querySelectorAll("#pareto-plot circle").length === 0`, &shown)
	if !shown {
		t.Error("the empty sweep's page does not say its Pareto view is empty")
	}
	if errs := errors(); len(errs) > 0 {
		t.Errorf("the empty sweep's page raised errors:\n%s", strings.Join(errs, "\n"))
	}
}

// eval evaluates a JavaScript expression on the page into out.
func eval[T any](t *testing.T, ctx context.Context, js string, out *T) {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	*out = v
}

// paretoPointsOnPage reads the points the Pareto view drew.
func paretoPointsOnPage(t *testing.T, ctx context.Context) []point {
	var pts []point
	eval(t, ctx, `Array.from(document.querySelectorAll("#pareto-plot circle[data-run]")).map(c => ({Run: c.dataset.run, X: +c.dataset.x, Y: +c.dataset.y}))`, &pts)
	return pts
}

// expectedPoints are the done runs of task, but those of the excluded methods, as
// (run, cost on the axis, main metric on the test split), read from their result.json.
func expectedPoints(sw *Sweep, task, axis string, excluded []string) []point {
	var out []point
	for _, run := range sw.Done() {
		r := run.Result
		if r.Task != task || slices.Contains(excluded, r.Method) {
			continue
		}
		var x float64
		switch axis {
		case "trainable_params":
			x = float64(r.TrainableParams)
		case "step_seconds":
			x = r.TrainSeconds / 40
		case "train_seconds":
			x = r.TrainSeconds
		case "checkpoint_bytes":
			x = float64(r.CheckpointBytes)
		}
		out = append(out, point{Run: r.RunID, X: x, Y: r.Metrics["test"][r.MainMetric]})
	}
	return out
}

// samePoints compares two point sets, in any order.
func samePoints(a, b []point) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	key := func(p point) string { return p.Run }
	slices.SortFunc(a, func(x, y point) int { return strings.Compare(key(x), key(y)) })
	slices.SortFunc(b, func(x, y point) int { return strings.Compare(key(x), key(y)) })
	for i := range a {
		if a[i].Run != b[i].Run || math.Abs(a[i].X-b[i].X) > 1e-9*math.Abs(b[i].X) || math.Abs(a[i].Y-b[i].Y) > 1e-12 {
			return false
		}
	}
	return true
}

// sortedNumbers says whether the keys are numbers in the given order.
func sortedNumbers(keys []string, descending bool) bool {
	var prev float64
	for i, k := range keys {
		var v float64
		if _, err := fmt.Sscan(k, &v); err != nil {
			return false
		}
		if i > 0 && (descending && v > prev || !descending && v < prev) {
			return false
		}
		prev = v
	}
	return len(keys) > 1
}
