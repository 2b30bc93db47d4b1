package datasets

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// glueLayout says where a GLUE task keeps its fields. Files with a header row name their
// columns; CoLA's train and dev files have none and use fixed positions.
type glueLayout struct {
	name              string
	text, text2       string // column names; text2 "" for single-sentence tasks
	label             string // column name of the label (or score) in train and dev
	labels            []string
	regression        bool
	devFile, testFile string // "" means dev.tsv and test.tsv
	metrics           []string
}

// glueLayouts are the nine GLUE tasks (MNLI twice: matched and mismatched dev/test sets),
// in the column layouts of the GLUE distribution.
var glueLayouts = []glueLayout{
	{name: "CoLA", text: "sentence", labels: []string{"0", "1"}, metrics: []string{MetricMCC, MetricAccuracy}},
	{name: "SST-2", text: "sentence", label: "label", labels: []string{"0", "1"}, metrics: []string{MetricAccuracy}},
	{name: "MRPC", text: "#1 String", text2: "#2 String", label: "Quality", labels: []string{"0", "1"}, metrics: []string{MetricAccuracy, MetricF1}},
	{name: "STS-B", text: "sentence1", text2: "sentence2", label: "score", regression: true, metrics: []string{MetricPearson, MetricSpearman}},
	{name: "QQP", text: "question1", text2: "question2", label: "is_duplicate", labels: []string{"0", "1"}, metrics: []string{MetricAccuracy, MetricF1}},
	{name: "MNLI", text: "sentence1", text2: "sentence2", label: "gold_label", labels: []string{"entailment", "neutral", "contradiction"},
		devFile: "dev_matched.tsv", testFile: "test_matched.tsv", metrics: []string{MetricAccuracy}},
	{name: "MNLI-mm", text: "sentence1", text2: "sentence2", label: "gold_label", labels: []string{"entailment", "neutral", "contradiction"},
		devFile: "dev_mismatched.tsv", testFile: "test_mismatched.tsv", metrics: []string{MetricAccuracy}},
	{name: "QNLI", text: "question", text2: "sentence", label: "label", labels: []string{"entailment", "not_entailment"}, metrics: []string{MetricAccuracy}},
	{name: "RTE", text: "sentence1", text2: "sentence2", label: "label", labels: []string{"entailment", "not_entailment"}, metrics: []string{MetricAccuracy}},
	{name: "WNLI", text: "sentence1", text2: "sentence2", label: "label", labels: []string{"0", "1"}, metrics: []string{MetricAccuracy}},
}

// GLUETasks lists the task names LoadGLUE accepts.
func GLUETasks() []string {
	out := make([]string, len(glueLayouts))
	for i, l := range glueLayouts {
		out[i] = l.name
	}
	return out
}

// LoadGLUE reads a GLUE task from its folder as distributed (train.tsv, dev.tsv, test.tsv;
// MNLI: dev_matched.tsv / dev_mismatched.tsv and the test files to match). name is one of
// GLUETasks, case-insensitive. Test files carry no labels: their examples have Label NoLabel
// and Target NaN, and a missing test file leaves Test empty.
//
// GLUE's test labels are private, so papers (LoRA's included) report the dev set. With
// devAsTest set, Test is the dev set and Validation is a seeded 5% of train, split off by
// sentence so the same sentence is not on both sides.
func LoadGLUE(dir, name string, devAsTest bool, seed uint64) (*Task, error) {
	i := slices.IndexFunc(glueLayouts, func(l glueLayout) bool { return strings.EqualFold(l.name, name) })
	if i < 0 {
		return nil, fmt.Errorf("unknown GLUE task %q (want one of %s)", name, strings.Join(GLUETasks(), ", "))
	}
	l := glueLayouts[i]
	t := &Task{
		Name: "glue-" + strings.ToLower(l.name), Description: "GLUE " + l.name + " from " + dir,
		Kind: Classification, Labels: slices.Clone(l.labels), MainMetric: l.metrics[0], Metrics: slices.Clone(l.metrics),
	}
	if l.regression {
		t.Kind = Regression
	}
	dev, test := orDefault(l.devFile, "dev.tsv"), orDefault(l.testFile, "test.tsv")
	var err error
	if t.Train, err = l.readFile(filepath.Join(dir, "train.tsv"), true); err != nil {
		return nil, err
	}
	if t.Validation, err = l.readFile(filepath.Join(dir, dev), true); err != nil {
		return nil, err
	}
	if _, statErr := os.Stat(filepath.Join(dir, test)); statErr == nil {
		if t.Test, err = l.readFile(filepath.Join(dir, test), false); err != nil {
			return nil, err
		}
	}
	if devAsTest {
		t.Test = t.Validation
		t.Train, t.Validation, _ = splitByGroup(t.Train, Fractions{Validation: 0.05}, seed, nil)
	}
	return t, t.Validate()
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// readFile parses one GLUE TSV file. Fields are split on tabs only: GLUE files contain
// unbalanced quotes that a CSV reader would misread.
func (l glueLayout) readFile(path string, labelled bool) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("GLUE %s: %w", l.name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var cols map[string]int
	width := 0
	// CoLA train/dev: source, label, original judgement, sentence; no header.
	if l.name == "CoLA" && labelled {
		cols, width = map[string]int{"label": 1, "sentence": 3}, 4
	}
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		row := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			row = strings.TrimPrefix(row, "\ufeff")
		}
		if row == "" {
			continue
		}
		fields := strings.Split(row, "\t")
		if cols == nil {
			cols, width = headerIndex(fields), len(fields)
			if err := l.checkHeader(path, cols, labelled); err != nil {
				return nil, err
			}
			continue
		}
		if len(fields) != width {
			return nil, fmt.Errorf("%s:%d: want %d tab-separated columns, found %d", path, line, width, len(fields))
		}
		ex, err := l.example(fields, cols, labelled)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
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

func headerIndex(fields []string) map[string]int {
	cols := make(map[string]int, len(fields))
	for i, f := range fields {
		cols[strings.TrimSpace(f)] = i
	}
	return cols
}

// checkHeader makes sure the columns the layout reads are there.
func (l glueLayout) checkHeader(path string, cols map[string]int, labelled bool) error {
	want := []string{l.text}
	if l.text2 != "" {
		want = append(want, l.text2)
	}
	if labelled {
		want = append(want, l.labelColumn())
	}
	for _, w := range want {
		if _, ok := cols[w]; !ok {
			return fmt.Errorf("%s:1: GLUE %s header lacks column %q (want %s)", path, l.name, w, strings.Join(want, ", "))
		}
	}
	return nil
}

func (l glueLayout) labelColumn() string {
	if l.name == "CoLA" {
		return "label"
	}
	return l.label
}

// example reads one data row.
func (l glueLayout) example(fields []string, cols map[string]int, labelled bool) (Example, error) {
	ex := Example{Text: fields[cols[l.text]], Label: NoLabel, Target: math.NaN()}
	if l.text2 != "" {
		ex.Text2 = fields[cols[l.text2]]
	}
	ex.Group = ex.Text + "\x00" + ex.Text2
	if ex.Text == "" {
		return ex, fmt.Errorf("empty %q field", l.text)
	}
	if !labelled {
		return ex, nil
	}
	raw := strings.TrimSpace(fields[cols[l.labelColumn()]])
	if l.regression {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return ex, fmt.Errorf("column %q: want a number, found %q", l.label, raw)
		}
		ex.Target, ex.Label = v, 0
		return ex, nil
	}
	ex.Label = slices.Index(l.labels, raw)
	if ex.Label < 0 {
		return ex, fmt.Errorf("column %q: want one of %s, found %q", l.labelColumn(), strings.Join(l.labels, ", "), raw)
	}
	return ex, nil
}
