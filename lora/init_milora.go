package lora

// InitMiLoRA starts LoRA from the minor part of W (Wang et al., 2024, MiLoRA): PiSSA's split
// with the r smallest singular triplets instead of the largest, B = U_r √(S_r/s) and
// A = √(S_r/s) V_rᵀ, the residual W − s·B·A frozen. Training then moves the directions that
// carry least of W, leaving the principal ones (what pretraining learned most) in place.
// PEFT has no such init; the export names it "milora", which only loralab reads.
const InitMiLoRA = "milora"

func init() {
	RegisterInit(InitMiLoRA, func(d *Linear) error { return svdInit(d, true) })
}
