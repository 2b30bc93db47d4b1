package train

import (
	"loralab/baselines"
	"loralab/lora"
	"loralab/method"
)

// NewMethod builds the method a setting names: LoRA from package lora, every baseline from
// package baselines.
func NewMethod(s method.Spec) (method.Method, error) {
	if s.Name == method.LoRA {
		return lora.NewMethod(s)
	}
	return baselines.New(s)
}
