package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"loralab/nn"
)

// Model is an encoder or decoder transformer. Its exported fields are the extension points
// of the fine-tuning methods: they add Deltas to Linears, hooks to Blocks and EmbedHooks, and
// freeze or unfreeze tensors.
type Model struct {
	Cfg    Config
	TokEmb *nn.Tensor // [Vocab, D]; also the decoder's output projection (tied)
	PosEmb *nn.Tensor // [MaxLen, D], learned absolute positions
	Blocks []*Block
	LNEmb  *LayerNorm // encoder only: LayerNorm after the embeddings (post-LN, like RoBERTa)
	LNF    *LayerNorm // decoder only: final LayerNorm (pre-LN, like GPT-2)
	Head   *Head      // encoder with NumLabels > 0 only
	// EmbedHooks run, in order, on the embedded input [B*T, D] (token + position, after
	// LNEmb for the encoder) before the first block.
	EmbedHooks []RowsHook
	// Origin is the Hugging Face checkpoint the model was imported from; nil for a model
	// built or pretrained by loralab.
	Origin *Origin
}

// Block is one transformer layer: multi-head self-attention with projections Q, K, V, O and
// an MLP FC1 -> activation -> FC2, each sublayer with a residual connection and a LayerNorm
// (before the sublayer in the decoder, after the residual add in the encoder).
type Block struct {
	Index      int
	LN1, LN2   *LayerNorm
	Q, K, V, O *Linear
	FC1, FC2   *Linear
	AfterAttn  []SublayerHook // on the attention output after O, before the residual add
	AfterMLP   []SublayerHook // on the MLP output after FC2, before the residual add
	OutHooks   []RowsHook     // on the block output
}

// Head is the encoder's classification head, like RoBERTa's: on the first token's final
// hidden state h, logits = Out(tanh(Dense(h))).
type Head struct {
	Dense *Linear // D -> D
	Out   *Linear // D -> NumLabels
}

// NewModel returns a model of shape cfg with GPT-2-style initialisation drawn from seed:
// weights and embeddings N(0, 0.02), the residual output projections O and FC2 N(0,
// 0.02/sqrt(2 L)), biases 0, LayerNorm gains 1.
func NewModel(cfg Config, seed uint64) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := newZeroModel(cfg)
	rng := rand.New(rand.NewPCG(seed, 0x6c6f72616c6162)) // "loralab"
	normal := func(t *nn.Tensor, std float64) {
		for i := range t.Data {
			t.Data[i] = float32(rng.NormFloat64() * std)
		}
	}
	const std = 0.02
	resid := std / math.Sqrt(2*float64(cfg.Layers))
	normal(m.TokEmb, std)
	normal(m.PosEmb, std)
	for _, b := range m.Blocks {
		normal(b.Q.W, std)
		normal(b.K.W, std)
		normal(b.V.W, std)
		normal(b.O.W, resid)
		normal(b.FC1.W, std)
		normal(b.FC2.W, resid)
	}
	if m.Head != nil {
		normal(m.Head.Dense.W, std)
		normal(m.Head.Out.W, std)
	}
	return m, nil
}

// newZeroModel allocates every tensor of a cfg-shaped model, named, with zero weights,
// LayerNorm gains 1, all trainable.
func newZeroModel(cfg Config) *Model {
	d := cfg.DModel
	m := &Model{
		Cfg:    cfg,
		TokEmb: nn.NewParam("tok_emb.weight", cfg.Vocab, d),
		PosEmb: nn.NewParam("pos_emb.weight", cfg.MaxLen, d),
	}
	for i := range cfg.Layers {
		p := fmt.Sprintf("blocks.%d.", i)
		m.Blocks = append(m.Blocks, &Block{
			Index: i,
			LN1:   newLayerNorm(p+"ln1", d),
			LN2:   newLayerNorm(p+"ln2", d),
			Q:     newLinear(p+"attn.q", d, d, true),
			K:     newLinear(p+"attn.k", d, d, true),
			V:     newLinear(p+"attn.v", d, d, true),
			O:     newLinear(p+"attn.o", d, d, true),
			FC1:   newLinear(p+"mlp.fc1", d, cfg.DFF, true),
			FC2:   newLinear(p+"mlp.fc2", cfg.DFF, d, true),
		})
	}
	if cfg.Arch == Encoder {
		m.LNEmb = newLayerNorm("ln_emb", d)
		if cfg.NumLabels > 0 {
			m.Head = &Head{Dense: newLinear("head.dense", d, d, true), Out: newLinear("head.out", d, cfg.NumLabels, true)}
		}
	} else {
		m.LNF = newLayerNorm("ln_f", d)
	}
	return m
}

// Linears returns every Linear of the model in a fixed order (blocks in order, each as Q, K,
// V, O, FC1, FC2; then the head's Dense and Out). Methods select their targets by Name.
func (m *Model) Linears() []*Linear {
	var ls []*Linear
	for _, b := range m.Blocks {
		ls = append(ls, b.Q, b.K, b.V, b.O, b.FC1, b.FC2)
	}
	if m.Head != nil {
		ls = append(ls, m.Head.Dense, m.Head.Out)
	}
	return ls
}

// Params returns every base tensor of the model in a fixed order, each named as in a
// checkpoint: tok_emb.weight, pos_emb.weight, ln_emb.*, blocks.i.{ln1, attn.q, attn.k,
// attn.v, attn.o, ln2, mlp.fc1, mlp.fc2}.{weight, bias}, ln_f.*, head.{dense, out}.*.
// Tensors that methods add (LoRA matrices, adapters, prefixes) are not included.
func (m *Model) Params() []*nn.Tensor {
	ps := []*nn.Tensor{m.TokEmb, m.PosEmb}
	if m.LNEmb != nil {
		ps = append(ps, m.LNEmb.params()...)
	}
	for _, b := range m.Blocks {
		ps = append(ps, b.LN1.params()...)
		for _, l := range []*Linear{b.Q, b.K, b.V, b.O} {
			ps = append(ps, l.params()...)
		}
		ps = append(ps, b.LN2.params()...)
		ps = append(ps, b.FC1.params()...)
		ps = append(ps, b.FC2.params()...)
	}
	if m.LNF != nil {
		ps = append(ps, m.LNF.params()...)
	}
	if m.Head != nil {
		ps = append(ps, m.Head.Dense.params()...)
		ps = append(ps, m.Head.Out.params()...)
	}
	return ps
}

// Param returns the base tensor with the given name, or nil.
func (m *Model) Param(name string) *nn.Tensor {
	for _, p := range m.Params() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Freeze makes every base tensor untrainable (and drops its gradient buffer), as the
// parameter-efficient methods start from.
func (m *Model) Freeze() {
	for _, p := range m.Params() {
		p.SetTrainable(false)
	}
}

// NumParams is the number of base parameters; NumTrainable counts those that are trainable.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params() {
		n += p.Len()
	}
	return n
}

// NumTrainable counts the base parameters that are trainable.
func (m *Model) NumTrainable() int {
	n := 0
	for _, p := range m.Params() {
		if p.Trainable {
			n += p.Len()
		}
	}
	return n
}

// Share returns a model with its own layers and tensor headers but m's tensor values (no
// copy), each tensor frozen, without m's Deltas or hooks: a method applied to the share
// changes the share's structure only, so several methods can run on one copy of the base
// weights. Writes to the values (training, merging) show in both; a caller that merges into
// a share gives the merged tensors their own values first.
func (m *Model) Share() *Model {
	c := &Model{Cfg: m.Cfg, TokEmb: shareTensor(m.TokEmb), PosEmb: shareTensor(m.PosEmb),
		LNEmb: m.LNEmb.share(), LNF: m.LNF.share(), Origin: copyOrigin(m.Origin)}
	for _, b := range m.Blocks {
		c.Blocks = append(c.Blocks, &Block{Index: b.Index, LN1: b.LN1.share(), LN2: b.LN2.share(),
			Q: b.Q.share(), K: b.K.share(), V: b.V.share(), O: b.O.share(), FC1: b.FC1.share(), FC2: b.FC2.share()})
	}
	if m.Head != nil {
		c.Head = &Head{Dense: m.Head.Dense.share(), Out: m.Head.Out.share()}
	}
	return c
}

// shareTensor returns a frozen tensor header over t's values, or nil for nil.
func shareTensor(t *nn.Tensor) *nn.Tensor {
	if t == nil {
		return nil
	}
	return &nn.Tensor{Name: t.Name, Shape: slices.Clone(t.Shape), Data: t.Data}
}

// Clone returns a deep copy of the base model: weights and trainability. Deltas and hooks are
// not copied; they belong to the method that installed them.
func (m *Model) Clone() *Model {
	c := newZeroModel(m.Cfg)
	c.Origin = copyOrigin(m.Origin)
	src := m.Params()
	for i, p := range c.Params() {
		copy(p.Data, src[i].Data)
		p.SetTrainable(src[i].Trainable)
	}
	return c
}
