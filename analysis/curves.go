package analysis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"loralab/experiments/record"
)

// ReadPoints reads the metrics.jsonl of a run folder: one record.Point per line. Blank lines
// are skipped; a line that is not a Point is an error naming the file and line.
func ReadPoints(runDir string) ([]record.Point, error) {
	path := filepath.Join(runDir, record.MetricsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	var points []record.Point
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<24)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		var p record.Point
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("analysis: %s:%d: want a JSON object {step, loss, ...}: %w", path, line, err)
		}
		points = append(points, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", path, err)
	}
	return points, nil
}

// LossCurve is the training loss by step of one run: the points without an evaluation split
// and with a finite loss; when a step appears twice the last line wins (a resumed run
// rewrites its tail).
func LossCurve(points []record.Point) map[int]float64 {
	curve := map[int]float64{}
	for _, p := range points {
		if p.Split == "" && finite(p.Loss) {
			curve[p.Step] = p.Loss
		}
	}
	return curve
}

// MeanCurve averages the loss curves of several seeds step by step, each step over the seeds
// that logged it, as a series sorted by step.
func MeanCurve(name string, curves []map[int]float64) Series {
	sum, count := map[int]float64{}, map[int]int{}
	for _, c := range curves {
		for step, loss := range c {
			sum[step] += loss
			count[step]++
		}
	}
	s := Series{Name: name}
	for _, step := range slices.Sorted(maps.Keys(sum)) {
		s.X = append(s.X, float64(step))
		s.Y = append(s.Y, sum[step]/float64(count[step]))
	}
	return s
}

// curveSeries builds the learning curves of one task: one series per setting (in the
// paper's method order), the mean over the done runs' seeds at the group's learning rate (the
// chosen one of a search). Runs without a metrics.jsonl
// are skipped; unreadable ones are returned as problems.
func curveSeries(runs []Run, summary Summary, task string) ([]Series, []error) {
	var out []Series
	var problems []error
	for _, g := range summary.Groups {
		if g.Task != task {
			continue
		}
		var curves []map[int]float64
		for _, r := range runs {
			if r.Result.Setting != g.Setting || r.Result.Task != task || r.Result.Status != record.StatusDone || runLR(r.Result) != g.LR ||
				baseOf(r.Result).Dir != g.Base.Dir {
				continue
			}
			points, err := ReadPoints(r.Dir)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				problems = append(problems, err)
				continue
			}
			if c := LossCurve(points); len(c) > 0 {
				curves = append(curves, c)
			}
		}
		if len(curves) > 0 {
			out = append(out, MeanCurve(g.Setting, curves))
		}
	}
	return out, problems
}
