package sweeprun

import (
	"fmt"

	"loralab/datasets"
	"loralab/model"
)

// addHead gives the model the head its task needs: n classes for classification, one output
// for regression, none for generation (the decoder's LM head is tied to its embedding).
func addHead(m *model.Model, t *datasets.Task, seed uint64) error {
	var err error
	switch t.Kind {
	case datasets.Classification:
		err = m.AttachHead(len(t.Labels), seed)
	case datasets.Regression:
		err = m.AttachHead(1, seed)
	}
	if err != nil {
		return fmt.Errorf("task %s: %w", t.Name, err)
	}
	return nil
}
