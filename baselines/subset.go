package baselines

import (
	"slices"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
	"loralab/tuner"
)

// subset is a baseline that trains some of the base model's own tensors and adds nothing:
// FT (all of them), FTTop2 (the last two blocks) and BitFit (the biases).
type subset struct {
	base
	pick func(*model.Model) []*nn.Tensor // the tensors to train, in m.Params order
}

// Apply freezes m and unfreezes the tensors the method trains. The seed is unused: nothing
// is initialised.
func (s *subset) Apply(m *model.Model, seed uint64) error {
	if err := s.begin(m); err != nil {
		return err
	}
	s.train(s.pick(m)...)
	return nil
}

// Merge has nothing to do: the method trains the base weights themselves.
func (s *subset) Merge() error { return nil }

// Unmerge has nothing to do, like Merge.
func (s *subset) Unmerge() error { return nil }

// allBaseTensors is every base tensor except the task head's (FT).
func allBaseTensors(m *model.Model) []*nn.Tensor {
	head := tuner.HeadParams(m)
	return slices.DeleteFunc(m.Params(), func(t *nn.Tensor) bool { return slices.Contains(head, t) })
}

// topTwoBlocks is every tensor of the last two blocks (FTTop2), or of the only block.
func topTwoBlocks(m *model.Model) []*nn.Tensor {
	var ts []*nn.Tensor
	for _, b := range m.Blocks[max(0, len(m.Blocks)-2):] {
		ts = append(ts, blockTensors(b)...)
	}
	return ts
}

// blockTensors lists a block's tensors in m.Params order: LN1, Q, K, V, O, LN2, FC1, FC2.
func blockTensors(b *model.Block) []*nn.Tensor {
	ts := []*nn.Tensor{b.LN1.G, b.LN1.B}
	for _, l := range []*model.Linear{b.Q, b.K, b.V, b.O} {
		ts = appendLinear(ts, l)
	}
	ts = append(ts, b.LN2.G, b.LN2.B)
	ts = appendLinear(ts, b.FC1)
	return appendLinear(ts, b.FC2)
}

// appendLinear appends l's weight and, if it has one, its bias.
func appendLinear(ts []*nn.Tensor, l *model.Linear) []*nn.Tensor {
	ts = append(ts, l.W)
	if l.B != nil {
		ts = append(ts, l.B)
	}
	return ts
}

// biases is every bias of the model but the head's (BitFit): those of the Linears and of
// the LayerNorms, the embedding (encoder) or final (decoder) LayerNorm included, in
// m.Params order.
func biases(m *model.Model) []*nn.Tensor {
	var ts []*nn.Tensor
	add := func(t *nn.Tensor) {
		if t != nil {
			ts = append(ts, t)
		}
	}
	if m.LNEmb != nil {
		add(m.LNEmb.B)
	}
	for _, b := range m.Blocks {
		add(b.LN1.B)
		for _, l := range []*model.Linear{b.Q, b.K, b.V, b.O} {
			add(l.B)
		}
		add(b.LN2.B)
		add(b.FC1.B)
		add(b.FC2.B)
	}
	if m.LNF != nil {
		add(m.LNF.B)
	}
	return ts
}

func init() {
	tuner.Register(method.Kind{Name: method.FT, Order: 10, Params: ftParams}, newSubset(allBaseTensors))
	tuner.Register(method.Kind{Name: method.FTTop2, Order: 20, Params: func(s method.Spec, d method.Dims) int {
		return blockParams(d) * min(2, d.Layers)
	}}, newSubset(topTwoBlocks))
	tuner.Register(method.Kind{Name: method.BitFit, Order: 30, Params: func(s method.Spec, d method.Dims) int {
		return blockBiases(d)*d.Layers + d.DModel // + the bias of the final (decoder) or embedding (encoder) LayerNorm
	}}, newSubset(biases))
}

// newSubset is the constructor of a subset baseline that trains what pick returns.
func newSubset(pick func(*model.Model) []*nn.Tensor) tuner.Builder {
	return func(spec method.Spec) (tuner.Method, error) {
		return &subset{base: base{spec: spec}, pick: pick}, nil
	}
}

// ftParams counts every weight of the model but the head: both embeddings, the blocks and
// the final (or embedding) LayerNorm.
func ftParams(s method.Spec, d method.Dims) int {
	return d.Vocab*d.DModel + d.MaxLen*d.DModel + blockParams(d)*d.Layers + 2*d.DModel
}

// blockBiases counts the biases of one block: q, k, v, o, fc1, fc2 and two LayerNorms.
func blockBiases(d method.Dims) int { return 4*d.DModel + d.DFF + d.DModel + 2*d.DModel }

// blockParams counts every parameter of one transformer block.
func blockParams(d method.Dims) int {
	dm := d.DModel
	return 4*dm*dm + 2*dm*d.DFF + blockBiases(d) + 2*dm // weights, biases, LayerNorm gains
}
