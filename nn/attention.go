package nn

import (
	"fmt"
	"math"
)

// AttnSpec describes one fused multi-head attention call.
type AttnSpec struct {
	Batch, Heads int
	// TQ and TK are the query and key/value lengths of each sequence (TK >= TQ when Causal).
	TQ, TK int
	// Causal lets query i, at absolute position TK-TQ+i, see keys 0..TK-TQ+i only.
	Causal bool
	// KeyMask, if not nil, has Batch*TK entries; true means the key is padding and no query
	// attends to it.
	KeyMask []bool
}

// Attention is fused multi-head scaled dot-product attention. q [B*TQ,D], k and v [B*TK,D]
// hold the heads side by side (head h is columns h·dh..(h+1)·dh, dh = D/Heads); for each
// sequence b and head h
//
//	P = softmax(Q Kᵀ/√dh + M),  O = P V,
//
// where M is -∞ at masked keys (causal and padding). A query row that sees no key gets
// P = 0 and O = 0. The (b,h) pairs run in parallel; P is kept for backward:
//
//	dV += Pᵀ dO,  dP = dO Vᵀ,  dS = P⊙(dP - rowsum(P⊙dP)),  dQ += dS K/√dh,  dK += dSᵀ Q/√dh.
func (t *Tape) Attention(q, k, v *Tensor, s AttnSpec) *Tensor {
	d := checkAttention(q, k, v, s)
	o := t.record("Attention", attentionBackward, [5]*Tensor{q, k, v}, s.Batch*s.TQ, d)
	o.attn = s
	if !s.Causal || s.TQ <= attnQueryBlock {
		// One query block per sequence and head: backward's products write each element
		// of dQ, dK and dV once, so stale ones are written (beta 0), not cleared and added.
		o.overwrites = 0b111
	}
	if s.KeyMask != nil {
		o.attn.KeyMask = t.bools.take(len(s.KeyMask))
		copy(o.attn.KeyMask, s.KeyMask)
	}
	o.saved = t.floats.take(s.Batch * s.Heads * s.TQ * s.TK)
	o.slotMM = t.slotMatmuls()
	t.parallel(o, s.Batch*s.Heads, 1, attentionForward)
	return o.out
}

// checkAttention panics unless q, k, v and s agree, and returns the model width D.
func checkAttention(q, k, v *Tensor, s AttnSpec) int {
	const name = "nn.Attention"
	need2D(name, "q", q)
	need2D(name, "k", k)
	need2D(name, "v", v)
	if s.Batch < 1 || s.Heads < 1 || s.TQ < 1 || s.TK < 1 {
		panic(fmt.Sprintf("%s: spec has Batch %d, Heads %d, TQ %d, TK %d; want all positive", name, s.Batch, s.Heads, s.TQ, s.TK))
	}
	d := q.Shape[1]
	if q.Shape[0] != s.Batch*s.TQ {
		panic(fmt.Sprintf("%s: q has shape %v but spec Batch*TQ = %d*%d", name, q.Shape, s.Batch, s.TQ))
	}
	for _, kv := range []struct {
		arg string
		x   *Tensor
	}{{"k", k}, {"v", v}} {
		if kv.x.Shape[0] != s.Batch*s.TK || kv.x.Shape[1] != d {
			panic(fmt.Sprintf("%s: q has shape %v but %s has shape %v; want %s [%d,%d] (Batch*TK = %d*%d)",
				name, q.Shape, kv.arg, kv.x.Shape, kv.arg, s.Batch*s.TK, d, s.Batch, s.TK))
		}
	}
	if d%s.Heads != 0 {
		panic(fmt.Sprintf("%s: q has shape %v, width not divisible by %d heads", name, q.Shape, s.Heads))
	}
	if s.Causal && s.TK < s.TQ {
		panic(fmt.Sprintf("%s: causal attention needs TK >= TQ, got TQ %d, TK %d", name, s.TQ, s.TK))
	}
	if s.KeyMask != nil && len(s.KeyMask) != s.Batch*s.TK {
		panic(fmt.Sprintf("%s: KeyMask has %d entries, want Batch*TK = %d*%d", name, len(s.KeyMask), s.Batch, s.TK))
	}
	return d
}

// head locates one (sequence, head) pair: its offsets into q and into k/v, and its slice
// of the saved probabilities.
type head struct {
	b, qOff, kOff int
	p             []float32
}

func (o *op) head(u int) head {
	s, d := o.attn, o.out.Shape[1]
	b, h := u/s.Heads, u%s.Heads
	dh := d / s.Heads
	return head{b: b, qOff: b*s.TQ*d + h*dh, kOff: b*s.TK*d + h*dh, p: o.saved[u*s.TQ*s.TK : (u+1)*s.TQ*s.TK]}
}

// attnQueryBlock is the number of query rows whose scores are computed together. Under a
// causal mask, the rows of a block see only the keys up to the block's last row, so the
// products skip the fully masked key columns to the right of it: with 128 positions and
// blocks of 32, 5/8 of the full score matrix is computed instead of all of it.
const attnQueryBlock = 32

// queryBlock returns the end of the query block that starts at row i0 and the number of
// keys its rows may see (the causal limit of its last row, or all TK).
func (o *op) queryBlock(i0 int) (i1, keys int) {
	s := o.attn
	if !s.Causal {
		return s.TQ, s.TK
	}
	i1 = min(i0+attnQueryBlock, s.TQ)
	return i1, s.TK - s.TQ + i1
}

func attentionForward(o *op, slot, lo, hi int) {
	q, k, v, s := o.in[0], o.in[1], o.in[2], o.attn
	d := q.Shape[1]
	dh := d / s.Heads
	scale := float32(1 / math.Sqrt(float64(dh)))
	mm := o.slotMM[slot]
	for u := lo; u < hi; u++ {
		hd := o.head(u)
		for i0 := 0; i0 < s.TQ; {
			i1, keys := o.queryBlock(i0)
			p, qi := hd.p[i0*s.TK:], hd.qOff+i0*d
			mm.Sgemm(false, true, i1-i0, keys, dh, scale, q.Data[qi:], d, k.Data[hd.kOff:], d, 0, p, s.TK)
			for i := i0; i < i1; i++ {
				limit, padding := o.visibleKeys(hd.b, i)
				row := hd.p[i*s.TK : i*s.TK+keys]
				softmaxVisible(row[:limit], padding)
				clear(row[limit:])
			}
			headMatmul(mm, false, i1-i0, dh, keys, 1, p, s.TK, v.Data[hd.kOff:], d, 0, o.out.Data[qi:], d)
			i0 = i1
		}
	}
}

// visibleKeys returns the number of keys query i may see under the causal rule (all TK when
// not causal) and the padding mask of sequence b's keys (nil when there is none).
func (o *op) visibleKeys(b, i int) (limit int, padding []bool) {
	s := o.attn
	limit = s.TK
	if s.Causal {
		limit = s.TK - s.TQ + i + 1
	}
	if s.KeyMask != nil {
		padding = s.KeyMask[b*s.TK : (b+1)*s.TK]
	}
	return limit, padding
}

// softmaxVisibleGo is the portable softmaxVisible: it replaces the scores of one query
// row, up to its causal limit, by their softmax over the keys that padding (if not nil)
// does not hide; hidden keys get exactly 0, and a row with no visible key is all zeros.
func softmaxVisibleGo(row []float32, padding []bool) {
	negInf := float32(math.Inf(-1))
	if padding != nil {
		for j := range row {
			if padding[j] {
				row[j] = negInf // exp gives exactly 0
			}
		}
	}
	mx := negInf
	for _, v := range row {
		if v > mx { // not the max builtin: its NaN rules cost a branch per element
			mx = v
		}
	}
	if mx == negInf {
		clear(row)
		return
	}
	inv := 1 / expSub(row, row, mx)
	scaleTo(row, inv, row)
}

func attentionBackward(t *Tape, o *op) {
	s := o.attn
	if needsGrad(o.in[0]) || needsGrad(o.in[1]) {
		o.work = t.scratch.take(t.threads * s.TQ * s.TK)
	}
	for k := range 3 {
		o.takeStale(k)
	}
	t.parallel(o, s.Batch*s.Heads, 1, attentionBackwardHeads)
}

// beta is the products' beta for input k's gradient: 0 where backward writes it (takeStale),
// 1 where it adds.
func (o *op) beta(k int) float32 {
	if o.setting(k) {
		return 0
	}
	return 1
}

// attentionBackwardHeads runs backward for (sequence, head) pairs [lo,hi), one query block
// at a time, over the keys the block sees; dK and dV sum the blocks in order.
func attentionBackwardHeads(o *op, slot, lo, hi int) {
	q, k, v, s := o.in[0], o.in[1], o.in[2], o.attn
	d := q.Shape[1]
	dh := d / s.Heads
	scale := float32(1 / math.Sqrt(float64(dh)))
	dO, mm := o.out.Grad, o.slotMM[slot]
	betaQ, betaK, betaV := o.beta(0), o.beta(1), o.beta(2)
	for u := lo; u < hi; u++ {
		hd := o.head(u)
		for i0 := 0; i0 < s.TQ; {
			i1, keys := o.queryBlock(i0)
			rows, p, qi := i1-i0, hd.p[i0*s.TK:], hd.qOff+i0*d
			if needsGrad(v) {
				headMatmul(mm, true, keys, dh, rows, 1, p, s.TK, dO[qi:], d, betaV, v.Grad[hd.kOff:], d)
			}
			if needsGrad(q) || needsGrad(k) {
				dS := o.work[slot*s.TQ*s.TK : (slot+1)*s.TQ*s.TK]
				mm.Sgemm(false, true, rows, keys, dh, 1, dO[qi:], d, v.Data[hd.kOff:], d, 0, dS, s.TK)
				i := 0
				for ; i+4 <= rows; i += 4 {
					softmaxBackward4(dS[i*s.TK:], p[i*s.TK:], s.TK, keys)
				}
				for ; i < rows; i++ {
					softmaxBackward(dS[i*s.TK:i*s.TK+keys], p[i*s.TK:i*s.TK+keys])
				}
				if needsGrad(q) {
					headMatmul(mm, false, rows, dh, keys, scale, dS, s.TK, k.Data[hd.kOff:], d, betaQ, q.Grad[qi:], d)
				}
				if needsGrad(k) {
					headMatmul(mm, true, keys, dh, rows, scale, dS, s.TK, q.Data[qi:], d, betaK, k.Grad[hd.kOff:], d)
				}
			}
			i0 = i1
		}
	}
}

// softmaxBackward turns dP, the gradient of one softmax output row p, into the gradient of
// its input in place: dS_j = p_j (dP_j - Σ_k p_k dP_k).
func softmaxBackward(dP, p []float32) {
	var dot float64
	for j, pj := range p {
		dot += float64(pj * dP[j])
	}
	r := float32(dot)
	for j, pj := range p {
		dP[j] = pj * (dP[j] - r)
	}
}

// softmaxBackward4 is softmaxBackward of four rows of n values, stride apart in dP and p,
// with their four dot products (each a chain of float64 additions in index order, as in
// softmaxBackward) computed side by side.
func softmaxBackward4(dP, p []float32, stride, n int) {
	p0, p1, p2, p3 := p[:n], p[stride:stride+n], p[2*stride:2*stride+n], p[3*stride:3*stride+n]
	d0, d1, d2, d3 := dP[:n], dP[stride:stride+n], dP[2*stride:2*stride+n], dP[3*stride:3*stride+n]
	var s0, s1, s2, s3 float64
	for j := range n {
		s0 += float64(p0[j] * d0[j])
		s1 += float64(p1[j] * d1[j])
		s2 += float64(p2[j] * d2[j])
		s3 += float64(p3[j] * d3[j])
	}
	for k, sum := range [4]float64{s0, s1, s2, s3} {
		r := float32(sum)
		pk, dk := p[k*stride:k*stride+n], dP[k*stride:k*stride+n]
		for j, pj := range pk {
			dk[j] = pj * (dk[j] - r)
		}
	}
}
