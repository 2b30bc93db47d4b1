package lora

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// InitOLoRA starts LoRA from an orthonormal basis of W's column space (Büyükakyüz, 2024,
// OLoRA): with the QR decomposition W = Q R, B = Q_r (the first r columns, orthonormal) and
// A = Q_rᵀ W (the first r rows of R), the residual W − s·B·A frozen. As in PEFT
// (init_lora_weights "olora"), the factors are not divided by s.
//
// gonum factorises matrices with at least as many rows as columns; a wide W [out < in] is
// factorised through its first out columns, whose Q spans the same space when they have
// full rank, and A = Q_rᵀ W is then the first r rows of an R with W = Q R.
const InitOLoRA = "olora"

func init() { RegisterInit(InitOLoRA, oloraInit) }

// oloraInit sets B = Q_r and A = Q_rᵀ W for d and leaves the residual in place of W.
func oloraInit(d *Linear) error {
	w := d.Target.W
	out, in, r := w.Shape[0], w.Shape[1], d.A.Shape[0]
	if r > min(out, in) {
		return fmt.Errorf("rank %d exceeds the smaller side of W [%d, %d]", r, out, in)
	}
	wd := mat.NewDense(out, in, widen(w.Data))
	var qr mat.QR
	qr.Factorize(wd.Slice(0, out, 0, min(out, in)))
	var q, a mat.Dense
	qr.QTo(&q)
	qr1 := q.Slice(0, out, 0, r)
	a.Mul(qr1.T(), wd)
	for k := range r {
		for j := range in {
			d.A.Data[k*in+j] = float32(a.At(k, j))
		}
		for i := range out {
			d.B.Data[i*r+k] = float32(qr1.At(i, k))
		}
	}
	keepResidual(d)
	return nil
}
