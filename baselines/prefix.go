package baselines

import (
	"fmt"
	"math/rand/v2"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// SlotTable is a model.RowsHook that replaces the slot rows of a hidden-state matrix
// x [B*T, d] by trainable vectors: row ctx.Batch.Slots[i] becomes row
// ctx.Batch.SlotIDs[i] of Vectors [l_p + l_i, d]. A batch without slots (a decoding step
// after the prompt) passes through unchanged.
type SlotTable struct {
	Vectors *nn.Tensor
}

// Forward returns x with its slot rows replaced.
func (s *SlotTable) Forward(t *nn.Tape, x *nn.Tensor, ctx *model.Context) *nn.Tensor {
	b := ctx.Batch
	if b == nil || len(b.Slots) == 0 {
		return x
	}
	if len(b.SlotIDs) != len(b.Slots) {
		panic(fmt.Sprintf("baselines: %s: batch has %d slots but %d slot ids", s.Vectors.Name, len(b.Slots), len(b.SlotIDs)))
	}
	return t.SetRows(x, b.Slots, t.Embedding(s.Vectors, b.SlotIDs))
}

// prefix is the prefix_embed and prefix_layer method.
type prefix struct {
	base
	everyLayer bool // prefix_layer: a table at the input of every block, not only the first
}

// Slots is the number of prefix and infix positions each input needs.
func (p *prefix) Slots() (prefixLen, infixLen int) { return p.spec.Prefix, p.spec.Infix }

// Apply freezes m and installs the slot tables: one in m.EmbedHooks (prefix_embed), or one
// for the input of each block (prefix_layer: the EmbedHook for block 0, then the OutHooks
// of blocks 0..L-2). The tables start from the model's own activations of random tokens
// drawn from seed (see the package doc).
func (p *prefix) Apply(m *model.Model, seed uint64) error {
	if err := p.begin(m); err != nil {
		return err
	}
	n := p.spec.Prefix + p.spec.Infix
	layers := 1
	if p.everyLayer {
		layers = len(m.Blocks)
	}
	init := blockInputs(m, randomTokens(seed, n, m.Cfg.Vocab), layers)
	tables := make([]*SlotTable, layers)
	for i := range tables {
		v := nn.NewParam(fmt.Sprintf("prefix.%d.weight", i), n, m.Cfg.DModel)
		copy(v.Data, init[i])
		tables[i] = &SlotTable{Vectors: v}
		p.train(v)
	}
	m.EmbedHooks = append(m.EmbedHooks, tables[0])
	for i, tab := range tables[1:] {
		blk := m.Blocks[i]
		blk.OutHooks = append(blk.OutHooks, tab)
	}
	return nil
}

// Merge returns tuner.ErrCannotMerge: slot vectors replace activations, they are no update
// of a weight.
func (p *prefix) Merge() error {
	return fmt.Errorf("baselines: %s: %w", p.spec.Label(), tuner.ErrCannotMerge)
}

// Unmerge returns tuner.ErrCannotMerge, like Merge.
func (p *prefix) Unmerge() error {
	return fmt.Errorf("baselines: %s: %w", p.spec.Label(), tuner.ErrCannotMerge)
}

// randomTokens draws n token ids uniformly from [0, vocab) with a generator seeded by seed.
func randomTokens(seed uint64, n, vocab int) []int32 {
	rng := rand.New(rand.NewPCG(seed, 0x707265666978)) // "prefix"
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(rng.IntN(vocab))
	}
	return ids
}

// blockInputs runs m (evaluation mode, its hooks as installed) on the single sequence ids
// and returns the inputs of its first `layers` blocks, each [len(ids), d] row-major: the
// embedded input, then the outputs of blocks 0..layers-2.
func blockInputs(m *model.Model, ids []int32, layers int) [][]float32 {
	rec := &recorder{}
	embedHooks := m.EmbedHooks
	m.EmbedHooks = append(embedHooks[:len(embedHooks):len(embedHooks)], rec)
	defer func() { m.EmbedHooks = embedHooks }()
	for _, blk := range m.Blocks[:layers-1] {
		outHooks := blk.OutHooks
		blk.OutHooks = append(outHooks[:len(outHooks):len(outHooks)], rec)
		defer func() { blk.OutHooks = outHooks }()
	}
	t := nn.NewTape(1)
	t.SetTrain(false)
	t.SetGrad(false)
	b := &model.Batch{IDs: ids, B: 1, T: len(ids)}
	m.Forward(t, b, &model.Context{Batch: b})
	return rec.states
}

// recorder is a RowsHook that keeps a copy of every matrix it sees.
type recorder struct{ states [][]float32 }

func (r *recorder) Forward(_ *nn.Tape, x *nn.Tensor, _ *model.Context) *nn.Tensor {
	r.states = append(r.states, append([]float32(nil), x.Data...))
	return x
}

func init() {
	registerPrefix(method.PrefixEmbed, 40, false)
	registerPrefix(method.PrefixLayer, 45, true)
}

// registerPrefix registers prefix_embed (one table at the input: d (l_p + l_i) parameters)
// or prefix_layer (one per block: L d (l_p + l_i)).
func registerPrefix(name string, order int, everyLayer bool) {
	slots := method.Key{Name: "prefix", Type: method.Int, Min: 0, Max: func(d method.Dims) int { return d.MaxLen - 1 }, MaxName: "max_len - 1", Doc: "prefix tokens l_p"}
	infix := slots
	infix.Name, infix.Doc = "infix", "infix tokens l_i"
	tuner.Register(method.Kind{Name: name, Order: order, Family: "prefix", Keys: []method.Key{slots, infix},
		Size: "prefix", Needs: []string{"prefix", "infix"},
		SizeRange: func(s method.Spec, d method.Dims) (lo, hi int) { return max(0, 1-s.Infix), d.MaxLen - 1 - s.Infix },
		Params: func(s method.Spec, d method.Dims) int {
			n := d.DModel * (s.Prefix + s.Infix)
			if everyLayer {
				n *= d.Layers
			}
			return n
		},
		Label: func(s method.Spec) string { return fmt.Sprintf("%s lp=%d li=%d", s.Name, s.Prefix, s.Infix) },
		Check: func(s method.Spec, d method.Dims) []method.Problem {
			var ps []method.Problem
			if s.Prefix+s.Infix == 0 {
				ps = append(ps, method.Problem{Key: "prefix", Msg: fmt.Sprintf("%s needs prefix >= 0, infix >= 0 and prefix+infix >= 1 (got %d, %d)", s.Name, s.Prefix, s.Infix)})
			}
			if s.Prefix+s.Infix >= d.MaxLen {
				ps = append(ps, method.Problem{Key: "infix", Msg: fmt.Sprintf("%s uses %d slots, at least max_len=%d", s.Name, s.Prefix+s.Infix, d.MaxLen)})
			}
			return ps
		},
	}, func(spec method.Spec) (tuner.Method, error) {
		if err := spec.Validate(method.AnyModel); err != nil {
			return nil, fmt.Errorf("baselines: %w", err)
		}
		return &prefix{base: base{spec: spec}, everyLayer: everyLayer}, nil
	})
}
