package baselines

import (
	"fmt"
	"math/rand/v2"

	"loralab/method"
	"loralab/model"
)

// adapterLayout is where a variant puts its adapters and which LayerNorms it trains.
type adapterLayout struct {
	afterAttn   bool // an adapter after the attention output projection (Block.AfterAttn)
	afterMLP    bool // an adapter after the MLP (Block.AfterMLP)
	ownNorm     bool // each adapter has a trainable LayerNorm on its input
	blockNorms  bool // the block's LN1 and LN2 train
	skipLowestK bool // no adapters (and frozen norms) in the lowest Spec.DropK blocks
}

// adapterLayouts maps each adapter variant to its layout, as the paper counts them:
// L_adpt (2dr + r + d) + 2 L_LN d.
var adapterLayouts = map[string]adapterLayout{
	method.AdapterH: {afterAttn: true, afterMLP: true, blockNorms: true},                    // L_adpt = L_LN = 2L
	method.AdapterL: {afterMLP: true, ownNorm: true},                                        // L_adpt = L_LN = L
	method.AdapterP: {afterMLP: true},                                                       // L_adpt = L, L_LN = 0
	method.AdapterD: {afterAttn: true, afterMLP: true, blockNorms: true, skipLowestK: true}, // 2(L-k) each
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

// Merge returns method.ErrCannotMerge: an adapter's nonlinearity keeps it out of the base
// weights.
func (a *adapters) Merge() error {
	return fmt.Errorf("baselines: %s: %w", a.spec.Label(), method.ErrCannotMerge)
}

// Unmerge returns method.ErrCannotMerge, like Merge.
func (a *adapters) Unmerge() error {
	return fmt.Errorf("baselines: %s: %w", a.spec.Label(), method.ErrCannotMerge)
}
