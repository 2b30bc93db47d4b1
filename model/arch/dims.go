package arch

import "loralab/method"

// DimsOf reads the dimensions the paper's formulas need from a model configuration.
func DimsOf(c Config) method.Dims {
	return method.Dims{Arch: c.Arch, Vocab: c.Vocab, DModel: c.DModel, Layers: c.Layers, DFF: c.DFF,
		MaxLen: c.MaxLen, NumLabels: c.NumLabels}
}
