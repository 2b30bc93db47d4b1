package baselines

import (
	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// HeadOnly is the linear probe: the whole base model stays frozen and only the task head,
// which the trainer owns and trains at train.head_lr, learns. It adds and trains no tensor of
// its own (paper count 0), so it is the control row of a classification table: what the
// frozen pretrained features give a classifier, the floor every method that adapts the base
// has to clear. On a decoder, which has no task head (the LM head is tied to the token
// embedding), nothing trains and the run evaluates the base model as it is. Merge has nothing
// to fold. There is no PEFT export: PEFT has no adapter type for "no adapter", and the
// checkpoint holds only the head.
const HeadOnly = "head_only"

func init() {
	noTensors := func(*model.Model) []*nn.Tensor { return nil }
	tuner.Register(method.Kind{Name: HeadOnly, Order: 5, Params: func(method.Spec, method.Dims) int { return 0 }},
		newSubset(noTensors))
}
