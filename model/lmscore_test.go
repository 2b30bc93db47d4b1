package model

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestMeanNLLWindows checks MeanNLL against per-token NLLs from full forward passes, for a
// sequence that fits max_len and for ones that need the half-window stride.
func TestMeanNLLWindows(t *testing.T) {
	cfg := testConfig(Decoder) // max_len 12, so windows of 12 advancing by 6
	m := newTestModel(t, cfg, 2)
	rng := rand.New(rand.NewPCG(9, 9))
	logP := make([]float64, cfg.Vocab)
	for _, n := range []int{2, 7, 12, 13, 30} {
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(rng.IntN(cfg.Vocab))
		}
		got, count, err := m.MeanNLL(ids, 1)
		if err != nil {
			t.Fatal(err)
		}
		W, S := cfg.MaxLen, cfg.MaxLen/2
		want := 0.0
		for j := 1; j < n; j++ {
			start := 0
			if j+1 > W {
				start = (j + 1 - W + S - 1) / S * S
			}
			logits := fullLogits(m, ids[start:j])
			logSoftmax(logP, logits[len(logits)-1])
			want -= logP[ids[j]]
		}
		want /= float64(n - 1)
		if count != n-1 || math.Abs(got-want) > 1e-5 {
			t.Errorf("%d tokens: MeanNLL %.6f over %d, want %.6f over %d", n, got, count, want, n-1)
		}
	}
	if _, _, err := m.MeanNLL([]int32{1}, 1); err == nil {
		t.Error("one token accepted")
	}
	if _, _, err := m.MeanNLL([]int32{1, 99}, 1); err == nil {
		t.Error("token outside the vocabulary accepted")
	}
}

// TestLMScoreFolders scores ids under an HF GPT-2 folder against the float64 reference, and
// under a loralab checkpoint of the same model.
func TestLMScoreFolders(t *testing.T) {
	dir := t.TempDir()
	ts := randTensors(rand.New(rand.NewPCG(1, 2)), gpt2Shapes())
	writeHFFolder(t, dir, gpt2ConfigJSON(), ts, func(n string) string { return n })
	writeGPT2Tokenizer(t, dir)
	ids := []int32{258, 116, 104, 101, 32, 257, 33}
	got, n, err := LMScore(dir, ids)
	if err != nil {
		t.Fatal(err)
	}
	logits := refGPT2Logits(ts, hfLayers, hfHeads, 1e-5, ids)
	want := 0.0
	for j := 1; j < len(ids); j++ {
		row := logits[j-1]
		hi := math.Inf(-1)
		for _, l := range row {
			hi = max(hi, l)
		}
		sum := 0.0
		for _, l := range row {
			sum += math.Exp(l - hi)
		}
		want += hi + math.Log(sum) - row[ids[j]]
	}
	want /= float64(len(ids) - 1)
	if n != len(ids)-1 || math.Abs(got-want) > 1e-4 {
		t.Errorf("LMScore = %.6f over %d, reference %.6f over %d", got, n, want, len(ids)-1)
	}
	// "the the!" encodes to the, Ġ, the, ! after <|endoftext|>: not the same ids as above.
	text, n, err := LMScoreText(dir, "the the!")
	if err != nil || n != 4 {
		t.Fatalf("LMScoreText: %v over %d tokens, %v", text, n, err)
	}
	m, tok, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "ckpt")
	if err := Save(ckpt, m, tok, nil); err != nil {
		t.Fatal(err)
	}
	again, _, err := LMScore(ckpt, ids)
	if err != nil || again != got {
		t.Errorf("checkpoint LMScore %v (%v), HF folder %v", again, err, got)
	}
	textAgain, _, err := LMScoreText(ckpt, "the the!")
	if err != nil || textAgain != text {
		t.Errorf("checkpoint LMScoreText %v (%v), HF folder %v", textAgain, err, text)
	}
	if _, _, err := LMScore(filepath.Join(dir, "nope"), ids); err == nil {
		t.Error("missing folder accepted")
	}
}
