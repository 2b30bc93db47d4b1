package lora

import (
	"loralab/method"
	"loralab/nn"
)

// keyLRRatio is LoRA+'s key (Hayou et al., 2024): B trains at lr_ratio times A's learning
// rate. The paper's argument is that with B starting at zero and A random, equal rates
// leave B's update too small in wide layers; it recommends a ratio around 16. 0 (unset)
// means 1, plain LoRA. PEFT has no adapter_config field for it (it is an optimizer setting,
// peft.optimizers.create_loraplus_optimizer), so the PEFT export does not record it.
var keyLRRatio = method.Key{Name: "lr_ratio", Type: method.Float, Doc: "LoRA+: B's learning rate over A's (0 = 1)"}

func init() { method.AddKeys(method.LoRA, keyLRRatio) }

// lrRatio is the setting's B/A learning-rate ratio, 1 when unset.
func lrRatio(s method.Spec) float32 {
	if r := s.Opts[keyLRRatio.Name]; r > 0 {
		return float32(r)
	}
	return 1
}

// LRScale is the factor of t's learning rate (tuner.LRScaler): the setting's lr_ratio for
// every B, the embedding's included, and 1 for every A.
func (l *LoRA) LRScale(t *nn.Tensor) float32 {
	if l.emb != nil && t == l.emb.B {
		return lrRatio(l.spec)
	}
	for _, d := range l.linears {
		if t == d.B {
			return lrRatio(l.spec)
		}
	}
	return 1
}
