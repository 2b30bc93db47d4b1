package lora

import (
	"math"
	"testing"
)

// TestInitOLoRA: B's columns are orthonormal and B·A is the projection of W onto their span
// (B Bᵀ W), with s·B·A + residual = W (the contract's step-0 check).
func TestInitOLoRA(t *testing.T) {
	w0, linears := checkFactorInit(t, InitOLoRA)
	for i, d := range linears {
		out, in, r := d.Target.Out(), d.Target.In(), d.A.Shape[0]
		for p := range r {
			for q := range r {
				var dot float64
				for o := range out {
					dot += float64(d.B.Data[o*r+p]) * float64(d.B.Data[o*r+q])
				}
				if want := float64(boolInt(p == q)); math.Abs(dot-want) > 1e-5 {
					t.Errorf("%s: column %d · column %d of B = %.6g, want %g", d.Target.Name, p, q, dot, want)
				}
			}
		}
		for k := range r {
			for j := range in {
				var proj float64
				for o := range out {
					proj += float64(d.B.Data[o*r+k]) * float64(w0[i][o*in+j])
				}
				if got := float64(d.A.Data[k*in+j]); math.Abs(got-proj) > 1e-5 {
					t.Errorf("%s: A[%d,%d] = %.6g, want Bᵀ W = %.6g", d.Target.Name, k, j, got, proj)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
