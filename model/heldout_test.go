package model

import (
	"context"
	"math"
	"testing"
)

// TestHeldOutSetRepeatsPretrainEval: scoring the pretrained model on the rebuilt held-out
// set gives Pretrain's own held-out result, bit for bit, at any thread count.
func TestHeldOutSetRepeatsPretrainEval(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg, corpus, tok := toySetup(t, arch)
		p, err := Pretrain(context.Background(), cfg, corpus, tok, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, threads := range []int{1, 2} {
			h, err := NewHeldOutSet(p.Stats.Config, corpus, tok, 0, threads)
			if err != nil {
				t.Fatal(err)
			}
			got, err := h.Score(p.Model)
			if err != nil {
				t.Fatal(err)
			}
			if got != p.Stats.Eval {
				t.Errorf("%s, %d threads: held-out %+v, Pretrain measured %+v", arch, threads, got, p.Stats.Eval)
			}
		}
	}
}

// TestHeldOutSetCapAndChecks: the token cap bounds the scored tokens, a uniform decoder
// scores log(V), and a model of another vocabulary or a negative cap is refused.
func TestHeldOutSetCapAndChecks(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	h, err := NewHeldOutSet(cfg, corpus, tok, 32, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewModel(cfg.Model, 1)
	clear(m.TokEmb.Data)
	e, err := h.Score(m)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tokens != 32 || math.Abs(e.NLL-math.Log(float64(cfg.Model.Vocab))) > 1e-5 {
		t.Errorf("uniform decoder: %d tokens at NLL %.6f, want 32 at log(V) = %.6f", e.Tokens, e.NLL, math.Log(float64(cfg.Model.Vocab)))
	}
	other := cfg.Model
	other.Vocab++
	m2, _ := NewModel(other, 1)
	if _, err := h.Score(m2); err == nil {
		t.Error("a model of another vocabulary was scored")
	}
	if _, err := NewHeldOutSet(cfg, corpus, tok, -1, 1); err == nil {
		t.Error("a negative token cap was accepted")
	}
}

// TestScoreWindowsRepeatsScore: the windows a held-out set reads, scored by ScoreWindows,
// give Score's NLL and accuracy exactly; malformed windows are refused.
func TestScoreWindowsRepeatsScore(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg, corpus, tok := toySetup(t, arch)
		h, err := NewHeldOutSet(cfg, corpus, tok, 200, 1)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := NewModel(cfg.Model, 3)
		want, err := h.Score(m)
		if err != nil {
			t.Fatal(err)
		}
		ids, targets := h.Windows()
		got, err := ScoreWindows(m, ids, targets, h.Batch(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if got.NLL != want.NLL || got.Accuracy != want.Accuracy || got.Tokens != want.Tokens {
			t.Errorf("%s: ScoreWindows %+v, Score %+v", arch, got, want)
		}
		bad := []struct {
			name         string
			ids, targets [][]int32
			batch        int
		}{
			{"no windows", nil, nil, 4},
			{"batch 0", ids, targets, 0},
			{"fewer target rows", ids, targets[:1], 4},
			{"ragged", [][]int32{ids[0], ids[1][:3]}, [][]int32{targets[0], targets[1][:3]}, 4},
			{"token outside vocabulary", [][]int32{{int32(cfg.Model.Vocab), 1}}, [][]int32{{1, 2}}, 4},
			{"nothing predicted", [][]int32{{1, 2}}, [][]int32{{-1, -1}}, 4},
			{"longer than max_len", [][]int32{make([]int32, cfg.Model.MaxLen+1)}, [][]int32{make([]int32, cfg.Model.MaxLen+1)}, 4},
		}
		for _, c := range bad {
			if _, err := ScoreWindows(m, c.ids, c.targets, c.batch, 1); err == nil {
				t.Errorf("%s: %s accepted", arch, c.name)
			}
		}
	}
}
