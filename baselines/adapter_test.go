package baselines

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"loralab/method"
	"loralab/model"
)

// TestAdapterSites checks where each variant puts its adapters and what they compute: per
// block, the adapters on the attention output, on the MLP output and on the block output,
// whether each has a LayerNorm of its own, and its nonlinearity (ReLU for adapter_l and
// adapter_p as in their sources; the model's own, GELU here, for adapter_h and adapter_d).
func TestAdapterSites(t *testing.T) {
	cases := []struct {
		spec           method.Spec
		attn, mlp, out int // adapters per block with adapters
		norm, relu     bool
	}{
		{method.Spec{Name: method.AdapterH, Size: 2}, 1, 1, 0, false, false},
		{method.Spec{Name: method.AdapterL, Size: 2}, 0, 0, 1, true, true},
		{method.Spec{Name: method.AdapterP, Size: 2}, 0, 0, 1, false, true},
		{method.Spec{Name: method.AdapterD, Size: 2, DropK: 1}, 1, 1, 0, false, false},
	}
	for _, s := range tinyShapes {
		for _, c := range cases {
			t.Run(s.String()+"/"+c.spec.Name, func(t *testing.T) {
				m := newRandomModel(t, s, 3)
				applied(t, c.spec, m, 5)
				for _, blk := range m.Blocks {
					attn, mlp, out := c.attn, c.mlp, c.out
					if blk.Index < c.spec.DropK {
						attn, mlp, out = 0, 0, 0
					}
					if len(blk.AfterAttn) != attn || len(blk.AfterMLP) != mlp || len(blk.OutHooks) != out {
						t.Fatalf("block %d: %d, %d, %d adapters after attention, MLP, block; want %d, %d, %d",
							blk.Index, len(blk.AfterAttn), len(blk.AfterMLP), len(blk.OutHooks), attn, mlp, out)
					}
					var hooks []any
					for _, h := range blk.AfterAttn {
						hooks = append(hooks, h)
					}
					for _, h := range blk.AfterMLP {
						hooks = append(hooks, h)
					}
					for _, h := range blk.OutHooks {
						hooks = append(hooks, h)
					}
					for _, h := range hooks {
						ad, ok := h.(*Adapter)
						if !ok {
							t.Fatalf("block %d: hook %T is not an adapter", blk.Index, h)
						}
						if (ad.Norm != nil) != c.norm || ad.relu != c.relu {
							t.Errorf("block %d: own LayerNorm %v, ReLU %v; want %v, %v", blk.Index, ad.Norm != nil, ad.relu, c.norm, c.relu)
						}
					}
				}
			})
		}
	}
}

// TestAdapterOnBlockOutput checks adapter_l and adapter_p against their definition,
// computed here in float64: with trained (random) tensors, every block's output y (after
// the MLP's residual add, and LN2 in the encoder) becomes y + W_up ReLU(W_down LN(y) +
// b_down) + b_up, LN being the adapter's own LayerNorm in adapter_l and absent in
// adapter_p. The output of block 0 before its adapter must equal the base model's, so the
// adapter reads the block output itself.
func TestAdapterOnBlockOutput(t *testing.T) {
	shapes := []shape{tinyShapes[0], tinyShapes[1], countShapes[0], countShapes[3]}
	for _, s := range shapes {
		for _, name := range []string{method.AdapterL, method.AdapterP} {
			t.Run(s.String()+"/"+name, func(t *testing.T) {
				base := newRandomModel(t, s, 3)
				m := base.Clone()
				meth := applied(t, method.Spec{Name: name, Size: 3}, m, 5)
				randomize(meth.Trainable(), 7)
				type probe struct {
					ad            *Adapter
					before, after *recorder
				}
				var probes []probe
				for _, blk := range m.Blocks {
					if len(blk.OutHooks) != 1 {
						t.Fatalf("block %d: %d hooks on the block output, want the adapter", blk.Index, len(blk.OutHooks))
					}
					ad := blk.OutHooks[0].(*Adapter)
					p := probe{ad, &recorder{}, &recorder{}}
					blk.OutHooks = []model.RowsHook{p.before, ad, p.after}
					probes = append(probes, p)
				}
				b := slotBatch(rand.New(rand.NewPCG(2, 2)), s.vocab, 2, 7, 0, 0, 2)
				outputs(m, b)

				plain := &recorder{}
				base.Blocks[0].OutHooks = []model.RowsHook{plain}
				outputs(base, b)
				if !slices.Equal(bits(probes[0].before.states[0]), bits(plain.states[0])) {
					t.Errorf("block 0: the adapter's input is not the block output")
				}
				for i, p := range probes {
					want := adapterReference(p.ad, p.before.states[0], float64(s.config().LNEps))
					for k, got := range p.after.states[0] {
						if math.Abs(float64(got)-want[k]) > 1e-5*(1+math.Abs(want[k])) {
							t.Fatalf("block %d, element %d: adapter output %.7g, definition %.7g", i, k, got, want[k])
						}
					}
				}
			})
		}
	}
}

// adapterReference computes y + W_up ReLU(W_down LN(y) + b_down) + b_up for every row of
// rows in float64, LN being ad's LayerNorm (mean and variance of the row, eps added to the
// variance) or none.
func adapterReference(ad *Adapter, rows []float32, eps float64) []float64 {
	d, r := ad.Down.W.Shape[1], ad.Down.W.Shape[0]
	out := make([]float64, len(rows))
	for n := range len(rows) / d {
		y := rows[n*d : (n+1)*d]
		x := make([]float64, d)
		for k, v := range y {
			x[k] = float64(v)
		}
		if ad.Norm != nil {
			var mean, sq float64
			for _, v := range x {
				mean += v
			}
			mean /= float64(d)
			for _, v := range x {
				sq += (v - mean) * (v - mean)
			}
			inv := 1 / math.Sqrt(sq/float64(d)+eps)
			for k, v := range x {
				x[k] = (v-mean)*inv*float64(ad.Norm.G.Data[k]) + float64(ad.Norm.B.Data[k])
			}
		}
		act := make([]float64, r)
		for j := range r {
			z := float64(ad.Down.B.Data[j])
			for k := range d {
				z += float64(ad.Down.W.Data[j*d+k]) * x[k]
			}
			act[j] = max(z, 0)
		}
		for i := range d {
			v := float64(y[i]) + float64(ad.Up.B.Data[i])
			for j := range r {
				v += float64(ad.Up.W.Data[i*r+j]) * act[j]
			}
			out[n*d+i] = v
		}
	}
	return out
}

// TestGenerateWithAdapters checks that the adapters work with the model's cached decoding:
// greedy model.Generate gives what a plain greedy loop gives that recomputes the whole
// sequence at every step, and the (trained) adapters change the continuation.
func TestGenerateWithAdapters(t *testing.T) {
	s := tinyShapes[1]
	prompts := [][]int32{{1, 6, 3, 7, 2}, {2, 8, 10, 9, 11, 4, 5}}
	for _, spec := range []method.Spec{{Name: method.AdapterH, Size: 3}, {Name: method.AdapterL, Size: 3}, {Name: method.AdapterP, Size: 3}} {
		t.Run(spec.Name, func(t *testing.T) {
			base := newRandomModel(t, s, 5)
			m := base.Clone()
			randomize(applied(t, spec, m, 5).Trainable(), 8)
			got, err := m.Generate(prompts, model.GenerateConfig{MaxNew: 4, EOS: -1})
			if err != nil {
				t.Fatal(err)
			}
			changed := false
			for i, p := range prompts {
				if want := greedyUncached(m, p, nil, nil, 4); !slices.Equal(got[i], want) {
					t.Errorf("prompt %d: Generate gives %v, uncached greedy %v", i, got[i], want)
				}
				changed = changed || !slices.Equal(got[i], greedyUncached(base, p, nil, nil, 4))
			}
			if !changed {
				t.Errorf("the adapters do not change the greedy continuations %v", got)
			}
		})
	}
}
