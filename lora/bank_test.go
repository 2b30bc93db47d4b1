package lora

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// newTestBank returns a bank on a random model with three trained-looking adapters of
// different settings: a (q, v), b (every target, embedding included) and c (fc1 of block 1).
func newTestBank(t *testing.T, arch string) (*Bank, *model.Model) {
	t.Helper()
	m := newTestModel(t, testConfig(arch), 1)
	bank, err := NewBank(m)
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]method.Spec{
		"a": loraSpec(2, "q", "v"),
		"b": {Name: method.LoRA, Rank: 4, Alpha: 8, Targets: []string{"q", "k", "v", "o", "fc1", "fc2", "emb"}},
		"c": {Name: method.LoRA, Rank: 1, Targets: []string{"fc1"}, Layers: []int{1}, Scaling: ScalingRSLoRA},
	}
	for i, name := range []string{"a", "b", "c"} {
		l, err := bank.Add(name, specs[name], uint64(10+i))
		if err != nil {
			t.Fatal(err)
		}
		randomize(l.Trainable(), uint64(20+i), 0.5)
	}
	return bank, m
}

// sequence returns sequence s of batch b as a batch of one.
func sequence(b *model.Batch, s int) *model.Batch {
	return &model.Batch{B: 1, T: b.T, IDs: b.IDs[s*b.T : (s+1)*b.T]}
}

// TestMixedBatch: in a batch whose sequences use different adapters (or none), each
// sequence's output equals running it alone with its adapter active.
func TestMixedBatch(t *testing.T) {
	cases := []struct {
		arch string
		ids  []int
	}{
		{model.Decoder, []int{0, 1, NoAdapter, 2, 1}},
		{model.Decoder, []int{1, 1, 1}},
		{model.Decoder, []int{NoAdapter, NoAdapter}},
		{model.Encoder, []int{2, 0, 1, NoAdapter}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%v", c.arch, c.ids), func(t *testing.T) {
			bank, m := newTestBank(t, c.arch)
			b := randomBatch(5, m.Cfg.Vocab, len(c.ids), 6)
			b.AdapterIDs = c.ids
			mixed := output(m, b, 2)
			h := b.B * b.T * m.Cfg.DModel // hidden states first, then head logits
			for s, id := range c.ids {
				name := ""
				if id != NoAdapter {
					name = bank.Names()[id]
				}
				if err := bank.Activate(name); err != nil {
					t.Fatal(err)
				}
				alone := output(m, sequence(b, s), 2)
				rows := 6 * m.Cfg.DModel
				got := mixed[s*rows : (s+1)*rows]
				if m.Head != nil {
					labels := m.Cfg.NumLabels
					got = append(append([]float32(nil), got...), mixed[h+s*labels:h+(s+1)*labels]...)
				}
				if i := firstDifference(got, alone); i >= 0 {
					t.Errorf("sequence %d (adapter %q) differs from running it alone at element %d: %g vs %g (max rel %g)",
						s, name, i, got[i], alone[i], maxRelDiff(got, alone))
				}
			}
		})
	}
}

// TestMixedBatchGradients: in a mixed batch each adapter's gradients come from its own
// sequences only, as if it ran alone on them.
func TestMixedBatchGradients(t *testing.T) {
	bank, m := newTestBank(t, model.Decoder)
	b := randomBatch(5, m.Cfg.Vocab, 2, 6)
	b.AdapterIDs = []int{0, 1}
	grads := func(batch *model.Batch, l *LoRA) [][]float32 {
		tp := nn.NewTape(1)
		for _, a := range bank.adapters {
			nn.ZeroGrads(a.Trainable())
		}
		ctx := &model.Context{Batch: batch, Train: false}
		tp.Backward(tp.CrossEntropy(m.LMLogits(tp, m.Forward(tp, batch, ctx)), nextTokens(batch), -1, 0))
		var g [][]float32
		for _, p := range l.Trainable() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return g
	}
	a, bb := bank.Adapter("a"), bank.Adapter("b")
	mixedA, mixedB := grads(b, a), grads(b, bb)
	// The loss is a mean over both sequences' rows: alone each is a mean over half as many.
	for i, l := range []*LoRA{a, bb} {
		if err := bank.Activate(bank.Names()[i]); err != nil {
			t.Fatal(err)
		}
		alone := grads(sequence(b, i), l)
		mixed := [][][]float32{mixedA, mixedB}[i]
		for j, p := range l.Trainable() {
			half := make([]float32, len(alone[j]))
			for k, v := range alone[j] {
				half[k] = v / 2
			}
			if d := maxRelDiff(mixed[j], half); d > 1e-5 {
				t.Errorf("%s of adapter %s: mixed-batch gradient differs from its sequence alone by %g", p.Name, bank.Names()[i], d)
			}
		}
	}
}

// TestBankActivate: switching adapters changes the output without touching the base
// weights, "" gives the base model, and each adapter gives what it gives applied alone.
func TestBankActivate(t *testing.T) {
	bank, m := newTestBank(t, model.Decoder)
	b := randomBatch(5, m.Cfg.Vocab, 2, 6)
	base := newTestModel(t, testConfig(model.Decoder), 1)
	weights := snapshot(m.Params())
	if err := bank.Activate(""); err != nil {
		t.Fatal(err)
	}
	if i := firstDifference(output(m, b, 1), output(base, b, 1)); i >= 0 {
		t.Errorf("bank with no active adapter differs from the base model at %d", i)
	}
	for _, name := range bank.Names() {
		if err := bank.Activate(name); err != nil {
			t.Fatal(err)
		}
		if bank.Active() != name {
			t.Errorf("Active() = %q after Activate(%q)", bank.Active(), name)
		}
		single := base.Clone()
		l := applyLoRA(t, single, bank.Adapter(name).Spec(), 0)
		for i, p := range l.Trainable() {
			copy(p.Data, bank.Adapter(name).Trainable()[i].Data)
		}
		if i := firstDifference(output(m, b, 1), output(single, b, 1)); i >= 0 {
			t.Errorf("adapter %s in the bank differs from the same adapter applied alone at %d", name, i)
		}
	}
	if name, same := sameBits(m.Params(), weights); !same {
		t.Errorf("switching adapters changed base tensor %s", name)
	}
}

func TestBankMerge(t *testing.T) {
	bank, m := newTestBank(t, model.Decoder)
	b := randomBatch(5, m.Cfg.Vocab, 2, 6)
	weights := snapshot(m.Params())
	if err := bank.Merge(); err == nil {
		t.Error("Merge with no active adapter succeeded")
	}
	if err := bank.Activate("b"); err != nil {
		t.Fatal(err)
	}
	unmerged := output(m, b, 1)
	if err := bank.Merge(); err != nil {
		t.Fatal(err)
	}
	if d := maxRelDiff(output(m, b, 1), unmerged); d > 1e-5 {
		t.Errorf("merged bank output differs by %g", d)
	}
	for _, err := range []error{bank.Merge(), bank.Activate("a"), func() error { _, err := bank.Add("d", loraSpec(1, "q"), 1); return err }()} {
		if !errors.Is(err, ErrMerged) {
			t.Errorf("while merged: %v, want ErrMerged", err)
		}
	}
	if err := bank.Adapter("b").Merge(); err == nil || !strings.Contains(err.Error(), "Bank") {
		t.Errorf("merging a bank adapter directly: %v, want an error pointing at the Bank", err)
	}
	if err := bank.Unmerge(); err != nil {
		t.Fatal(err)
	}
	if err := bank.Unmerge(); !errors.Is(err, ErrNotMerged) {
		t.Errorf("second Unmerge = %v, want ErrNotMerged", err)
	}
	if name, same := sameBits(m.Params(), weights); !same {
		t.Errorf("Unmerge left %s different from the base", name)
	}
	if i := firstDifference(output(m, b, 1), unmerged); i >= 0 {
		t.Errorf("output after Unmerge differs at %d", i)
	}
}

func TestBankErrors(t *testing.T) {
	bank, m := newTestBank(t, model.Decoder)
	if _, err := bank.Add("a", loraSpec(1, "q"), 1); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("adding a twice: %v", err)
	}
	if _, err := bank.Add("", loraSpec(1, "q"), 1); err == nil {
		t.Error("adding an unnamed adapter succeeded")
	}
	if err := bank.Activate("zz"); err == nil || !strings.Contains(err.Error(), `no adapter "zz"`) {
		t.Errorf("Activate(zz) = %v", err)
	}
	if _, err := NewBank(nil); err == nil {
		t.Error("NewBank(nil) succeeded")
	}
	cases := []struct {
		name string
		ids  []int
		want string
	}{
		{"too few IDs", []int{0}, "has 1 adapter IDs, want B"},
		{"unknown ID", []int{0, 3}, "sequence 1 has adapter ID 3"},
		{"below NoAdapter", []int{-2, 0}, "sequence 0 has adapter ID -2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := randomBatch(5, m.Cfg.Vocab, 2, 4)
			b.AdapterIDs = c.ids
			defer func() {
				msg := fmt.Sprint(recover())
				if !strings.Contains(msg, c.want) {
					t.Errorf("panic %q, want one containing %q", msg, c.want)
				}
			}()
			output(m, b, 1)
		})
	}
}

// TestMixedGeneration: greedy and beam decoding of prompts that each name their adapter
// give what decoding each prompt alone with its adapter active gives (through the KV cache,
// the embedding update included).
func TestMixedGeneration(t *testing.T) {
	for _, beam := range []int{1, 3} {
		t.Run(fmt.Sprintf("beam=%d", beam), func(t *testing.T) {
			bank, m := newTestBank(t, model.Decoder)
			prompts := [][]int32{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
			ids := []int{1, NoAdapter, 0}
			gc := model.GenerateConfig{MaxNew: 5, Beam: beam, EOS: -1, Threads: 2, AdapterIDs: ids}
			mixed, err := m.Generate(prompts, gc)
			if err != nil {
				t.Fatal(err)
			}
			gc.AdapterIDs = nil
			if err := bank.Activate(""); err != nil {
				t.Fatal(err)
			}
			base, err := m.Generate(prompts, gc)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(base[0], base[2]) == fmt.Sprint(mixed[0], mixed[2]) {
				t.Fatalf("the adapters change no generated token (%v): the test cannot tell them apart", base)
			}
			for i, id := range ids {
				name := ""
				if id != NoAdapter {
					name = bank.Names()[id]
				}
				if err := bank.Activate(name); err != nil {
					t.Fatal(err)
				}
				alone, err := m.Generate(prompts[i:i+1], gc)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(alone[0]) != fmt.Sprint(mixed[i]) {
					t.Errorf("prompt %d (adapter %q): mixed batch generates %v, alone %v", i, name, mixed[i], alone[0])
				}
			}
		})
	}
}

// TestBankTrainsTheActiveAdapter: training through the bank updates the active adapter
// only; the base and the other adapters stay bit for bit.
func TestBankTrainsTheActiveAdapter(t *testing.T) {
	bank, m := newTestBank(t, model.Decoder)
	if err := bank.Activate("b"); err != nil {
		t.Fatal(err)
	}
	base := snapshot(m.Params())
	others := snapshot(append(bank.Adapter("a").Trainable(), bank.Adapter("c").Trainable()...))
	trained := bank.Adapter("b")
	m.Cfg.Dropout = 0 // a loss without dropout noise
	before := snapshot(trained.Trainable())
	losses := trainSteps(m, trained.Trainable(), randomBatch(3, m.Cfg.Vocab, 4, 8), 5, 2)
	if name, same := sameBits(m.Params(), base); !same {
		t.Errorf("training changed base tensor %s", name)
	}
	if name, same := sameBits(append(bank.Adapter("a").Trainable(), bank.Adapter("c").Trainable()...), others); !same {
		t.Errorf("training b changed %s of another adapter", name)
	}
	if _, same := sameBits(trained.Trainable(), before); same {
		t.Error("training did not change adapter b")
	}
	if losses[len(losses)-1] >= losses[0] {
		t.Errorf("loss went from %g to %g", losses[0], losses[len(losses)-1])
	}
}
