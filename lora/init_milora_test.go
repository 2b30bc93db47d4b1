package lora

import "testing"

// TestInitMiLoRA: s·B·A carries W's r smallest singular values and the residual the others.
func TestInitMiLoRA(t *testing.T) {
	w0, linears := checkFactorInit(t, InitMiLoRA)
	checkSpectrumSplit(t, w0, linears, true)
}
