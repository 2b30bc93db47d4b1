package datasets

import (
	"fmt"
	"strings"
)

// Kind says what a task asks a model to produce.
type Kind int

const (
	// Classification: predict Example.Label, an index into Task.Labels.
	Classification Kind = iota + 1
	// Regression: predict Example.Target, a real number.
	Regression
	// Generation: given Example.Source, produce text scored against Example.Refs.
	Generation
	// Corpus: plain documents (Example.Text) for language-model pretraining.
	Corpus
)

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case Classification:
		return "classification"
	case Regression:
		return "regression"
	case Generation:
		return "generation"
	case Corpus:
		return "corpus"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Metric names, as the task lists them and Evaluate reports them.
const (
	MetricAccuracy   = "accuracy"
	MetricF1         = "f1"
	MetricMCC        = "mcc"
	MetricPearson    = "pearson"
	MetricSpearman   = "spearman"
	MetricExactMatch = "exact_match"
	MetricErrorRate  = "error_rate"
	MetricBLEU       = "bleu"
	MetricNIST       = "nist"
	MetricMETEOR     = "meteor"
	MetricROUGEL     = "rouge_l"
	MetricCIDEr      = "cider"
)

// MetricNames lists every metric name above: what a task may report and a report may ask for.
func MetricNames() []string {
	return []string{MetricAccuracy, MetricF1, MetricMCC, MetricPearson, MetricSpearman, MetricExactMatch,
		MetricErrorRate, MetricBLEU, MetricNIST, MetricMETEOR, MetricROUGEL, MetricCIDEr}
}

// NoLabel is the Label of an example whose class is not published (GLUE test files).
const NoLabel = -1

// Example is one item of a task. Which fields are set depends on the task's Kind:
// classification sets Text (and Text2 for sentence pairs) and Label; regression sets Text
// (Text2) and Target; generation sets Source and Refs; a corpus sets Text only.
type Example struct {
	Text  string
	Text2 string
	// Label indexes Task.Labels; NoLabel marks an unlabelled test example.
	Label int
	// Target is the regression value.
	Target float64
	// Source is the generation input: a meaning representation, a word to pronounce.
	Source string
	// Refs are the acceptable outputs for Source, several differently phrased ones where
	// the data has them. Refs[0] is the one used as the training target.
	Refs []string
	// Group identifies the document, address, thread or input the example came from.
	// Splits are made by group, so no group spans two splits.
	Group string
}

// Task is a named dataset with fixed train, validation and test splits and the metrics it is
// scored by.
type Task struct {
	Name        string
	Description string
	Kind        Kind
	// Labels names the classes of a classification task; Example.Label indexes it.
	Labels []string
	Train  []Example
	// Validation is for model selection and early stopping; Test is reported.
	Validation []Example
	Test       []Example
	// MainMetric is the one a study ranks methods by; Metrics lists all reported ones,
	// MainMetric first.
	MainMetric string
	Metrics    []string
}

// Split names, in the order List and Show print them.
var splitNames = [...]string{"train", "validation", "test"}

// Split returns the examples of the named split: "train", "validation" (or "dev") or "test".
func (t *Task) Split(name string) ([]Example, error) {
	switch strings.ToLower(name) {
	case "train":
		return t.Train, nil
	case "validation", "valid", "dev":
		return t.Validation, nil
	case "test":
		return t.Test, nil
	}
	return nil, fmt.Errorf("task %s: unknown split %q (want train, validation or test)", t.Name, name)
}

// Texts returns the documents of a split as plain strings: Text (and Text2) for text tasks,
// Source followed by the first reference for generation tasks. Pretraining uses it.
func Texts(examples []Example) []string {
	out := make([]string, 0, len(examples))
	for _, ex := range examples {
		switch {
		case ex.Source != "" && len(ex.Refs) > 0:
			out = append(out, ex.Source+" "+ex.Refs[0])
		case ex.Text2 != "":
			out = append(out, ex.Text+" "+ex.Text2)
		default:
			out = append(out, ex.Text)
		}
	}
	return out
}

// Validate checks that the task is internally consistent: a name, at least two labels for
// classification, metrics that start with the main one, labels in range, a source for every
// generation example and a text for every other one. References are not required: an
// unreferenced test set (E2E's testset.csv) is valid. Loaders call it before returning a
// task.
func (t *Task) Validate() error {
	if t.Name == "" {
		return fmt.Errorf("task has no name")
	}
	if t.Kind == Classification && len(t.Labels) < 2 {
		return fmt.Errorf("task %s: classification needs at least 2 labels, has %d", t.Name, len(t.Labels))
	}
	if t.Kind != Corpus && (t.MainMetric == "" || len(t.Metrics) == 0 || t.Metrics[0] != t.MainMetric) {
		return fmt.Errorf("task %s: metrics %v must start with the main metric %q", t.Name, t.Metrics, t.MainMetric)
	}
	for _, s := range splitNames {
		exs, _ := t.Split(s)
		for i, ex := range exs {
			if err := t.validateExample(ex); err != nil {
				return fmt.Errorf("task %s: %s example %d: %w", t.Name, s, i, err)
			}
		}
	}
	return nil
}

// validateExample checks one example against the task's kind.
func (t *Task) validateExample(ex Example) error {
	switch t.Kind {
	case Classification:
		if ex.Label != NoLabel && (ex.Label < 0 || ex.Label >= len(t.Labels)) {
			return fmt.Errorf("label %d outside [0, %d)", ex.Label, len(t.Labels))
		}
	case Generation:
		if ex.Source == "" {
			return fmt.Errorf("empty source")
		}
	}
	if t.Kind != Generation && ex.Text == "" {
		return fmt.Errorf("empty text")
	}
	return nil
}
