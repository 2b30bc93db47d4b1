// Package sweeprun runs the runs of a sweep for experiments.Run: it builds (or finds in the
// cache) the pretrained base model a run needs, loads its task, gives the model the task's
// head, builds the run's method by name (tuner.New; this package links every method loralab
// ships, see package methods), fine-tunes it with package train, and writes the checkpoint and
// the method's own artefacts into the run's folder.
package sweeprun
