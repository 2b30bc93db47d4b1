package train

import (
	"fmt"
	"os"
	"path/filepath"

	"loralab/model"
	"loralab/tuner"
)

// CheckpointsDir is the folder of a run that holds the copies kept during training
// (Config.SaveSteps), one subfolder per step (StepDir).
const CheckpointsDir = "checkpoints"

// StepDir is the folder, relative to the run folder, of the copy kept after step: it holds
// CheckpointFile and what the executor's Export writes (a LoRA adapter), like the run
// folder itself.
func StepDir(step int) string { return filepath.Join(CheckpointsDir, fmt.Sprintf("step-%06d", step)) }

// saveStep writes what the method trained so far (and the head) into the step's folder.
func (e *Executor) saveStep(dir string, step int, meth tuner.Method, m *model.Model) error {
	sd := filepath.Join(dir, StepDir(step))
	if err := os.MkdirAll(sd, 0o755); err != nil {
		return err
	}
	if _, err := tuner.Save(filepath.Join(sd, CheckpointFile), meth, tuner.HeadParams(m)); err != nil {
		return err
	}
	if e.Export != nil {
		return e.Export(meth, sd)
	}
	return nil
}
