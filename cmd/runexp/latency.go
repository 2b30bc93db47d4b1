package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/bench"
	"loralab/tuner"
)

// studyKind peeks at the top-level study: key of a YAML file ("" when it has none or the
// file is not a YAML mapping: the sweep parser then reports what is wrong with it).
func studyKind(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var head struct {
		Study string `yaml:"study"`
	}
	if yaml.Unmarshal(data, &head) != nil {
		return "", nil
	}
	return head.Study, nil
}

// runLatencyStudy runs a latency-study file (paper Table 1, Figure 5) and writes its tables,
// figure and report into out/<name>/. A dry run prints the grid and measures nothing.
func runLatencyStudy(ctx context.Context, path, out string, threads int, dry bool, stdout, stderr io.Writer) error {
	s, err := bench.LoadLatencyStudy(path)
	if err != nil {
		return err
	}
	if dry {
		fmt.Fprintf(stdout, "latency study %s: %s shape d=%d L=%d vocab %d; batch %v x seq %v x sizes %v; base + %s; timed %s\n",
			s.Name, s.Preset, s.Shape.DModel, s.Shape.Layers, s.Shape.Vocab, s.Batches, s.Seqs, s.Sizes, strings.Join(s.Variants, ", "), s.RepsText())
		return nil
	}
	res, err := bench.RunLatencyStudy(ctx, s, bench.StudyOptions{Out: out, Threads: threads, Progress: stderr, Stdout: stdout}, tuner.New)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "latency study %s: %d measurements in %s (peak RSS %.2f GB), written to %s\n", s.Name, len(res.Rows),
		res.Elapsed.Round(1e9), float64(res.PeakRSSBytes)/1e9, res.Dir)
	return nil
}
