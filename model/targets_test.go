package model

import (
	"testing"

	"loralab/model/target"
)

// TestBlockMatrix checks that every per-layer target of the table names a Linear of a block
// with the table's shape.
func TestBlockMatrix(t *testing.T) {
	cfg := Config{Arch: Encoder, Vocab: 20, DModel: 8, Layers: 2, Heads: 2, DFF: 16, MaxLen: 10, Activation: "gelu", LNEps: 1e-5}
	m, err := NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range target.All() {
		l, err := m.Blocks[1].Matrix(tg.Name)
		if !tg.PerLayer {
			if err == nil {
				t.Errorf("%s: no error for a matrix that is not per layer", tg.Name)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		in, out := tg.Shape(cfg.DModel, cfg.DFF, cfg.Vocab)
		if l.Name != tg.Path(1) || l.In() != in || l.Out() != out {
			t.Errorf("%s: Linear %s [%d, %d], want %s [%d, %d]", tg.Name, l.Name, l.Out(), l.In(), tg.Path(1), out, in)
		}
	}
	if _, err := m.Blocks[0].Matrix("nope"); err == nil {
		t.Error("unknown name: no error")
	}
}
