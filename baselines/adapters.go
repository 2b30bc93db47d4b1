package baselines

import (
	"fmt"
	"math/rand/v2"

	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// adapterLayout is where a variant puts its adapters, what they compute and which
// LayerNorms it trains.
type adapterLayout struct {
	afterAttn   bool // an adapter on the attention output, before its residual add (Block.AfterAttn)
	afterMLP    bool // an adapter on the MLP output, before its residual add (Block.AfterMLP)
	afterBlock  bool // an adapter on the block output, after the MLP's residual add (Block.OutHooks)
	ownNorm     bool // each adapter has a trainable LayerNorm on its input
	relu        bool // the adapters' nonlinearity is ReLU whatever the model's
	blockNorms  bool // the block's LN1 and LN2 train
	skipLowestK bool // no adapters (and frozen norms) in the lowest Spec.DropK blocks
}

// perBlock is the number of adapters and of trainable LayerNorms the layout puts in a
// block that has adapters.
func (l adapterLayout) perBlock() (adapters, norms int) {
	for _, site := range []bool{l.afterAttn, l.afterMLP, l.afterBlock} {
		if site {
			adapters++
		}
	}
	if l.ownNorm {
		norms += adapters
	}
	if l.blockNorms {
		norms += 2
	}
	return adapters, norms
}

// adapters is the adapter_h, adapter_l, adapter_p and adapter_d method.
type adapters struct {
	base
	layout adapterLayout
}

// Apply freezes m and installs the adapters of the layout in its blocks, initialised from
// seed, and unfreezes the block LayerNorms the layout trains. Trainable lists, block by
// block, the attention adapter, the MLP adapter, the block-output adapter, then LN1 and
// LN2.
func (a *adapters) Apply(m *model.Model, seed uint64) error {
	if err := a.begin(m); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0x61646170746572)) // "adapter"
	first := 0
	if a.layout.skipLowestK {
		first = a.spec.DropK
	}
	for _, blk := range m.Blocks[first:] {
		if a.layout.afterAttn {
			blk.AfterAttn = append(blk.AfterAttn, a.newAdapter(m.Cfg, blk, "adapter_attn", rng))
		}
		if a.layout.afterMLP {
			blk.AfterMLP = append(blk.AfterMLP, a.newAdapter(m.Cfg, blk, "adapter_mlp", rng))
		}
		if a.layout.afterBlock {
			blk.OutHooks = append(blk.OutHooks, a.newAdapter(m.Cfg, blk, "adapter_out", rng))
		}
		if a.layout.blockNorms {
			a.train(blk.LN1.G, blk.LN1.B, blk.LN2.G, blk.LN2.B)
		}
	}
	return nil
}

// newAdapter builds the layout's adapter named site in blk, drawing its initial weights
// from rng, and trains its tensors.
func (a *adapters) newAdapter(cfg model.Config, blk *model.Block, site string, rng *rand.Rand) *Adapter {
	ad := newAdapter(fmt.Sprintf("blocks.%d.%s", blk.Index, site), cfg, a.spec.Size, a.layout.ownNorm, a.layout.relu, rng)
	a.train(ad.Params()...)
	return ad
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

// The adapter variants (see the package documentation for their sources), as the paper
// counts them: L_adpt (2dr + r + d) + 2 L_LN d.
func init() {
	registerAdapter(method.AdapterH, 50, adapterLayout{afterAttn: true, afterMLP: true, blockNorms: true}) // L_adpt = L_LN = 2L
	registerAdapter(method.AdapterL, 60, adapterLayout{afterBlock: true, ownNorm: true, relu: true})       // L_adpt = L_LN = L
	registerAdapter(method.AdapterP, 70, adapterLayout{afterBlock: true, relu: true})                      // L_adpt = L, L_LN = 0
	registerAdapter(method.AdapterD, 80, adapterLayout{afterAttn: true, afterMLP: true, blockNorms: true, skipLowestK: true})
}

// registerAdapter registers one adapter variant: its keys (size, and drop_k for the variant
// that skips blocks), its count and its constructor.
func registerAdapter(name string, order int, layout adapterLayout) {
	k := method.Kind{Name: name, Order: order, Family: "adapter", Keys: []method.Key{method.KeySize}, Size: "size",
		Params: func(s method.Spec, d method.Dims) int {
			blocks := d.Layers
			if layout.skipLowestK {
				blocks -= s.DropK
			}
			adapters, norms := layout.perBlock()
			return blocks * (adapters*(2*d.DModel*s.Size+s.Size+d.DModel) + 2*norms*d.DModel)
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
