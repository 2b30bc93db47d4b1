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
	o := t.record("Attention", attentionBackward, [3]*Tensor{q, k, v}, s.Batch*s.TQ, d)
	o.attn = s
	if s.KeyMask != nil {
		o.attn.KeyMask = t.bools.take(len(s.KeyMask))
		copy(o.attn.KeyMask, s.KeyMask)
	}
	o.saved = t.floats.take(s.Batch * s.Heads * s.TQ * s.TK)
	o.partMM = t.partMatmuls()
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

func attentionForward(o *op, part, lo, hi int) {
	q, k, v, s := o.in[0], o.in[1], o.in[2], o.attn
	d := q.Shape[1]
	dh := d / s.Heads
	scale := float32(1 / math.Sqrt(float64(dh)))
	mm := o.partMM[part]
	for u := lo; u < hi; u++ {
		hd := o.head(u)
		mm.Sgemm(false, true, s.TQ, s.TK, dh, scale, q.Data[hd.qOff:], d, k.Data[hd.kOff:], d, 0, hd.p, s.TK)
		for i := range s.TQ {
			limit, padding := o.visibleKeys(hd.b, i)
			softmaxVisible(hd.p[i*s.TK:(i+1)*s.TK], limit, padding)
		}
		mm.Sgemm(false, false, s.TQ, dh, s.TK, 1, hd.p, s.TK, v.Data[hd.kOff:], d, 0, o.out.Data[hd.qOff:], d)
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

// softmaxVisible replaces the scores of one query row by their softmax over the keys
// before limit that padding does not hide; hidden keys get exactly 0, and a row with no
// visible key is all zeros.
func softmaxVisible(row []float32, limit int, padding []bool) {
	hidden := func(j int) bool { return j >= limit || (padding != nil && padding[j]) }
	mx := float32(math.Inf(-1))
	for j, v := range row {
		if !hidden(j) && v > mx {
			mx = v
		}
	}
	if math.IsInf(float64(mx), -1) {
		clear(row)
		return
	}
	var sum float64
	for j, v := range row {
		if hidden(j) {
			row[j] = 0
			continue
		}
		e := math.Exp(float64(v - mx))
		row[j] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for j := range row {
		row[j] *= inv
	}
}

func attentionBackward(t *Tape, o *op) {
	s := o.attn
	if needsGrad(o.in[0]) || needsGrad(o.in[1]) {
		o.work = t.floats.take(t.threads * s.TQ * s.TK)
	}
	t.parallel(o, s.Batch*s.Heads, 1, attentionBackwardHeads)
}

func attentionBackwardHeads(o *op, part, lo, hi int) {
	q, k, v, s := o.in[0], o.in[1], o.in[2], o.attn
	d := q.Shape[1]
	dh := d / s.Heads
	scale := float32(1 / math.Sqrt(float64(dh)))
	dO, mm := o.out.Grad, o.partMM[part]
	for u := lo; u < hi; u++ {
		hd := o.head(u)
		if needsGrad(v) {
			mm.Sgemm(true, false, s.TK, dh, s.TQ, 1, hd.p, s.TK, dO[hd.qOff:], d, 1, v.Grad[hd.kOff:], d)
		}
		if !needsGrad(q) && !needsGrad(k) {
			continue
		}
		dS := o.work[part*s.TQ*s.TK : (part+1)*s.TQ*s.TK]
		mm.Sgemm(false, true, s.TQ, s.TK, dh, 1, dO[hd.qOff:], d, v.Data[hd.kOff:], d, 0, dS, s.TK)
		for i := range s.TQ {
			softmaxBackward(dS[i*s.TK:(i+1)*s.TK], hd.p[i*s.TK:(i+1)*s.TK])
		}
		if needsGrad(q) {
			mm.Sgemm(false, false, s.TQ, dh, s.TK, scale, dS, s.TK, k.Data[hd.kOff:], d, 1, q.Grad[hd.qOff:], d)
		}
		if needsGrad(k) {
			mm.Sgemm(true, false, s.TK, dh, s.TQ, scale, dS, s.TK, q.Data[hd.qOff:], d, 1, k.Grad[hd.kOff:], d)
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
