package sweeprun

import (
	"context"
	"fmt"

	"loralab/datasets"
	"loralab/experiments"
	"loralab/model"
	"loralab/pretrain"
)

// Check implements experiments.Checker: before anything is pretrained, it loads the run's
// corpus and task (their rows are checked as they are read: a malformed one is reported
// with its file and line) and checks the task's kind against the architecture (a corpus is
// no fine-tuning task; classification and regression need an encoder, generation a
// decoder), and the method against a model of the run's shape with the task's head: its
// setting applies, and its slot positions leave room for text within max_len. A base read
// from a folder that records what it was pretrained on (pretrain.ReadProvenance) must not
// have read the held-out documents of the run's task: a task drawn from its corpus's source
// must be split with the data seed the corpus was (pretrain.Provenance.Leak).
func (e *Executor) Check(ctx context.Context, run experiments.RunSpec) []experiments.CheckProblem {
	var problems []experiments.CheckProblem
	add := func(part string, err error) {
		problems = append(problems, experiments.CheckProblem{Part: part, Err: err})
	}
	if run.Pretrain.Corpus != "" {
		if _, err := e.task(ctx, run.Pretrain.Corpus, experiments.Data{Seed: run.Data.Seed}); err != nil {
			add(experiments.PartCorpus, err)
		}
	}
	if run.Pretrain.From != "" {
		prov, ok, err := pretrain.ReadProvenance(run.Pretrain.From)
		switch {
		case err != nil:
			add(experiments.PartBase, err)
		case ok:
			if err := prov.Leak(run.Task, uint64(run.Data.Seed)); err != nil {
				add(experiments.PartTask, err)
			}
		}
	}
	task, err := e.task(ctx, run.Task, run.Data)
	if err != nil {
		add(experiments.PartTask, err)
		return problems
	}
	if err := kindFits(task, run.Model.Arch); err != nil {
		add(experiments.PartTask, err)
		return problems
	}
	if err := e.checkMethod(run, task); err != nil {
		add(experiments.PartMethod, err)
	}
	return problems
}

// kindFits says whether a model of the architecture can be fine-tuned on the task.
func kindFits(t *datasets.Task, arch string) error {
	switch t.Kind {
	case datasets.Corpus:
		return fmt.Errorf("is a corpus (documents for pretraining, no labels or targets), not a fine-tuning task: name it as model.pretraining.corpus")
	case datasets.Classification, datasets.Regression:
		if arch != model.Encoder {
			return fmt.Errorf("is a %s task and needs an encoder, the model is a %s", t.Kind, arch)
		}
	case datasets.Generation:
		if arch != model.Decoder {
			return fmt.Errorf("is a generation task and needs a decoder, the model is an %s", arch)
		}
	}
	return nil
}

// checkMethod applies the run's method to a model of its shape with the task's head, and
// checks that the slot positions it adds to every input leave room for text: a sequence
// holds the special tokens of its kind (classification and regression: cls, eos and a sep
// for pairs; generation: bos, sep, eos), the slots and at least one token of text.
func (e *Executor) checkMethod(run experiments.RunSpec, task *datasets.Task) error {
	m, err := model.NewModel(run.Model, uint64(run.Seed))
	if err != nil {
		return err
	}
	if err := addHead(m, task, uint64(run.Seed)); err != nil {
		return err
	}
	meth, err := e.NewMethod(run.Method)
	if err != nil {
		return err
	}
	if err := meth.Apply(m, uint64(run.Seed)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	prefix, infix := meth.Slots()
	special := 3 // bos, sep, eos; or cls, sep, eos for a pair
	if task.Kind != datasets.Generation && !hasPairs(task) {
		special = 2
	}
	if room := run.Model.MaxLen - special - prefix - infix; room < 1 {
		return fmt.Errorf("%d prefix and %d infix slots and %d special tokens leave %d positions for text in max_len %d, want at least 1",
			prefix, infix, special, room, run.Model.MaxLen)
	}
	return nil
}

// hasPairs says whether any example of the task is a text pair.
func hasPairs(t *datasets.Task) bool {
	for _, split := range [][]datasets.Example{t.Train, t.Validation, t.Test} {
		for _, ex := range split {
			if ex.Text2 != "" {
				return true
			}
		}
	}
	return false
}
