package train

import (
	"slices"

	"loralab/nn"
	"loralab/tuner"
)

// lrScale is a tensor's learning rate as a multiple of the method's (Config.LR): the task
// head trains at Config.HeadLR, the same for every method of a study, so that the head,
// which every method trains, is not what differs between them. The method's own tensors
// train at the multiple it asks for (tuner.LRScale: LoRA+ trains B faster than A).
func (tr *trainer) lrScale(t *nn.Tensor) float32 {
	if slices.Contains(tuner.HeadParams(tr.Model), t) {
		return tr.Cfg.headLRScale()
	}
	return tuner.LRScale(tr.Method, t)
}
