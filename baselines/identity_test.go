package baselines

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// TestFreshMethodKeepsOutputs checks that applying a method leaves the model's outputs
// bit for bit unchanged: FT, FTTop2 and BitFit change no weight, a fresh adapter is the
// identity (zero up-projection). Prefix methods replace the slot rows and so change the
// outputs of batches with slots; on a batch without slots (a decoding step) they too must
// leave them unchanged.
func TestFreshMethodKeepsOutputs(t *testing.T) {
	shapes := append(slices.Clone(tinyShapes), countShapes[0], countShapes[3])
	for _, s := range shapes {
		for _, spec := range allSpecs(s.layers) {
			t.Run(s.String()+"/"+strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
				m := newRandomModel(t, s, 3)
				rng := rand.New(rand.NewPCG(6, 6))
				b := slotBatch(rng, s.vocab, 2, 9, 0, 0, 3)
				before := outputs(m, b)
				meth := applied(t, spec, m, 5)
				if got := outputs(m, b); !slices.Equal(bits(got), bits(before)) {
					t.Errorf("outputs changed on a batch without slots")
				}
				lp, li := meth.Slots()
				if lp+li == 0 {
					return
				}
				withSlots := slotBatch(rand.New(rand.NewPCG(6, 6)), s.vocab, 2, 9, lp, li, 3)
				if got := outputs(m, withSlots); slices.Equal(got, outputs(m.Clone(), withSlots)) {
					t.Errorf("prefix method does not change the outputs of a batch with slots")
				}
			})
		}
	}
}

// TestSlotTableReplacesSlotRows checks SlotTable on a plain matrix: slot rows become the
// listed vectors, every other row passes through, and a batch without slots is untouched.
func TestSlotTableReplacesSlotRows(t *testing.T) {
	vectors := nn.FromData([]float32{10, 11, 20, 21, 30, 31}, 3, 2)
	x := nn.FromData([]float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 5, 2)
	cases := []struct {
		name           string
		slots, slotIDs []int32
		want           []float32
	}{
		{"no slots", nil, nil, []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"one slot", []int32{3}, []int32{1}, []float32{0, 1, 2, 3, 4, 5, 20, 21, 8, 9}},
		{"reused vector", []int32{0, 4, 2}, []int32{2, 2, 0}, []float32{30, 31, 2, 3, 10, 11, 6, 7, 30, 31}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp := nn.NewTape(1)
			b := &model.Batch{B: 1, T: 5, IDs: make([]int32, 5), Slots: c.slots, SlotIDs: c.slotIDs}
			got := (&SlotTable{Vectors: vectors}).Forward(tp, x, &model.Context{Batch: b})
			if !slices.Equal(got.Data, c.want) {
				t.Errorf("got %v, want %v", got.Data, c.want)
			}
		})
	}
}

// TestPrefixLayerPlacement records the input of every block and the final block output of
// a prefix_layer model and checks that the slot rows of block i's input are table i, for
// every block, while the last block's output keeps its own slot rows; prefix_embed sets
// only the first block's input.
func TestPrefixLayerPlacement(t *testing.T) {
	for _, s := range tinyShapes {
		for _, name := range []string{method.PrefixEmbed, method.PrefixLayer} {
			t.Run(s.String()+"/"+name, func(t *testing.T) {
				m := newRandomModel(t, s, 3)
				meth := applied(t, method.Spec{Name: name, Prefix: 2, Infix: 1}, m, 5)
				tables := meth.Trainable()
				wantTables := 1
				if name == method.PrefixLayer {
					wantTables = s.layers
				}
				if len(tables) != wantTables {
					t.Fatalf("%d tables, want %d", len(tables), wantTables)
				}
				rec := &recorder{}
				m.EmbedHooks = append(m.EmbedHooks, rec)
				for _, blk := range m.Blocks {
					blk.OutHooks = append(blk.OutHooks, rec)
				}
				b := slotBatch(rand.New(rand.NewPCG(2, 2)), s.vocab, 2, 8, 2, 1, 2)
				outputs(m, b)
				// rec.states[i] is the input of block i; rec.states[L] the last output.
				d := s.d
				for i, state := range rec.states {
					for k, row := range b.Slots {
						got := state[int(row)*d : int(row+1)*d]
						id := int(b.SlotIDs[k])
						if i < len(tables) {
							if want := tables[i].Data[id*d : (id+1)*d]; !slices.Equal(got, want) {
								t.Errorf("block %d input, slot row %d: %v, want table row %d %v", i, row, got, id, want)
							}
						} else if slices.Equal(got, tables[0].Data[id*d:(id+1)*d]) {
							t.Errorf("hidden state %d, slot row %d holds table 0's vector", i, row)
						}
					}
				}
			})
		}
	}
}

// TestPrefixInitFromEmbeddings checks the documented initialisation on the decoder, where
// the embedded input is token + position: row j of a prefix_embed table is
// TokEmb[v] + PosEmb[j] for some token v; prefix_layer's first table equals it for the
// same seed, and another seed draws other tokens.
func TestPrefixInitFromEmbeddings(t *testing.T) {
	s := shape{arch: model.Decoder, d: 8, layers: 3, heads: 2, dff: 12, vocab: 50, maxLn: 12}
	base := newRandomModel(t, s, 3)
	spec := method.Spec{Name: method.PrefixEmbed, Prefix: 3, Infix: 2}
	emb := applied(t, spec, base.Clone(), 5).Trainable()[0]
	for j := range 5 {
		row := emb.Row(j)
		found := false
		for v := range s.vocab {
			tok, pos := base.TokEmb.Row(v), base.PosEmb.Row(j)
			sum := make([]float32, s.d)
			for c := range sum {
				sum[c] = tok[c] + pos[c]
			}
			found = found || slices.Equal(sum, row)
		}
		if !found {
			t.Errorf("row %d = %v is no token embedding plus position %d", j, row, j)
		}
	}
	spec.Name = method.PrefixLayer
	layer := applied(t, spec, base.Clone(), 5).Trainable()
	if !slices.Equal(layer[0].Data, emb.Data) {
		t.Errorf("prefix_layer table 0 differs from prefix_embed's table for the same seed")
	}
	if slices.Equal(layer[1].Data, layer[0].Data) {
		t.Errorf("prefix_layer table 1 equals table 0: not the output of block 0")
	}
	other := applied(t, method.Spec{Name: method.PrefixEmbed, Prefix: 3, Infix: 2}, base.Clone(), 6).Trainable()[0]
	if slices.Equal(other.Data, emb.Data) {
		t.Errorf("seeds 5 and 6 give the same table")
	}
}

// TestApplyDeterministic checks that the same seed gives bit-identical method tensors and
// outputs (whatever the thread count), and that a different seed changes the initialised
// tensors of adapters and prefixes.
func TestApplyDeterministic(t *testing.T) {
	s := countShapes[5] // big enough for the ops to split work between threads
	base := newRandomModel(t, s, 3)
	for _, spec := range allSpecs(s.layers) {
		t.Run(strings.ReplaceAll(spec.Label(), " ", "_"), func(t *testing.T) {
			m1, m2, m3 := base.Clone(), base.Clone(), base.Clone()
			a, b, c := applied(t, spec, m1, 5), applied(t, spec, m2, 5), applied(t, spec, m3, 6)
			same, differs := true, false
			for i, p := range a.Trainable() {
				same = same && slices.Equal(bits(p.Data), bits(b.Trainable()[i].Data))
				differs = differs || !slices.Equal(p.Data, c.Trainable()[i].Data)
			}
			if !same {
				t.Errorf("seed 5 twice gives different tensors")
			}
			initialises := spec.Name != method.FT && spec.Name != method.FTTop2 && spec.Name != method.BitFit
			if differs != initialises {
				t.Errorf("seeds 5 and 6 differ: %v, want %v", differs, initialises)
			}
			lp, li := a.Slots()
			batch := slotBatch(rand.New(rand.NewPCG(1, 1)), s.vocab, 3, 40, lp, li, 5)
			randomize(a.Trainable(), 4)
			one := forwardBits(m1, batch, 1)
			if two := forwardBits(m1, batch, 2); !slices.Equal(one, two) {
				t.Errorf("outputs differ between 1 and 2 threads")
			}
		})
	}
}

// forwardBits is the bits of the final hidden states of m on b with a tape of threads.
func forwardBits(m *model.Model, b *model.Batch, threads int) []uint32 {
	tp := nn.NewTape(threads)
	tp.SetTrain(false)
	tp.SetGrad(false)
	return bits(m.Forward(tp, b, &model.Context{Batch: b}).Data)
}
