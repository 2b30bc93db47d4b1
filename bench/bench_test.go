package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	_ "loralab/baselines"
	_ "loralab/lora"
	"loralab/method"
	"loralab/model"
	"loralab/tuner"
)

// newMethod builds the methods the tests use (lora and the baselines, linked below).
func newMethod(s method.Spec) (tuner.Method, error) { return tuner.New(s) }

var tinyShape = Shape{Arch: "decoder", DModel: 16, Layers: 2, Heads: 2, Vocab: 50, MaxLen: 32}

func TestMedian(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3 * ms}, 3 * ms},
		{[]time.Duration{5 * ms, 1 * ms, 3 * ms}, 3 * ms},
		{[]time.Duration{4 * ms, 1 * ms, 3 * ms, 10 * ms}, 3500 * time.Microsecond},
	}
	for _, c := range cases {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestTrainCounts(t *testing.T) {
	cases := []struct {
		spec      method.Spec
		trainable int
		added     int
	}{
		// LoRA r=2 on q,v: 2 blocks x 2 matrices x r(d+d) = 4 * 2 * 32 = 256, all added.
		{method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}, 256, 256},
		// BitFit trains the base biases: 2 x (4*16 + 64 + 16 + 2*16) + 16 = 368, none added.
		{method.Spec{Name: method.BitFit}, 368, 0},
	}
	for _, c := range cases {
		res, err := Train(context.Background(), TrainOptions{Shape: tinyShape, Seq: 8, Batch: 2, Method: c.spec, Steps: 2, Threads: 1}, newMethod)
		if err != nil {
			t.Fatalf("%s: %v", c.spec.Label(), err)
		}
		if res.TrainableParams != c.trainable {
			t.Errorf("%s: trainable %d, want %d", c.spec.Label(), res.TrainableParams, c.trainable)
		}
		cfg := tinyShape.Config()
		base := cfg.Vocab*16 + cfg.MaxLen*16 + 2*(4*16*16+2*16*64+4*16+64+16+4*16) + 2*16
		if res.TotalParams != base+c.added {
			t.Errorf("%s: total %d, want %d", c.spec.Label(), res.TotalParams, base+c.added)
		}
		if !(res.TokensPerSecond > 0) || res.PeakRSSBytes <= 0 || res.CPUStepMillis < 0 {
			t.Errorf("%s: tokens/s %v, peak RSS %d", c.spec.Label(), res.TokensPerSecond, res.PeakRSSBytes)
		}
		// 4 bytes per value, per gradient of a trainable value and per AdamW moment (2).
		mem := res.Memory
		if mem.Weights != int64(4*(base+c.added)) || mem.Gradients != int64(4*c.trainable) || mem.OptimizerState != int64(8*c.trainable) {
			t.Errorf("%s: weights %d, gradients %d, optimizer %d bytes; want %d, %d, %d", c.spec.Label(),
				mem.Weights, mem.Gradients, mem.OptimizerState, 4*(base+c.added), 4*c.trainable, 8*c.trainable)
		}
		if mem.Activations <= 0 || mem.Total != mem.Weights+mem.Gradients+mem.OptimizerState+mem.Activations+mem.ActivationGrads+mem.Saved+mem.Workspace {
			t.Errorf("%s: memory %+v does not add up", c.spec.Label(), mem)
		}
	}
	if _, err := Train(context.Background(), TrainOptions{Shape: tinyShape, Seq: 64, Batch: 1, Steps: 1,
		Method: method.Spec{Name: method.FT}}, newMethod); err == nil {
		t.Error("seq 64 beyond max_len 32: no error")
	}
}

func TestLatencyRows(t *testing.T) {
	rows, err := Latency(context.Background(), LatencyOptions{Shape: tinyShape, Batch: 1, Seq: 8, Reps: 3, Threads: 1,
		Variants: DefaultVariants(2)}, newMethod)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"base", "lora merged", "lora unmerged", "adapter_h r=2", "adapter_l r=2"}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		if r.Variant != want[i] || !(r.MedianMillis > 0) {
			t.Errorf("row %d: %+v, want variant %q with a positive median", i, r, want[i])
		}
	}
	if rows[0].OverBasePct != 0 || rows[1].AddedParams != 2*2*2*32 {
		t.Errorf("base row %+v, lora row %+v", rows[0], rows[1])
	}
}

// TestLatencySetSharesBase: every variant runs on the base's weights (one copy), a merged
// variant owns only the matrices it merged into, and the base weights stay as NewModel made
// them.
func TestLatencySetSharesBase(t *testing.T) {
	set, err := NewLatencySet(tinyShape, DefaultVariants(2), nonzeroMethod, 1)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := model.NewModel(tinyShape.Config(), 1)
	if err != nil {
		t.Fatal(err)
	}
	base := set.models[0]
	for i, m := range set.models[1:] {
		name := set.names[i+1]
		if &m.TokEmb.Data[0] != &base.TokEmb.Data[0] || &m.Blocks[1].FC1.W.Data[0] != &base.Blocks[1].FC1.W.Data[0] {
			t.Errorf("%s does not share the base weights", name)
		}
		ownsQ := &m.Blocks[0].Q.W.Data[0] != &base.Blocks[0].Q.W.Data[0]
		merged := name == "lora merged"
		if ownsQ != merged {
			t.Errorf("%s: owns its q weight %v, want %v", name, ownsQ, merged)
		}
		if merged && slices.Equal(m.Blocks[0].Q.W.Data, base.Blocks[0].Q.W.Data) {
			t.Errorf("%s: merging left its q weight as the base's", name)
		}
	}
	for i, p := range base.Params() {
		if !slices.Equal(p.Data, fresh.Params()[i].Data) {
			t.Errorf("base tensor %s changed", p.Name)
		}
	}
}

// nonzeroMethod is newMethod with every value of the tensors the method adds set to 0.01
// after Apply, so that a merge changes the weights (LoRA's B starts at zero).
func nonzeroMethod(s method.Spec) (tuner.Method, error) {
	m, err := newMethod(s)
	return nonzero{m}, err
}

type nonzero struct{ tuner.Method }

func (n nonzero) Apply(m *model.Model, seed uint64) error {
	if err := n.Method.Apply(m, seed); err != nil {
		return err
	}
	for _, p := range n.Trainable() {
		if m.Param(p.Name) != nil {
			continue // a base tensor the method trains
		}
		for i := range p.Data {
			p.Data[i] = 0.01
		}
	}
	return nil
}
