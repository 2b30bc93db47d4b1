package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"loralab/experiments/record"
)

// Files a latency study writes into <out>/<name>/.
const (
	StudyCopyFile   = "study.yaml"    // the study file as given
	StudyResultFile = "results.jsonl" // one LatencyRow per variant, size and cell, rewritten after each cell
	StudyReportFile = "report.md"
	StudyFigureBase = "figure5_latency" // .png and .svg
)

// StudyOptions say where a latency study writes and whom it tells.
type StudyOptions struct {
	Out      string    // results root; the study writes Out/<name>/
	Threads  int       // overrides the study's threads when > 0
	Progress io.Writer // one line per measured cell; may be nil
	Stdout   io.Writer // the tables for a terminal; may be nil
}

// StudyResult is what a finished latency study measured, and where it wrote.
type StudyResult struct {
	Dir     string
	Rows    []LatencyRow
	Threads int
	Elapsed time.Duration // of this run's measurements
	// Measured is how many (batch, seq) cells this run measured; the others came from an
	// earlier run into the same folder.
	Measured int
	// LoadBefore and LoadAfter are the machine's 1-minute load averages around the study
	// ("" where the system does not report one): latency on a shared machine depends on them.
	LoadBefore, LoadAfter string
	// PeakRSSBytes is the process's peak resident memory when the measurements ended (0 if
	// nothing was measured or the system does not report it).
	PeakRSSBytes int64
	Files        []string // every file written, relative to Dir
}

// RunLatencyStudy times every variant of the study at every size on every (batch, seq) cell,
// then writes the tables, the figure and report.md. The base model and the variants are
// built once and timed cell after cell, interleaved round by round. Running a study again
// into the same folder keeps the cells its results.jsonl already holds and measures only the
// missing ones, so an interrupted study is finished by the same command.
func RunLatencyStudy(ctx context.Context, s *LatencyStudy, o StudyOptions, newMethod NewMethodFunc) (*StudyResult, error) {
	res := &StudyResult{Dir: filepath.Join(o.Out, s.Name), Threads: studyThreads(s.Threads, o.Threads), LoadBefore: loadAverage()}
	if err := os.MkdirAll(res.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("latency study: %w", err)
	}
	done, err := res.resume(s)
	if err != nil {
		return nil, err
	}
	if err := res.write(StudyCopyFile, s.Source); err != nil {
		return nil, err
	}
	start := time.Now()
	// One set holds the base model and every variant at every size, so that every overhead is
	// against the same base measured in the same rounds. It is built when a cell needs it.
	var set *LatencySet
	cells := len(s.Batches) * len(s.Seqs)
	for _, batch := range s.Batches {
		for _, seq := range s.Seqs {
			if done[[2]int{batch, seq}] {
				continue
			}
			if set == nil {
				if set, err = NewLatencySet(s.Shape, s.AllVariants(), newMethod, s.Seed); err != nil {
					return nil, fmt.Errorf("latency study %s: %w", s.Name, err)
				}
			}
			rows, err := set.Measure(ctx, Cell{Batch: batch, Seq: seq, Reps: s.RepsAt(batch), Warmup: s.Warmup, Threads: res.Threads})
			if err != nil {
				return nil, fmt.Errorf("latency study %s, batch %d, seq %d: %w", s.Name, batch, seq, err)
			}
			res.Rows = append(res.Rows, rows...)
			res.Measured++
			if err := res.writeRows(); err != nil {
				return nil, err
			}
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "latency %s: %d/%d cells (batch %d, seq %d: base %.1f ms) after %s\n",
					s.Name, len(res.Rows)/len(rows), cells, batch, seq, rows[0].MedianMillis, time.Since(start).Round(time.Second))
			}
		}
	}
	res.Elapsed = time.Since(start)
	res.LoadAfter = loadAverage()
	if res.Measured > 0 {
		res.PeakRSSBytes = peakRSS()
	}
	if err := res.writeOutputs(s, o.Stdout); err != nil {
		return nil, err
	}
	return res, nil
}

// ReportLatencyStudy writes the tables, the figure and report.md of a study folder from the
// rows its results.jsonl holds, measured or not: cells that are missing show as "-".
func ReportLatencyStudy(s *LatencyStudy, dir string, stdout io.Writer) (*StudyResult, error) {
	res := &StudyResult{Dir: dir, Threads: studyThreads(s.Threads, 0)}
	rows, err := readStudyRows(filepath.Join(dir, StudyResultFile))
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	if err := res.writeOutputs(s, stdout); err != nil {
		return nil, err
	}
	return res, nil
}

// studyThreads picks the thread count: the flag's, else the study's, else every CPU.
func studyThreads(study, flag int) int {
	switch {
	case flag > 0:
		return flag
	case study > 0:
		return study
	}
	return runtime.NumCPU()
}

// write writes one file of the study folder atomically and remembers it.
func (res *StudyResult) write(name string, data []byte) error {
	if err := record.WriteFileAtomic(filepath.Join(res.Dir, name), data); err != nil {
		return fmt.Errorf("latency study: %w", err)
	}
	for _, f := range res.Files {
		if f == name {
			return nil
		}
	}
	res.Files = append(res.Files, name)
	return nil
}

// writeRows rewrites results.jsonl with every row measured so far.
func (res *StudyResult) writeRows() error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range res.Rows {
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("latency study: %w", err)
		}
	}
	return res.write(StudyResultFile, buf.Bytes())
}

// writeOutputs writes the tables (Markdown, CSV), the figure and report.md, and prints the
// tables for a terminal to stdout.
func (res *StudyResult) writeOutputs(s *LatencyStudy, stdout io.Writer) error {
	fillMinOverheads(res.Rows)
	tables := buildLatencyTables(s, res.Rows)
	for _, t := range tables {
		var md, csv bytes.Buffer
		if err := t.writeMarkdown(&md); err != nil {
			return err
		}
		if err := t.writeCSV(&csv); err != nil {
			return err
		}
		base := fmt.Sprintf("table_size%d", t.Size)
		if err := res.write(base+".md", md.Bytes()); err != nil {
			return err
		}
		if err := res.write(base+".csv", csv.Bytes()); err != nil {
			return err
		}
		if stdout != nil {
			if err := t.writeText(stdout); err != nil {
				return err
			}
		}
	}
	figs, err := saveLatencyFigure(filepath.Join(res.Dir, StudyFigureBase), s, res.Rows)
	if err != nil {
		return err
	}
	for _, f := range figs {
		res.Files = append(res.Files, filepath.Base(f))
	}
	var rep bytes.Buffer
	if err := writeStudyReport(&rep, s, res, tables); err != nil {
		return err
	}
	return res.write(StudyReportFile, rep.Bytes())
}

// fillMinOverheads sets each row's OverBaseMinPct from its and its cell's base fastest pass
// (rows written before the field existed lack it; for the others it changes nothing).
func fillMinOverheads(rows []LatencyRow) {
	baseMin := map[[2]int]float64{}
	for _, r := range rows {
		if r.Variant == "base" {
			baseMin[[2]int{r.Batch, r.Seq}] = r.MinMillis
		}
	}
	for i, r := range rows {
		if b := baseMin[[2]int{r.Batch, r.Seq}]; b > 0 {
			rows[i].OverBaseMinPct = (r.MinMillis/b - 1) * 100
		}
	}
}

// loadAverage is the 1-minute load average from /proc/loadavg, or "" where there is none.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return ""
	}
	return fields[0]
}
