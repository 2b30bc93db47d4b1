package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
)

// jsonlRecord is one line of a generic JSONL task file. Label may be a JSON number (a class
// index) or a string (a class name). Other fields are ignored.
type jsonlRecord struct {
	Text     *string         `json:"text"`
	TextPair string          `json:"text_pair"`
	Label    json.RawMessage `json:"label"`
	Target   *float64        `json:"target"`
	Group    string          `json:"group"`
}

// LoadJSONL reads a task from JSON Lines files, one object per line:
//
//	{"text": "...", "text_pair": "...", "label": 1}        classification, class index
//	{"text": "...", "label": "positive"}                   classification, class name
//	{"text": "...", "text_pair": "...", "target": 3.8}     regression
//
// text is required, text_pair optional, and every line of the task has a label or every
// line has a target; an optional "group" keeps related lines in one split. String labels
// are named in order of first appearance in train; validation and test may not introduce
// new ones. testPath may be "" for no test split.
func LoadJSONL(name, trainPath, validationPath, testPath string) (*Task, error) {
	p := &jsonlParser{}
	t := &Task{Name: name, Description: "JSONL task from " + trainPath}
	var err error
	if t.Train, err = p.readFile(trainPath, true); err != nil {
		return nil, err
	}
	if t.Validation, err = p.readFile(validationPath, false); err != nil {
		return nil, err
	}
	if testPath != "" {
		if t.Test, err = p.readFile(testPath, false); err != nil {
			return nil, err
		}
	}
	switch p.kind {
	case Classification:
		t.Kind, t.Labels = Classification, p.labelNames()
		t.MainMetric, t.Metrics = MetricAccuracy, []string{MetricAccuracy, MetricF1, MetricMCC}
	default:
		t.Kind = Regression
		t.MainMetric, t.Metrics = MetricPearson, []string{MetricPearson, MetricSpearman}
	}
	return t, t.Validate()
}

// labelForm is how the lines of a JSONL task write their labels: all as class names or all
// as class indices, fixed by the first labelled line.
type labelForm int

const (
	labelsUnseen labelForm = iota
	labelsNamed
	labelsIndexed
)

// jsonlParser carries what the files of one task must agree on: the kind, how labels are
// written, and the label names or the largest label index.
type jsonlParser struct {
	kind     Kind
	form     labelForm
	names    []string // named labels, in order of first appearance
	maxIndex int      // indexed labels
}

// labelNames names the classes: the names seen in train, or "0".."maxIndex" (at least two).
func (p *jsonlParser) labelNames() []string {
	if p.form == labelsNamed {
		return p.names
	}
	names := make([]string, max(p.maxIndex+1, 2))
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}

// readFile parses one JSONL file; labels new to the task are accepted only in train.
func (p *jsonlParser) readFile(path string, isTrain bool) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("JSONL: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		ex, err := p.parseLine(raw, isTrain)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if ex.Group == "" {
			ex.Group = ex.Text + "\x00" + ex.Text2
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no examples", path)
	}
	return out, nil
}

// parseLine decodes one non-blank line into an example of the task's kind.
func (p *jsonlParser) parseLine(raw []byte, isTrain bool) (Example, error) {
	var rec jsonlRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Example{}, fmt.Errorf("want a JSON object: %w", err)
	}
	if rec.Text == nil || *rec.Text == "" {
		return Example{}, fmt.Errorf("want a non-empty \"text\" field, found none")
	}
	ex := Example{Text: *rec.Text, Text2: rec.TextPair, Group: rec.Group}
	hasLabel := len(rec.Label) > 0 && string(rec.Label) != "null"
	kind := Regression
	if hasLabel {
		kind = Classification
	}
	switch {
	case hasLabel == (rec.Target != nil):
		return ex, fmt.Errorf("want exactly one of \"label\" and \"target\", found %s", bothOrNeither(hasLabel, rec.Target != nil))
	case p.kind != 0 && p.kind != kind:
		return ex, fmt.Errorf("want a %s example like the lines before, found a %s one", p.kind, kind)
	}
	p.kind = kind
	if kind == Regression {
		if math.IsNaN(*rec.Target) || math.IsInf(*rec.Target, 0) {
			return ex, fmt.Errorf("want a finite \"target\", found %v", *rec.Target)
		}
		ex.Target = *rec.Target
		return ex, nil
	}
	label, err := p.parseLabel(rec.Label, isTrain)
	ex.Label = label
	return ex, err
}

// bothOrNeither says which of label and target a line has when it should have exactly one.
func bothOrNeither(label, target bool) string {
	if label && target {
		return "both"
	}
	return "neither"
}

// parseLabel maps a JSON label to a class index, learning string names from train. All
// labels of a task are names, or all are indices.
func (p *jsonlParser) parseLabel(raw json.RawMessage, isTrain bool) (int, error) {
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		if p.form == labelsIndexed {
			return 0, fmt.Errorf("want a class index in \"label\" like the lines before, found %s", raw)
		}
		p.form = labelsNamed
		i := slices.Index(p.names, name)
		if i < 0 {
			if !isTrain {
				return 0, fmt.Errorf("label %q does not occur in the train file (labels: %q)", name, p.names)
			}
			i = len(p.names)
			p.names = append(p.names, name)
		}
		return i, nil
	}
	var idx float64
	if err := json.Unmarshal(raw, &idx); err != nil || idx != math.Trunc(idx) || idx < 0 || idx > 1e6 {
		return 0, fmt.Errorf("want \"label\" to be a class name or an index >= 0, found %s", raw)
	}
	if p.form == labelsNamed {
		return 0, fmt.Errorf("want a class name in \"label\" like the lines before, found %s", raw)
	}
	p.form = labelsIndexed
	if isTrain {
		p.maxIndex = max(p.maxIndex, int(idx))
	} else if int(idx) > p.maxIndex {
		return 0, fmt.Errorf("label %d is larger than any in the train file (max %d)", int(idx), p.maxIndex)
	}
	return int(idx), nil
}
