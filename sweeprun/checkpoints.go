package sweeprun

import (
	"os"
	"path/filepath"

	"loralab/experiments/record"
	"loralab/model"
	"loralab/tuner"
)

// saveStep writes what the method trained so far (and the head) into the step's folder.
func (e *Executor) saveStep(dir string, step int, meth tuner.Method, m *model.Model) error {
	sd := filepath.Join(dir, record.StepDir(step))
	if err := os.MkdirAll(sd, 0o755); err != nil {
		return err
	}
	if _, err := tuner.Save(filepath.Join(sd, record.CheckpointFile), meth, tuner.HeadParams(m)); err != nil {
		return err
	}
	if e.Export != nil {
		return e.Export(meth, sd)
	}
	return nil
}
