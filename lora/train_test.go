package lora

import (
	"fmt"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// trainSteps runs AdamW steps of the causal-LM loss on m, updating params, and returns the
// losses.
func trainSteps(m *model.Model, params []*nn.Tensor, b *model.Batch, steps, threads int) []float32 {
	losses, _ := trainStepsMemory(m, params, b, steps, threads)
	return losses
}

// trainStepsMemory is trainSteps that also returns the bytes training holds besides the
// weights: gradients, optimizer moments and the tape's buffers.
func trainStepsMemory(m *model.Model, params []*nn.Tensor, b *model.Batch, steps, threads int) ([]float32, int64) {
	opt := nn.NewAdamW([]nn.ParamGroup{{Name: "lora", Params: params, WeightDecay: 0.01}})
	tp := nn.NewTape(threads)
	var losses []float32
	for step := range steps {
		tp.Reset()
		ctx := &model.Context{Batch: b, Train: true, Seed: uint64(step)}
		loss := tp.CrossEntropy(m.LMLogits(tp, m.Forward(tp, b, ctx)), nextTokens(b), -1, 0)
		losses = append(losses, loss.Data[0])
		tp.Backward(loss)
		opt.Step(1e-2)
		nn.ZeroGrads(params)
	}
	all := append(m.Params(), params...)
	return losses, nn.ParamBytes(all).Gradients + opt.StateBytes() + tp.Memory().Total()
}

// TestMemoryBelowFT: training LoRA (q,v) holds fewer bytes of gradients, optimizer state and
// activations than training every tensor of the same model, and no frozen tensor has a
// gradient buffer.
func TestMemoryBelowFT(t *testing.T) {
	b := randomBatch(3, testConfig(model.Decoder).Vocab, 4, 10)
	ft := newTestModel(t, testConfig(model.Decoder), 1)
	_, ftBytes := trainStepsMemory(ft, ft.Params(), b, 2, 1)
	m := newTestModel(t, testConfig(model.Decoder), 1)
	l := applyLoRA(t, m, method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q", "v"}}, 2)
	_, loraBytes := trainStepsMemory(m, l.Trainable(), b, 2, 1)
	if loraBytes >= ftBytes {
		t.Errorf("LoRA training holds %d bytes, FT %d; want fewer", loraBytes, ftBytes)
	}
	for _, p := range m.Params() {
		if p.Grad != nil {
			t.Errorf("frozen %s has a gradient buffer", p.Name)
		}
	}
}

// TestTrainingLeavesBaseFrozen: AdamW steps on a LoRA model change A and B, lower the loss
// and leave every base tensor byte-identical.
func TestTrainingLeavesBaseFrozen(t *testing.T) {
	for _, spec := range []method.Spec{
		{Name: method.LoRA, Rank: 4, Targets: []string{"q", "v"}, Dropout: 0.1},
		loraSpec(2, "q", "k", "v", "o", "fc1", "fc2", "emb"),
	} {
		t.Run(spec.Label(), func(t *testing.T) {
			m := newTestModel(t, testConfig(model.Decoder), 1)
			base := snapshot(m.Params())
			l := applyLoRA(t, m, spec, 2)
			start := snapshot(l.Trainable())
			losses := trainSteps(m, l.Trainable(), randomBatch(3, m.Cfg.Vocab, 4, 10), 8, 2)
			if name, same := sameBits(m.Params(), base); !same {
				t.Errorf("training changed base tensor %s", name)
			}
			for _, p := range m.Params() {
				if p.Grad != nil {
					t.Errorf("frozen %s has a gradient buffer after training", p.Name)
				}
			}
			for i, p := range l.Trainable() {
				if firstDifference(p.Data, start[i]) < 0 {
					t.Errorf("training did not change %s", p.Name)
				}
			}
			if losses[len(losses)-1] >= losses[0] {
				t.Errorf("loss went from %g to %g", losses[0], losses[len(losses)-1])
			}
		})
	}
}

// TestThreadsBitIdentical: training with LoRA dropout gives bit-identical tensors on 1, 2
// and 3 threads.
func TestThreadsBitIdentical(t *testing.T) {
	spec := method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q", "v", "fc2", "emb"}, Dropout: 0.2}
	var ref [][]float32
	for _, threads := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			m := newTestModel(t, testConfig(model.Decoder), 1)
			l := applyLoRA(t, m, spec, 2)
			trainSteps(m, l.Trainable(), randomBatch(3, m.Cfg.Vocab, 4, 10), 3, threads)
			got := snapshot(l.Trainable())
			if ref == nil {
				ref = got
				return
			}
			if name, same := sameBits(l.Trainable(), ref); !same {
				t.Errorf("%s differs from the 1-thread run", name)
			}
		})
	}
}

// TestDropout: LoRA dropout acts in training passes only, draws a new mask per seed, and
// each update draws its own.
func TestDropout(t *testing.T) {
	m := newTestModel(t, testConfig(model.Decoder), 1)
	m.Cfg.Dropout = 0 // isolate the LoRA dropout
	l := applyLoRA(t, m, method.Spec{Name: method.LoRA, Rank: 4, Targets: []string{"q"}, Layers: []int{0}, Dropout: 0.5}, 2)
	randomize(l.Trainable(), 3, 0.5)
	d := l.Linears()[0]
	x := nn.New(6, m.Cfg.DModel)
	for i := range x.Data {
		x.Data[i] = 1
	}
	run := func(train bool, seed uint64) []float32 {
		tp := nn.NewTape(1)
		tp.SetTrain(train)
		return append([]float32(nil), d.Forward(tp, x, &model.Context{Train: train, Seed: seed}).Data...)
	}
	eval := run(false, 1)
	if firstDifference(run(false, 2), eval) >= 0 {
		t.Error("evaluation output depends on the seed")
	}
	if firstDifference(run(true, 1), eval) < 0 {
		t.Error("training output equals the evaluation output: no dropout")
	}
	if firstDifference(run(true, 1), run(true, 1)) >= 0 {
		t.Error("same seed, different masks")
	}
	if firstDifference(run(true, 1), run(true, 2)) < 0 {
		t.Error("seeds 1 and 2 draw the same mask")
	}
}
