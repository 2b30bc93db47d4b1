// Package sweeprun runs the runs of a sweep for experiments.Run: it builds (or finds in the
// cache) the pretrained base model a run needs, loads its task, gives the model the task's
// head, builds the run's method by name (tuner.New; this package links every method loralab
// ships, see package methods), fine-tunes it with package train, and writes the checkpoint and
// the method's own artefacts into the run's folder. With train.forgetting_tokens it also
// scores the model before and after training on the base's held-out pretraining windows:
// the corpus split of a base the sweep pretrains, or the model.HeldOutFile of a base read
// with model.from (a folder without one, such as a Hugging Face download, is not measured).
package sweeprun
