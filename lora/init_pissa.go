package lora

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"loralab/method"
	"loralab/model/target"
	"loralab/nn"
)

// InitPiSSA starts LoRA from the principal part of W (Meng et al., 2024, PiSSA): with the
// singular value decomposition W = U S Vᵀ and its r largest singular values,
//
//	B = U_r √(S_r/s),  A = √(S_r/s) V_rᵀ,  so that s·B·A = U_r S_r V_rᵀ,
//
// and the frozen residual W − s·B·A holds the other singular triplets. Dividing S_r by s is
// PEFT's convention (init_lora_weights "pissa"): the adapter holds the principal part
// whatever alpha is. Training then moves the directions that carry most of W.
const InitPiSSA = "pissa"

func init() {
	RegisterInit(InitPiSSA, func(d *Linear) error { return svdInit(d, false) })
}

// svdInit sets A [r, in] and B [out, r] of d from the r largest singular triplets of its
// layer's weight W [out, in] (bottom: the r smallest), B = U_r √(S_r/s) and A = √(S_r/s)
// V_rᵀ, and leaves the residual in place of W. gonum's SVD is deterministic and
// single-threaded; a singular vector's sign is arbitrary, but B·A does not depend on it.
func svdInit(d *Linear, bottom bool) error {
	w := d.Target.W
	out, in, r := w.Shape[0], w.Shape[1], d.A.Shape[0]
	if r > min(out, in) {
		return fmt.Errorf("rank %d exceeds the smaller side of W [%d, %d]", r, out, in)
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(out, in, widen(w.Data)), mat.SVDThin) {
		return fmt.Errorf("the SVD of W [%d, %d] did not converge", out, in)
	}
	values := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	first := 0
	if bottom {
		first = len(values) - r
	}
	for k := range r {
		root := math.Sqrt(values[first+k] / float64(d.Scale))
		for j := range in {
			d.A.Data[k*in+j] = float32(root * v.At(j, first+k))
		}
		for i := range out {
			d.B.Data[i*r+k] = float32(root * u.At(i, first+k))
		}
	}
	keepResidual(d)
	return nil
}

// keepResidual replaces the layer's weight by W − s·B·A, on a copy of its values, so that a
// model sharing them (model.Model.Share) keeps the base weight.
func keepResidual(d *Linear) {
	w := d.Target.W
	w.Data = slices.Clone(w.Data)
	nn.MatMulAdd(w, -d.Scale, d.B, d.A, false, false)
}

// widen copies float32 values into float64.
func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// checkInit reports a setting that an init from the base weight cannot serve: the token
// embedding is no target for it, and the rank must not exceed the smaller side of any
// adapted matrix (the SVD and QR have no more directions).
func checkInit(s method.Spec, d method.Dims) []method.Problem {
	if _, fromWeights := weightInit(s.Init); !fromWeights {
		return nil
	}
	var ps []method.Problem
	for _, name := range s.Targets {
		t, ok := target.Lookup(name)
		if !ok {
			continue
		}
		if !t.PerLayer {
			ps = append(ps, method.Problem{Key: "init", Msg: fmt.Sprintf("init %s applies to the Linear targets only, not %s", s.Init, name)})
			continue
		}
		in, out := t.Shape(d.DModel, d.DFF, d.Vocab)
		if s.Rank > min(in, out) {
			ps = append(ps, method.Problem{Key: "rank", Msg: fmt.Sprintf("rank %d exceeds the smaller side %d of target %s (init %s)", s.Rank, min(in, out), name, s.Init)})
		}
	}
	return ps
}
