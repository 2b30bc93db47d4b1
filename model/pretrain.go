package model

import (
	"context"
	"errors"
	"fmt"

	"loralab/model/tokenizer"
	"loralab/nn"
)

// PretrainConfig sets up masked-LM (encoder) or causal-LM (decoder) pretraining.
type PretrainConfig struct {
	Model  Config `json:"model"`
	Corpus string `json:"corpus"` // the corpus's name, part of the cache key
	Steps  int    `json:"steps"`
	Batch  int    `json:"batch"`   // sequences per step
	SeqLen int    `json:"seq_len"` // tokens per sequence, at most Model.MaxLen
	// LR is the peak learning rate of a linear warmup over Warmup steps followed by a
	// cosine decay to zero at Steps.
	LR          float32 `json:"lr"`
	Warmup      int     `json:"warmup"`
	WeightDecay float32 `json:"weight_decay"` // AdamW decay of matrices and embeddings; 0 = none
	ClipNorm    float32 `json:"clip_norm"`    // gradient-norm clipping; 0 = none
	Seed        uint64  `json:"seed"`
	// Threads is the goroutines per op. It does not change any result, so it is not part
	// of the cache key.
	Threads int `json:"-"`
	// HeldOut is the fraction of documents held out for evaluation (0 means 0.1);
	// EvalTokens caps the held-out tokens read for evaluation (0 means 65536): all of them
	// are predicted by the decoder, about 15% of them by the encoder.
	HeldOut    float64 `json:"held_out"`
	EvalTokens int     `json:"eval_tokens"`
}

// Masked-LM corruption, as BERT and RoBERTa: 15% of positions are predicted; of those, 80%
// are replaced by the mask token, 10% by a random token and 10% kept.
const (
	mlmProb     = 0.15
	mlmMask     = 0.8
	mlmRandom   = 0.1
	defaultHeld = 0.1
	defaultEval = 65536
	// splitSeed fixes the document split whatever the training seed, so that held-out
	// perplexities of different seeds are measured on the same documents.
	splitSeed = 0x5eed
)

// withDefaults fills the zero fields that have a default.
func (c PretrainConfig) withDefaults() PretrainConfig {
	if c.HeldOut == 0 {
		c.HeldOut = defaultHeld
	}
	if c.EvalTokens == 0 {
		c.EvalTokens = defaultEval
	}
	c.Threads = max(c.Threads, 1)
	return c
}

// validate reports every problem of c.
func (c PretrainConfig) validate() error {
	var errs []error
	if err := c.Model.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Steps < 1 || c.Batch < 1 || c.SeqLen < 2 {
		errs = append(errs, fmt.Errorf("steps %d, batch %d, seq_len %d: want steps >= 1, batch >= 1, seq_len >= 2", c.Steps, c.Batch, c.SeqLen))
	}
	if c.SeqLen > c.Model.MaxLen {
		errs = append(errs, fmt.Errorf("seq_len %d exceeds the model's max_len %d", c.SeqLen, c.Model.MaxLen))
	}
	if !(c.LR > 0) || c.Warmup < 0 || c.Warmup > c.Steps {
		errs = append(errs, fmt.Errorf("lr %g, warmup %d: want lr > 0 and 0 <= warmup <= steps %d", c.LR, c.Warmup, c.Steps))
	}
	if c.WeightDecay < 0 || c.ClipNorm < 0 {
		errs = append(errs, fmt.Errorf("weight_decay %g, clip_norm %g: want >= 0", c.WeightDecay, c.ClipNorm))
	}
	if !(c.HeldOut > 0 && c.HeldOut < 1) || c.EvalTokens < 1 {
		errs = append(errs, fmt.Errorf("held_out %g, eval_tokens %d: want 0 < held_out < 1 and eval_tokens >= 1", c.HeldOut, c.EvalTokens))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pretrain config: %w", err)
	}
	return nil
}

// PretrainStats is what pretraining records next to the checkpoint.
type PretrainStats struct {
	Key    string          `json:"key"`
	Config PretrainConfig  `json:"config"`
	Losses []float64       `json:"losses"` // training loss of every step
	Eval   HeldOutEval     `json:"held_out"`
	Data   PretrainDataset `json:"data"`
}

// HeldOutEval is the perplexity of the trained model on the held-out documents, next to
// that of the unigram distribution of the training tokens (add-one smoothed) on the same
// predicted tokens: a model that learned anything beyond word frequencies beats it.
type HeldOutEval struct {
	Tokens     int     `json:"tokens"` // predicted tokens scored
	NLL        float64 `json:"nll"`    // mean, in nats
	Perplexity float64 `json:"perplexity"`
	// Accuracy is the fraction of predicted tokens that are the model's most likely token:
	// masked-LM accuracy for the encoder, next-token accuracy for the decoder.
	Accuracy   float64 `json:"accuracy"`
	UnigramNLL float64 `json:"unigram_nll"`
	UnigramPPL float64 `json:"unigram_perplexity"`
}

// PretrainDataset describes the tokenized corpus and its split.
type PretrainDataset struct {
	TrainDocs     int `json:"train_docs"`
	HeldOutDocs   int `json:"held_out_docs"`
	TrainTokens   int `json:"train_tokens"`
	HeldOutTokens int `json:"held_out_tokens"`
}

// Pretrained is the result of Pretrain.
type Pretrained struct {
	Model *Model
	Stats PretrainStats
	Dir   string // the checkpoint folder in the cache; empty without a cache
	// Cached reports that the model was loaded from the cache rather than trained.
	Cached bool
}

// Pretrain trains a model of cfg.Model from scratch on the corpus documents, tokenized by
// tok: masked-LM for an encoder, next-token prediction for a decoder, both through the tied
// LM projection, with AdamW. A document-level split holds out cfg.HeldOut of the documents,
// on which the held-out and unigram perplexities are measured at the end.
//
// With a cacheDir, the result is stored under cacheDir/<key>, where the key hashes the
// configuration, the corpus name and content and the tokenizer; a later call with the same
// inputs loads it instead of training. The folder is written under a temporary name and
// renamed into place, so an interrupted run leaves no partial checkpoint. progress, if not
// nil, is called after every training step with the step (from 1) and its loss; a result
// loaded from the cache calls it never.
func Pretrain(ctx context.Context, cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer, cacheDir string,
	progress func(step int, loss float64)) (*Pretrained, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if tok.VocabSize() > cfg.Model.Vocab {
		return nil, fmt.Errorf("pretrain: the tokenizer has %d tokens but the model's vocabulary only %d", tok.VocabSize(), cfg.Model.Vocab)
	}
	key, err := pretrainKey(cfg, corpus, tok)
	if err != nil {
		return nil, err
	}
	if cacheDir != "" {
		if p, err := loadPretrained(cacheDir, key); err != nil || p != nil {
			return p, err
		}
	}
	data, err := newPretrainData(cfg, corpus, tok)
	if err != nil {
		return nil, err
	}
	pt, err := newPretrainer(cfg, data)
	if err != nil {
		return nil, err
	}
	losses := make([]float64, 0, cfg.Steps)
	for pt.Done() < cfg.Steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pretrain: stopped at step %d: %w", pt.Done(), err)
		}
		l, err := pt.Step()
		if err != nil {
			return nil, err
		}
		losses = append(losses, l)
		if progress != nil {
			progress(pt.Done(), l)
		}
	}
	m := pt.Model()
	stats := PretrainStats{Key: key, Config: cfg, Losses: losses, Eval: pt.Evaluate(), Data: data.describe()}
	p := &Pretrained{Model: m, Stats: stats}
	if cacheDir != "" {
		if p.Dir, err = storePretrained(cacheDir, key, m, tok, stats); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// lmLoss is the mean cross-entropy of the tied LM projection of h against targets (-1 =
// not predicted), and the number of predicted rows. Only those rows are projected onto the
// vocabulary, which saves most of that work in masked-LM, where 15% of rows are predicted.
func lmLoss(t *nn.Tape, m *Model, h *nn.Tensor, targets []int32) (*nn.Tensor, int) {
	var rows, kept []int32
	for i, tg := range targets {
		if tg >= 0 {
			rows, kept = append(rows, int32(i)), append(kept, tg)
		}
	}
	if len(rows) < len(targets)/2 {
		h, targets = t.GatherRows(h, rows), kept
	}
	return t.CrossEntropy(m.LMLogits(t, h), targets, -1, 0), len(rows)
}

// decayGroups splits params into matrices and embeddings, which AdamW decays, and vectors
// (biases, LayerNorm gains and shifts), which it does not.
func decayGroups(params []*nn.Tensor, decay float32) []nn.ParamGroup {
	groups := []nn.ParamGroup{{Name: "decay", WeightDecay: decay}, {Name: "no_decay"}}
	for _, p := range params {
		if len(p.Shape) >= 2 {
			groups[0].Params = append(groups[0].Params, p)
		} else {
			groups[1].Params = append(groups[1].Params, p)
		}
	}
	return groups
}
