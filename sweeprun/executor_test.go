package sweeprun

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"loralab/experiments"
	"loralab/experiments/record"
	"loralab/method"
	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/train"
)

func TestExecutorCountNeedsNoPretraining(t *testing.T) {
	cache := t.TempDir()
	e := NewExecutor(cache)
	cfg := model.Config{Arch: model.Encoder, Vocab: 64, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	run := experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1,
		Method: method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}}
	c, err := e.Count(context.Background(), run)
	if err != nil {
		t.Fatal(err)
	}
	// LoRA: 2 layers x 2 matrices x r(16+16) = 256; head: dense 16x16+16, out 2x16+2 = 306.
	if c != (method.Counts{Trainable: 256, Paper: 256, Head: 306}) {
		t.Fatalf("counts %+v", c)
	}
	if _, ok := e.Bases.building[""]; ok || len(e.Bases.building) != 0 {
		t.Fatal("Count built a base model")
	}
}

// TestExecutorSharesTheBase: runs of one process that start from the same base build (or
// load) it once and share its values, and encode a task once: FT, which trains every base tensor, trains its own
// copies, so the base stays as built and a LoRA run after it gives the same result as on
// a fresh executor.
func TestExecutorSharesTheBase(t *testing.T) {
	cache := t.TempDir()
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	runOf := func(spec method.Spec) experiments.RunSpec {
		return experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1, Threads: 1, Method: spec,
			Pretrain: experiments.Pretrain{Corpus: "embedded-corpus", Seed: 1},
			Data:     experiments.Data{Seed: 1, MaxTrain: 32, MaxValidation: 16, MaxTest: 16},
			Train:    experiments.Train{Steps: 3, Batch: 8, SeqLen: 32, LR: 1e-2, Schedule: "constant"}}
	}
	lora := method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}
	ft := method.Spec{Name: method.FT}
	e := NewExecutor(cache)
	e.Export = nil
	if _, err := e.Run(context.Background(), runOf(ft), t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	shared, err := e.Run(context.Background(), runOf(lora), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if e.Bases.builds != 1 || e.encodings.Count() != 1 {
		t.Errorf("two runs on one base and task: base built or loaded %d times, task encoded %d times; want 1 and 1",
			e.Bases.builds, e.encodings.Count())
	}
	fresh := NewExecutor(cache)
	fresh.Export = nil
	alone, err := fresh.Run(context.Background(), runOf(lora), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(shared.Metrics) != fmt.Sprint(alone.Metrics) {
		t.Errorf("LoRA after FT on a shared base: metrics %v; alone: %v", shared.Metrics, alone.Metrics)
	}
	for key, entry := range e.Bases.building {
		want := fresh.Bases.building[key].base.Model.Params()
		for i, p := range entry.base.Model.Params() {
			if !slices.Equal(p.Data, want[i].Data) {
				t.Errorf("the FT run changed the shared base tensor %s", p.Name)
			}
		}
	}
}

// TestExecutorSavesStepsAndMeasuresForgetting runs a tiny LoRA run with save_steps and
// forgetting_tokens: each asked step leaves its folder with the trained tensors and the
// adapter; the last one is the run's own checkpoint (no evaluation before the end, so the
// kept parameters are the last); LoRA starts as the identity, so its step-0 held-out loss is
// the base's, and after training it differs.
func TestExecutorSavesStepsAndMeasuresForgetting(t *testing.T) {
	cache, dir := t.TempDir(), t.TempDir()
	e := NewExecutor(cache)
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	run := experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1,
		Pretrain: experiments.Pretrain{Corpus: "embedded-corpus", Steps: 3, Batch: 4, SeqLen: 16, LR: 1e-3, Seed: 1},
		Data:     experiments.Data{MaxTrain: 16, MaxValidation: 8, MaxTest: 8},
		Train:    experiments.Train{Steps: 4, Batch: 4, SeqLen: 16, LR: 1e-2, SaveSteps: []int{2, 4}, ForgettingTokens: 64},
		Method:   method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}}
	res, err := e.Run(context.Background(), run, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []int{2, 4} {
		for _, f := range []string{record.CheckpointFile, record.AdapterFile} {
			if _, err := os.Stat(filepath.Join(dir, record.StepDir(step), f)); err != nil {
				t.Errorf("step %d: %v", step, err)
			}
		}
	}
	last, _ := os.ReadFile(filepath.Join(dir, record.StepDir(4), record.CheckpointFile))
	final, _ := os.ReadFile(filepath.Join(dir, record.CheckpointFile))
	if len(last) == 0 || !bytes.Equal(last, final) {
		t.Error("the checkpoint of the last step differs from the run's")
	}
	h := res.Metrics[record.ForgettingSplit]
	if h == nil {
		t.Fatalf("no %s metrics in %v", record.ForgettingSplit, res.Metrics)
	}
	if h[record.NLLStep0] != h[record.NLLBase] || h[record.NLLAfter] == h[record.NLLBase] || h[record.NLLTokens] < 1 {
		t.Errorf("held-out NLL base %v, step 0 %v, after %v over %v tokens: want step 0 = base != after",
			h[record.NLLBase], h[record.NLLStep0], h[record.NLLAfter], h[record.NLLTokens])
	}
}

// TestRunMemoryByHand: d 16, d_ff 32, 2 layers, 2 heads, vocabulary 300, max_len 32, batch 4
// of 8 tokens. Parameters (300+32)·16 + 2·(4·256 + 2·512) = 9408; per token 2·(160+64+16) =
// 480 values, 780 with the decoder's logits; 32 tokens. Encoder: 2·(16·9408 + 8·32·480) =
// 546,816; decoder: 2·(16·9408 + 8·32·780) = 700,416.
func TestRunMemoryByHand(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32}
	if got := train.RunMemory(cfg, 4, 8); got != 546816 {
		t.Errorf("encoder: %d bytes, want 546816", got)
	}
	cfg.Arch = model.Decoder
	if got := train.RunMemory(cfg, 4, 64); got != train.RunMemory(cfg, 4, 32) {
		t.Errorf("seq 64 beyond max_len 32 is not cut to 32")
	}
	if got := train.RunMemory(cfg, 4, 8); got != 700416 {
		t.Errorf("decoder: %d bytes, want 700416", got)
	}
}

func TestDefaultJobs(t *testing.T) {
	for _, c := range []struct {
		threads        int
		available, run int64
		want           int
	}{
		{2, 0, 100, 2},    // memory unknown: one run per thread
		{8, 1000, 300, 3}, // memory holds 3
		{8, 100, 300, 1},  // not even one fits: still one
		{0, 1000, 100, 1}, // no threads given
		{4, 1000, 100, 4}, // threads bind
	} {
		if got := train.DefaultJobs(c.threads, c.available, c.run); got != c.want {
			t.Errorf("train.DefaultJobs(%d, %d, %d) = %d, want %d", c.threads, c.available, c.run, got, c.want)
		}
	}
}

// TestTrainConfigCarriesProtocolKeys checks that the sweep's head_lr and eval_limit reach
// the training loop's config.
func TestTrainConfigCarriesProtocolKeys(t *testing.T) {
	run := experiments.RunSpec{Train: experiments.Train{Steps: 10, Batch: 4, LR: 1e-3, HeadLR: 3e-2, EvalLimit: 40}, Seed: 2}
	cfg := trainConfig(run, 100)
	if cfg.HeadLR != 3e-2 || cfg.EvalLimit != 40 || cfg.LR != 1e-3 {
		t.Errorf("config %+v", cfg)
	}
}

// TestExecutorMeasuresForgettingOnAFolderBase: a base read with model.from whose folder
// carries held-out windows (model.HeldOutFile) is measured on the leading windows that
// cover train.forgetting_tokens: its NLL is ScoreWindows' on them, LoRA's step 0 equals it
// (identity at init) and training moves it. The same folder without the file measures
// nothing.
func TestExecutorMeasuresForgettingOnAFolderBase(t *testing.T) {
	cfg, m, tok := tinyFolderModel(t)
	const T, windows, batch = 16, 12, 4
	rng := rand.New(rand.NewPCG(1, 2))
	ids, targets := make([][]int32, windows), make([][]int32, windows)
	for w := range windows {
		ids[w], targets[w] = make([]int32, T), make([]int32, T)
		for i := range T {
			ids[w][i], targets[w][i] = int32(rng.IntN(tok.VocabSize())), -1
			if rng.IntN(4) == 0 {
				targets[w][i] = int32(rng.IntN(tok.VocabSize()))
			}
		}
	}
	held, err := model.NewHeldOutWindows(model.Encoder, cfg.Vocab, batch, ids, targets)
	if err != nil {
		t.Fatal(err)
	}
	for _, withFile := range []bool{true, false} {
		dir := filepath.Join(t.TempDir(), "base")
		if err := model.Save(dir, m, tok, nil); err != nil {
			t.Fatal(err)
		}
		if withFile {
			if err := held.Save(dir, "test"); err != nil {
				t.Fatal(err)
			}
		}
		digest, err := experiments.HashModelFolder(t.TempDir(), dir)
		if err != nil {
			t.Fatal(err)
		}
		// 64 held-out tokens: the encoder's windows advance by T-1 = 15, so 5 windows.
		run := experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1,
			Pretrain: experiments.Pretrain{From: dir, FromSHA256: digest},
			Data:     experiments.Data{MaxTrain: 16, MaxValidation: 8, MaxTest: 8},
			Train:    experiments.Train{Steps: 3, Batch: 4, SeqLen: 16, LR: 1e-2, ForgettingTokens: 64},
			Method:   method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}}
		res, err := NewExecutor(t.TempDir()).Run(context.Background(), run, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		h, measured := res.Metrics[record.ForgettingSplit]
		if !withFile {
			if measured {
				t.Errorf("a folder without %s measured forgetting: %v", model.HeldOutFile, h)
			}
			continue
		}
		want, err := model.ScoreWindows(m, ids[:5], targets[:5], batch, 1)
		if err != nil {
			t.Fatal(err)
		}
		if h[record.NLLBase] != want.NLL || h[record.NLLTokens] != float64(want.Tokens) {
			t.Errorf("base NLL %v on %v tokens, ScoreWindows on the first 5 windows gives %v on %d", h[record.NLLBase], h[record.NLLTokens], want.NLL, want.Tokens)
		}
		if h[record.NLLStep0] != h[record.NLLBase] || h[record.NLLAfter] == h[record.NLLBase] {
			t.Errorf("held-out NLL base %v, step 0 %v, after %v: want step 0 = base != after", h[record.NLLBase], h[record.NLLStep0], h[record.NLLAfter])
		}
	}
}

// TestExecutorRecordsAbsoluteBaseWeights runs from a base folder named relative to the
// working directory and checks that the result records the weights file by an absolute
// path, so the update analyses find W whatever folder the report is made in.
func TestExecutorRecordsAbsoluteBaseWeights(t *testing.T) {
	cfg, m, tok := tinyFolderModel(t)
	work := t.TempDir()
	if err := model.Save(filepath.Join(work, "models", "base"), m, tok, nil); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	const rel = "models/base"
	digest, err := experiments.HashModelFolder(t.TempDir(), rel)
	if err != nil {
		t.Fatal(err)
	}
	run := experiments.RunSpec{Model: cfg, Task: "embedded-cls", Seed: 1,
		Pretrain: experiments.Pretrain{From: rel, FromSHA256: digest},
		Data:     experiments.Data{MaxTrain: 16, MaxValidation: 8, MaxTest: 8},
		Train:    experiments.Train{Steps: 2, Batch: 4, SeqLen: 16, LR: 1e-2},
		Method:   method.Spec{Name: method.LoRA, Rank: 2, Alpha: 2, Targets: []string{"q", "v"}}}
	res, err := NewExecutor(t.TempDir()).Run(context.Background(), run, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := res.Config["base"].(string)
	want := filepath.Join(work, rel, model.WeightsFile)
	if got != want {
		t.Errorf("recorded base %q, want the absolute %q", got, want)
	}
	if _, err := os.Stat(got); err != nil {
		t.Errorf("recorded base: %v", err)
	}
}

// tinyFolderModel is a small encoder and a tokenizer to save as a from: base folder.
func tinyFolderModel(t *testing.T) (model.Config, *model.Model, *tokenizer.Tokenizer) {
	t.Helper()
	cfg := model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Train([]string{"a small corpus of words about scenes", "and more words with other letters"}, tokenizer.TrainConfig{VocabSize: 280})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, m, tok
}
