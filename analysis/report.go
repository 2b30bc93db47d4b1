package analysis

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"loralab/experiments"
	"loralab/experiments/record"
)

// Folders of a sweep folder that Report writes, and the report file.
const (
	TablesDir  = "tables"
	FiguresDir = "figures"
	ReportFile = "report.md"
)

// Options tune Report.
type Options struct {
	// Out receives the comparison table for a terminal and one line per note; nil discards.
	Out io.Writer
	// Command is the command quoted in report.md; "" keeps the command of the report.md
	// already in the folder (the sweep's own command line, when a report is written again),
	// else "runexp report <sweep folder>".
	Command string
	// Merge reads the update ΔW of a method other than LoRA by merging it into the base
	// (merge.Matrices); nil leaves those runs out of the update analyses, with a note.
	Merge Merger
	// Expected is the number of runs the sweep expands to, if the caller knows it (0 = not
	// known): runs neither done nor failed count as missing even without a folder.
	Expected int
}

// Produced lists what a report wrote, with paths relative to the sweep folder.
type Produced struct {
	Sweep    string // the sweep's name
	Done     int
	Failed   []record.Result
	Missing  int
	Stale    int // run folders the sweep's plan no longer lists, left out
	Problems []error
	Table    *Table

	Sections []Section
	Notes    []string // what was asked for but could not be made, and why
}

// Section is one part of the report: a title, a Markdown body, and files linked under it.
type Section struct {
	Title string
	Body  string
	Files []Artifact
}

// Artifact is one produced file (or a figure's PNG with its SVG twin and its data).
type Artifact struct {
	Title string
	Path  string // relative to the sweep folder, slash-separated
	Alt   string // another format of the same content (the SVG of a PNG), or ""
	Data  string // the numbers behind a figure (CSV), or ""
	Image bool   // shown inline in report.md
}

// Report analyses the finished runs under sweepDir as spec asks and writes tables/,
// figures/ and report.md into it; the comparison table also goes to out for a terminal.
// Runs that failed or lack a result are counted and listed, never fatal; what the spec asks
// for but the runs cannot give (no matching run, no adapter file) becomes a note in the
// report.
func Report(sweepDir string, spec Spec, out io.Writer) error {
	_, err := WriteReport(sweepDir, spec, Options{Out: out})
	return err
}

// WriteReport is Report with options, returning what it produced.
func WriteReport(sweepDir string, spec Spec, opt Options) (*Produced, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	sweep, err := LoadSweep(sweepDir)
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{TablesDir, FiguresDir} {
		if err := os.MkdirAll(filepath.Join(sweepDir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("analysis: %w", err)
		}
	}
	r := newReporter(sweep, spec, opt)
	steps := []func() error{r.perBase(r.comparisonTable, r.protocolSections, r.metricTables), r.baseStrengthStudy,
		r.subspaceStudies, r.amplificationStudy, r.perBase(r.metricPlots, r.lrSensitivity, r.learningCurves),
		r.forgettingStudy, r.updateRankStudy, r.intrudersStudy, r.amplificationStepsStudy, r.costStudy}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := r.writeMarkdown(); err != nil {
		return nil, err
	}
	if err := r.writeHTML(); err != nil {
		return nil, err
	}
	return r.produced, nil
}

// reporter carries one report's state through its steps.
type reporter struct {
	dir      string
	spec     Spec
	opt      Options
	sweep    *Sweep
	summary  Summary
	produced *Produced
	updates  map[string][]Update // by run folder and base (runUpdates)
	// base is the base folder the steps perBase runs are cut to, nil outside them.
	base *experiments.BaseFolder
}

func newReporter(sweep *Sweep, spec Spec, opt Options) *reporter {
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.Command == "" {
		opt.Command = recordedCommand(sweep.Dir)
	}
	if opt.Command == "" {
		opt.Command = "runexp report " + sweep.Dir
	}
	results := Results(sweep.Runs)
	p := &Produced{
		Sweep: sweepName(sweep), Done: len(sweep.Done()), Failed: Results(sweep.Failed()),
		Missing: len(sweep.Missing), Stale: len(sweep.Stale), Problems: sweep.Problems,
	}
	p.Missing = max(p.Missing, opt.Expected-p.Done-len(p.Failed))
	return &reporter{
		dir: sweep.Dir, spec: spec, opt: opt, sweep: sweep, produced: p,
		summary: Aggregate(results, spec.Table.split(), spec.Table.Metric),
		updates: map[string][]Update{},
	}
}

// sweepName is the sweep's name as its results give it, else the folder's name.
func sweepName(s *Sweep) string {
	for _, r := range s.Runs {
		if r.Result.Sweep != "" {
			return r.Result.Sweep
		}
	}
	return filepath.Base(filepath.Clean(s.Dir))
}

// note records something the spec asked for that could not be made.
func (r *reporter) note(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	r.produced.Notes = append(r.produced.Notes, msg)
	fmt.Fprintln(r.opt.Out, "note:", msg)
}

// writeFile writes data to a path relative to the sweep folder, atomically and readable by
// all, and returns the relative path.
func (r *reporter) writeFile(rel string, data []byte) (string, error) {
	path := filepath.Join(r.dir, filepath.FromSlash(rel))
	if err := record.WriteFileAtomic(path, data); err != nil {
		return "", fmt.Errorf("analysis: %w", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		return "", fmt.Errorf("analysis: %w", err)
	}
	return rel, nil
}

// render runs a writer into a buffer, for writeFile.
func render(write func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	err := write(&buf)
	return buf.Bytes(), err
}

// slug turns a label into a file-name part: "lora r=8 q,v" -> "lora-r8-q-v".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case c == '=':
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// relFigure turns the paths figure.Save wrote into an artifact relative to the sweep folder.
func (r *reporter) relFigure(title string, paths []string) (Artifact, error) {
	a := Artifact{Title: title, Image: true}
	for i, p := range paths {
		rel, err := filepath.Rel(r.dir, p)
		if err != nil {
			return a, fmt.Errorf("analysis: %w", err)
		}
		if err := os.Chmod(p, 0o644); err != nil {
			return a, fmt.Errorf("analysis: %w", err)
		}
		if i == 0 {
			a.Path = filepath.ToSlash(rel)
		} else {
			a.Alt = filepath.ToSlash(rel)
		}
	}
	return a, nil
}
