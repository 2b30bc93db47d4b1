package baselines

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// shape is a test model shape.
type shape struct {
	arch         string
	d, layers    int
	heads, dff   int
	vocab, maxLn int
	labels       int // encoder head outputs
}

func (s shape) String() string {
	return fmt.Sprintf("%s_d%d_L%d_ff%d", s.arch, s.d, s.layers, s.dff)
}

func (s shape) config() model.Config {
	return model.Config{Arch: s.arch, Vocab: s.vocab, DModel: s.d, Layers: s.layers, Heads: s.heads, DFF: s.dff,
		MaxLen: s.maxLn, Activation: "gelu", LNEps: 1e-5, NumLabels: s.labels}
}

// tinyShapes are small enough for finite differences through every method tensor.
var tinyShapes = []shape{
	{arch: model.Encoder, d: 8, layers: 2, heads: 2, dff: 16, vocab: 13, maxLn: 12, labels: 3},
	{arch: model.Decoder, d: 8, layers: 3, heads: 2, dff: 12, vocab: 13, maxLn: 12},
}

// newRandomModel returns a model of shape s whose every tensor, LayerNorms and biases
// included, is random, so that no gradient or output difference is trivially zero.
func newRandomModel(t *testing.T, s shape, seed uint64) *model.Model {
	t.Helper()
	m, err := model.NewModel(s.config(), seed)
	if err != nil {
		t.Fatal(err)
	}
	randomize(m.Params(), seed)
	return m
}

// applied builds spec's method and applies it to m with seed, failing the test on error.
func applied(t testing.TB, spec method.Spec, m *model.Model, seed uint64) tuner.Method {
	t.Helper()
	meth, err := tuner.New(spec)
	if err != nil {
		t.Fatalf("tuner.New(%s): %v", spec.Label(), err)
	}
	if err := meth.Apply(m, seed); err != nil {
		t.Fatalf("Apply(%s): %v", spec.Label(), err)
	}
	return meth
}

// randomize overwrites every tensor of ts with random values, N(0, 0.3²) for matrices and
// biases and N(1, 0.3²) for LayerNorm gains (the only vectors named *.weight), as if they
// had been trained.
func randomize(ts []*nn.Tensor, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	for _, p := range ts {
		base := 0.0
		if len(p.Shape) == 1 && strings.HasSuffix(p.Name, ".weight") {
			base = 1
		}
		for i := range p.Data {
			p.Data[i] = float32(base + 0.3*rng.NormFloat64())
		}
	}
}

// slotBatch returns B sequences of T random ids laid out as the trainer lays them: prefix
// slots at positions 1..lp, infix slots just before the last token. Sequence 1 ends with
// pad padding rows (after its infix slots are moved before the padding).
func slotBatch(rng *rand.Rand, vocab, B, T, lp, li, pad int) *model.Batch {
	b := &model.Batch{B: B, T: T, IDs: make([]int32, B*T)}
	for i := range b.IDs {
		b.IDs[i] = int32(rng.IntN(vocab))
	}
	if pad > 0 {
		b.Pad = make([]bool, B*T)
	}
	for s := range B {
		end := T // one past the last real token
		if s == 1 && pad > 0 {
			end = T - pad
			for i := end; i < T; i++ {
				b.Pad[s*T+i] = true
			}
		}
		for k := range lp {
			b.Slots = append(b.Slots, int32(s*T+1+k))
			b.SlotIDs = append(b.SlotIDs, int32(k))
		}
		for k := range li {
			b.Slots = append(b.Slots, int32(s*T+end-1-li+k))
			b.SlotIDs = append(b.SlotIDs, int32(lp+k))
		}
	}
	return b
}

// nextTokenTargets returns, for each row, the next token of its sequence, or -1 for the
// last row, rows before padding and slot rows (no loss predicts a placeholder).
func nextTokenTargets(b *model.Batch) []int32 {
	slot := map[int32]bool{}
	for _, r := range b.Slots {
		slot[r] = true
	}
	tg := make([]int32, len(b.IDs))
	for s := range b.B {
		for i := range b.T {
			r := s*b.T + i
			tg[r] = -1
			if i+1 < b.T && (b.Pad == nil || !b.Pad[r+1]) && !slot[int32(r+1)] {
				tg[r] = b.IDs[r+1]
			}
		}
	}
	return tg
}

// taskLoss is the loss a trainer would minimise: the head's cross-entropy for an encoder,
// the next-token cross-entropy for a decoder.
func taskLoss(tp *nn.Tape, m *model.Model, b *model.Batch, ctx *model.Context) *nn.Tensor {
	h := m.Forward(tp, b, ctx)
	if m.Cfg.Arch == model.Encoder {
		labels := make([]int32, b.B)
		for i := range labels {
			labels[i] = int32(i % m.Cfg.NumLabels)
		}
		return tp.CrossEntropy(m.HeadLogits(tp, h, b.B, b.T), labels, -1, 0)
	}
	return tp.CrossEntropy(m.LMLogits(tp, h), nextTokenTargets(b), -1, 0)
}

// outputs runs m in evaluation mode on b and returns a copy of what a task reads: the head
// logits (encoder) or the LM logits (decoder).
func outputs(m *model.Model, b *model.Batch) []float32 {
	tp := nn.NewTape(1)
	tp.SetTrain(false)
	tp.SetGrad(false)
	h := m.Forward(tp, b, &model.Context{Batch: b})
	var y *nn.Tensor
	if m.Cfg.Arch == model.Encoder {
		y = m.HeadLogits(tp, h, b.B, b.T)
	} else {
		y = m.LMLogits(tp, h)
	}
	return append([]float32(nil), y.Data...)
}

// allSpecs are one setting of every baseline that fits a model of layers blocks.
func allSpecs(layers int) []method.Spec {
	return []method.Spec{
		{Name: method.FT},
		{Name: method.FTTop2},
		{Name: method.BitFit},
		{Name: method.PrefixEmbed, Prefix: 2, Infix: 1},
		{Name: method.PrefixLayer, Prefix: 1, Infix: 2},
		{Name: method.AdapterH, Size: 3},
		{Name: method.AdapterL, Size: 2},
		{Name: method.AdapterP, Size: 4},
		{Name: method.AdapterD, Size: 2, DropK: layers - 1},
	}
}

// kinkMargin is how far from ReLU's kink awayFromKinks puts every pre-activation: beyond
// what a finite-difference step of gradcheck.Step moves one (a step times an input element
// of a few units).
const kinkMargin = 0.01

// awayFromKinks moves the down-projection bias of every ReLU adapter on a block output of
// m, block by block, so that on the forward pass loss builds no pre-activation lies within
// kinkMargin of zero: a central difference across ReLU's kink measures neither side's
// slope. Even units are made active on every row, so that the gradient reaches every
// adapter tensor whichever rows the loss reads; odd units get their threshold in the middle
// of the widest gap between their sorted pre-activations, so that they are off on some rows
// and the check covers ReLU's zero branch. It fails the test if that gap is too narrow.
func awayFromKinks(t *testing.T, m *model.Model, loss func(*nn.Tape) *nn.Tensor) {
	t.Helper()
	for _, blk := range m.Blocks {
		for k, hook := range blk.OutHooks {
			ad, ok := hook.(*Adapter)
			if !ok || !ad.relu {
				continue
			}
			rec := &recorder{}
			hooks := blk.OutHooks
			blk.OutHooks = slices.Insert(slices.Clone(hooks), k, model.RowsHook(rec))
			tp := nn.NewTape(1)
			tp.SetGrad(false)
			loss(tp)
			blk.OutHooks = hooks
			z := preActivations(tp, ad, rec.states[0])
			r := z.Shape[1]
			for j := range r {
				col := make([]float32, z.Shape[0])
				for i := range col {
					col[i] = z.Data[i*r+j]
				}
				slices.Sort(col)
				threshold := col[0] - 2*kinkMargin
				if j%2 == 1 {
					lo, gap := 0, float32(-1)
					for i := range len(col) - 1 {
						if g := col[i+1] - col[i]; g > gap {
							lo, gap = i, g
						}
					}
					if gap < 2*kinkMargin {
						t.Fatalf("%s unit %d: widest gap %.3g < %.3g", ad.Down.Name, j, gap, 2*kinkMargin)
					}
					threshold = (col[lo] + col[lo+1]) / 2
				}
				ad.Down.B.Data[j] -= threshold
			}
		}
	}
}

// preActivations is Down(LN(x)) of adapter ad on the rows x, before the nonlinearity.
func preActivations(tp *nn.Tape, ad *Adapter, rows []float32) *nn.Tensor {
	d := ad.Down.W.Shape[1]
	x := nn.FromData(rows, len(rows)/d, d)
	if ad.Norm != nil {
		x = ad.Norm.Forward(tp, x, ad.eps)
	}
	return ad.Down.Forward(tp, x, nil)
}
