package baselines

import (
	"fmt"
	"math/rand/v2"

	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// adapterLayout is where a variant puts its adapters and which LayerNorms it trains.
type adapterLayout struct {
	afterAttn   bool // an adapter after the attention output projection (Block.AfterAttn)
	afterMLP    bool // an adapter after the MLP (Block.AfterMLP)
	ownNorm     bool // each adapter has a trainable LayerNorm on its input
	blockNorms  bool // the block's LN1 and LN2 train
	skipLowestK bool // no adapters (and frozen norms) in the lowest Spec.DropK blocks
}

// adapters is the adapter_h, adapter_l, adapter_p and adapter_d method.
type adapters struct {
	base
	layout adapterLayout
}

// Apply freezes m and installs the adapters of the layout in its blocks, initialised from
// seed, and unfreezes the block LayerNorms the layout trains. Trainable lists, block by
// block, the attention adapter, the MLP adapter, then LN1 and LN2.
func (a *adapters) Apply(m *model.Model, seed uint64) error {
	if err := a.begin(m); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0x61646170746572)) // "adapter"
	r := a.spec.Size
	first := 0
	if a.layout.skipLowestK {
		first = a.spec.DropK
	}
	for _, blk := range m.Blocks[first:] {
		prefix := fmt.Sprintf("blocks.%d.", blk.Index)
		if a.layout.afterAttn {
			ad := newAdapter(prefix+"adapter_attn", m.Cfg, r, a.layout.ownNorm, rng)
			blk.AfterAttn = append(blk.AfterAttn, ad)
			a.train(ad.Params()...)
		}
		if a.layout.afterMLP {
			ad := newAdapter(prefix+"adapter_mlp", m.Cfg, r, a.layout.ownNorm, rng)
			blk.AfterMLP = append(blk.AfterMLP, ad)
			a.train(ad.Params()...)
		}
		if a.layout.blockNorms {
			a.train(blk.LN1.G, blk.LN1.B, blk.LN2.G, blk.LN2.B)
		}
	}
	return nil
}

// Merge returns tuner.ErrCannotMerge: an adapter's nonlinearity keeps it out of the base
// weights.
func (a *adapters) Merge() error {
	return fmt.Errorf("baselines: %s: %w", a.spec.Label(), tuner.ErrCannotMerge)
}

// Unmerge returns tuner.ErrCannotMerge, like Merge.
func (a *adapters) Unmerge() error {
	return fmt.Errorf("baselines: %s: %w", a.spec.Label(), tuner.ErrCannotMerge)
}

// The adapter variants, as the paper counts them: L_adpt (2dr + r + d) + 2 L_LN d.
func init() {
	registerAdapter(method.AdapterH, 50, adapterLayout{afterAttn: true, afterMLP: true, blockNorms: true}) // L_adpt = L_LN = 2L
	registerAdapter(method.AdapterL, 60, adapterLayout{afterMLP: true, ownNorm: true})                     // L_adpt = L_LN = L
	registerAdapter(method.AdapterP, 70, adapterLayout{afterMLP: true})                                    // L_adpt = L, L_LN = 0
	registerAdapter(method.AdapterD, 80, adapterLayout{afterAttn: true, afterMLP: true, blockNorms: true, skipLowestK: true})
}

// registerAdapter registers one adapter variant: its keys (size, and drop_k for the variant
// that skips blocks), its count and its constructor.
func registerAdapter(name string, order int, layout adapterLayout) {
	k := method.Kind{Name: name, Order: order, Family: "adapter", Keys: []method.Key{method.KeySize}, Size: "size",
		Params: func(s method.Spec, d method.Dims) int {
			perBlock := 1 // adapters (and trained LayerNorms) per block
			if layout.afterAttn {
				perBlock = 2
			}
			blocks := d.Layers
			if layout.skipLowestK {
				blocks -= s.DropK
			}
			norms := 0
			if layout.blockNorms || layout.ownNorm {
				norms = perBlock * blocks
			}
			return perBlock*blocks*(2*d.DModel*s.Size+s.Size+d.DModel) + 2*norms*d.DModel
		},
		Label: func(s method.Spec) string { return fmt.Sprintf("%s r=%d", s.Name, s.Size) },
	}
	if layout.skipLowestK {
		k.Keys = append(k.Keys, method.Key{Name: "drop_k", Type: method.Int, Min: 0,
			Max: func(d method.Dims) int { return d.Layers - 1 }, MaxName: "layers - 1", Doc: "lowest blocks without adapters"})
		k.Label = func(s method.Spec) string { return fmt.Sprintf("%s r=%d drop=%d", s.Name, s.Size, s.DropK) }
	}
	tuner.Register(k, func(spec method.Spec) (tuner.Method, error) {
		if err := spec.Validate(method.AnyModel); err != nil {
			return nil, fmt.Errorf("baselines: %w", err)
		}
		return &adapters{base: base{spec: spec}, layout: layout}, nil
	})
}
