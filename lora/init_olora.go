package lora

import "gonum.org/v1/gonum/mat"

// InitOLoRA starts LoRA from an orthonormal basis of W's column space (Büyükakyüz, 2024,
// OLoRA): with the QR decomposition W = Q R, B = Q_r (the first r columns, orthonormal) and
// A = Q_rᵀ W (the first r rows of R), the residual W − s·B·A frozen. As in PEFT
// (init_lora_weights "olora"), the factors are not divided by s.
//
// gonum factorises matrices with at least as many rows as columns; a wide W [out < in] is
// factorised through its first out columns, whose Q spans the same space when they have
// full rank, and A = Q_rᵀ W is then the first r rows of an R with W = Q R.
const InitOLoRA = "olora"

func init() {
	registerFactorInit(InitOLoRA, func(w []float32, out, in, r int, _ float32) (a, b []float32) {
		wd := mat.NewDense(out, in, widen(w))
		var qr mat.QR
		qr.Factorize(wd.Slice(0, out, 0, min(out, in)))
		var q mat.Dense
		qr.QTo(&q)
		qr1 := q.Slice(0, out, 0, r)
		var ad mat.Dense
		ad.Mul(qr1.T(), wd)
		a, b = make([]float32, r*in), make([]float32, out*r)
		for k := range r {
			for j := range in {
				a[k*in+j] = float32(ad.At(k, j))
			}
			for i := range out {
				b[i*r+k] = float32(qr1.At(i, k))
			}
		}
		return a, b
	})
}
