package model

import (
	"math"
	"strconv"
)

// A float64 reference implementation of the Hugging Face GPT-2 and RoBERTa forward passes,
// written directly from the published tensor layouts, to check the importers and the model
// independently of package nn.

type matrix [][]float64

// hfTensor is one tensor of a test HF folder.
type hfTensor struct {
	shape []int
	data  []float32
}

func (t hfTensor) row(i int) []float64 {
	c := t.shape[len(t.shape)-1]
	out := make([]float64, c)
	for j := range c {
		out[j] = float64(t.data[i*c+j])
	}
	return out
}

// affine computes x W + b for W stored [in, out] (conv1D), or x W^T + b for W stored
// [out, in] (linearLayout is true, torch.nn.Linear).
func affine(x matrix, w, b hfTensor, linearLayout bool) matrix {
	in, out := w.shape[0], w.shape[1]
	if linearLayout {
		in, out = out, in
	}
	y := make(matrix, len(x))
	for r, xr := range x {
		y[r] = make([]float64, out)
		for o := range out {
			s := float64(b.data[o])
			for i := range in {
				wv := w.data[i*out+o]
				if linearLayout {
					wv = w.data[o*in+i]
				}
				s += xr[i] * float64(wv)
			}
			y[r][o] = s
		}
	}
	return y
}

func refLayerNorm(x matrix, g, b hfTensor, eps float64) matrix {
	y := make(matrix, len(x))
	for r, xr := range x {
		mean, v := 0.0, 0.0
		for _, a := range xr {
			mean += a
		}
		mean /= float64(len(xr))
		for _, a := range xr {
			v += (a - mean) * (a - mean)
		}
		v /= float64(len(xr))
		y[r] = make([]float64, len(xr))
		for j, a := range xr {
			y[r][j] = (a-mean)/math.Sqrt(v+eps)*float64(g.data[j]) + float64(b.data[j])
		}
	}
	return y
}

func refGELU(x matrix) matrix {
	for _, r := range x {
		for j, a := range r {
			r[j] = 0.5 * a * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(a+0.044715*a*a*a)))
		}
	}
	return x
}

func addInto(a, b matrix) matrix {
	for i := range a {
		for j := range a[i] {
			a[i][j] += b[i][j]
		}
	}
	return a
}

// refAttention is softmax(q k^T / sqrt(dh)) v per head over one sequence.
func refAttention(q, k, v matrix, heads int, causal bool) matrix {
	T, D := len(q), len(q[0])
	dh := D / heads
	out := make(matrix, T)
	for i := range out {
		out[i] = make([]float64, D)
	}
	for h := range heads {
		for i := range T {
			keys := T
			if causal {
				keys = i + 1
			}
			scores := make([]float64, keys)
			hi := math.Inf(-1)
			for j := range keys {
				for c := h * dh; c < (h+1)*dh; c++ {
					scores[j] += q[i][c] * k[j][c]
				}
				scores[j] /= math.Sqrt(float64(dh))
				hi = max(hi, scores[j])
			}
			sum := 0.0
			for j := range scores {
				scores[j] = math.Exp(scores[j] - hi)
				sum += scores[j]
			}
			for j := range scores {
				for c := h * dh; c < (h+1)*dh; c++ {
					out[i][c] += scores[j] / sum * v[j][c]
				}
			}
		}
	}
	return out
}

// refGPT2Logits runs HF GPT-2 (tensors named without prefix) on ids.
func refGPT2Logits(ts map[string]hfTensor, layers, heads int, eps float64, ids []int32) matrix {
	wte, wpe := ts["wte.weight"], ts["wpe.weight"]
	D := wte.shape[1]
	h := make(matrix, len(ids))
	for i, id := range ids {
		h[i] = wte.row(int(id))
		for j, p := range wpe.row(i) {
			h[i][j] += p
		}
	}
	p := func(l int, name string) hfTensor { return ts["h."+strconv.Itoa(l)+"."+name] }
	for l := range layers {
		a := refLayerNorm(h, p(l, "ln_1.weight"), p(l, "ln_1.bias"), eps)
		qkv := affine(a, p(l, "attn.c_attn.weight"), p(l, "attn.c_attn.bias"), false)
		q, k, v := make(matrix, len(ids)), make(matrix, len(ids)), make(matrix, len(ids))
		for i, r := range qkv {
			q[i], k[i], v[i] = r[:D], r[D:2*D], r[2*D:]
		}
		att := refAttention(q, k, v, heads, true)
		h = addInto(h, affine(att, p(l, "attn.c_proj.weight"), p(l, "attn.c_proj.bias"), false))
		m := refLayerNorm(h, p(l, "ln_2.weight"), p(l, "ln_2.bias"), eps)
		m = refGELU(affine(m, p(l, "mlp.c_fc.weight"), p(l, "mlp.c_fc.bias"), false))
		h = addInto(h, affine(m, p(l, "mlp.c_proj.weight"), p(l, "mlp.c_proj.bias"), false))
	}
	h = refLayerNorm(h, ts["ln_f.weight"], ts["ln_f.bias"], eps)
	V := wte.shape[0]
	logits := make(matrix, len(ids))
	for i := range h {
		logits[i] = make([]float64, V)
		for v := range V {
			for j, e := range wte.row(v) {
				logits[i][v] += h[i][j] * e
			}
		}
	}
	return logits
}

// refRoBERTa runs HF RoBERTa (tensors named without prefix) on ids and returns the final
// hidden states and, if the classifier is present, its logits.
func refRoBERTa(ts map[string]hfTensor, layers, heads int, eps float64, ids []int32) (matrix, []float64) {
	word, pos, typ := ts["embeddings.word_embeddings.weight"], ts["embeddings.position_embeddings.weight"], ts["embeddings.token_type_embeddings.weight"]
	h := make(matrix, len(ids))
	for i, id := range ids {
		h[i] = word.row(int(id))
		for j, p := range pos.row(i + 2) { // padding_idx 1 + 1
			h[i][j] += p + float64(typ.data[j])
		}
	}
	h = refLayerNorm(h, ts["embeddings.LayerNorm.weight"], ts["embeddings.LayerNorm.bias"], eps)
	for l := range layers {
		p := func(name string) hfTensor { return ts["encoder.layer."+strconv.Itoa(l)+"."+name] }
		lin := func(x matrix, name string) matrix { return affine(x, p(name+".weight"), p(name+".bias"), true) }
		att := refAttention(lin(h, "attention.self.query"), lin(h, "attention.self.key"), lin(h, "attention.self.value"), heads, false)
		h = refLayerNorm(addInto(lin(att, "attention.output.dense"), h), p("attention.output.LayerNorm.weight"), p("attention.output.LayerNorm.bias"), eps)
		m := lin(refGELU(lin(h, "intermediate.dense")), "output.dense")
		h = refLayerNorm(addInto(m, h), p("output.LayerNorm.weight"), p("output.LayerNorm.bias"), eps)
	}
	if _, ok := ts["classifier.dense.weight"]; !ok {
		return h, nil
	}
	x := affine(matrix{h[0]}, ts["classifier.dense.weight"], ts["classifier.dense.bias"], true)
	for j := range x[0] {
		x[0][j] = math.Tanh(x[0][j])
	}
	return h, affine(x, ts["classifier.out_proj.weight"], ts["classifier.out_proj.bias"], true)[0]
}
