package sweeprun

import (
	"context"
	"slices"
	"testing"

	"loralab/model"
)

// A sweep with pretraining steps 0 asks for a randomly initialised base (the control that
// shows what pretraining is worth): it must be the model NewModel builds from the same
// seed, with the corpus tokenizer, and nothing pretrained.
func TestBasesWithoutPretrainingIsRandomInit(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 1, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	for _, seed := range []uint64{1, 2} {
		b := NewBases(t.TempDir())
		base, err := b.Get(context.Background(), BaseConfig{Model: cfg, Corpus: "embedded-corpus", Steps: 0, Seed: seed}, nil)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want, err := model.NewModel(cfg, seed)
		if err != nil {
			t.Fatal(err)
		}
		got := base.Model.Params()
		for i, p := range want.Params() {
			if got[i].Name != p.Name || !slices.Equal(got[i].Data, p.Data) {
				t.Fatalf("seed %d: tensor %s differs from a fresh NewModel", seed, p.Name)
			}
		}
		if base.Tok == nil || base.Tok.VocabSize() > cfg.Vocab {
			t.Fatalf("seed %d: tokenizer %v does not fit vocab %d", seed, base.Tok, cfg.Vocab)
		}
		if len(base.Stats.Losses) != 0 || base.Dir != "" {
			t.Fatalf("seed %d: a random base reports pretraining: %d losses, dir %q", seed, len(base.Stats.Losses), base.Dir)
		}
	}
}
