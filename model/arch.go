package model

import "loralab/model/arch"

// Config fixes the shape of a transformer (see package model/arch, which holds it so that
// code that only reads configurations need not link the engine).
type Config = arch.Config

// Architectures (see arch.Encoder, arch.Decoder).
const (
	Encoder = arch.Encoder
	Decoder = arch.Decoder
)

// Preset returns the named model shape for arch with the given vocabulary size (see
// arch.Preset).
func Preset(name, architecture string, vocab int) (Config, error) {
	return arch.Preset(name, architecture, vocab)
}
