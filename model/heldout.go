package model

import (
	"fmt"
	"math"

	"loralab/model/tokenizer"
)

// HeldOutSet is held-out windows of one pretraining run, kept to score other models on
// them: the base itself, and the base after fine-tuning, whose higher loss on the same text
// measures what fine-tuning made it forget. NewHeldOutSet rebuilds them from the corpus;
// ReadHeldOut reads the ones a model folder carries (HeldOutFile).
type HeldOutSet struct {
	arch         string
	vocab        int
	batch        int // windows per forward pass, the pretraining's batch
	threads      int
	ids, targets [][]int32 // -1 in targets where nothing is predicted
	// unigram is the log-probabilities of the unigram model of the training stream, scoring
	// the same targets as a baseline; nil for windows without their corpus.
	unigram []float64
}

// NewHeldOutSet rebuilds the held-out split Pretrain makes of corpus under cfg (the
// configuration the base was pretrained with, as its PretrainStats.Config records it). The
// split depends only on the corpus, the tokenizer and cfg.HeldOut, through a fixed seed, so
// it holds exactly the documents the base never trained on. maxTokens caps the held-out
// tokens Score reads, as cfg.EvalTokens does (0 = cfg.EvalTokens): a decoder predicts all of
// them, an encoder about 15%. threads is the goroutines per op.
func NewHeldOutSet(cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer, maxTokens, threads int) (*HeldOutSet, error) {
	if maxTokens < 0 {
		return nil, fmt.Errorf("model: held-out set: max tokens %d, want >= 0", maxTokens)
	}
	if maxTokens > 0 {
		cfg.EvalTokens = maxTokens
	}
	cfg.Threads = threads
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("model: held-out set: %w", err)
	}
	data, err := newPretrainData(cfg, corpus, tok)
	if err != nil {
		return nil, fmt.Errorf("model: held-out set: %w", err)
	}
	return heldOutSetOf(cfg, data), nil
}

// heldOutSetOf is the held-out windows of d that Pretrain evaluates under cfg, with the
// unigram baseline of d's training stream.
func heldOutSetOf(cfg PretrainConfig, d *pretrainData) *HeldOutSet {
	ids, targets := heldOutWindows(cfg, d)
	return &HeldOutSet{arch: d.arch, vocab: cfg.Model.Vocab, batch: cfg.Batch, threads: cfg.Threads,
		ids: ids, targets: targets, unigram: unigramLogProbs(d.train, d.tokVocab)}
}

// Score is m's pretraining loss on the held-out windows: next-token NLL for a decoder,
// masked-LM NLL for an encoder with the masks drawn from a fixed seed, so every model is
// scored on the same windows, masks and targets; the unigram fields are zero for a set read
// from a folder. m must have the base's architecture and vocabulary; methods applied to it
// (LoRA, adapters) take part in its forward pass.
func (h *HeldOutSet) Score(m *Model) (HeldOutEval, error) {
	if m.Cfg.Arch != h.arch || m.Cfg.Vocab != h.vocab {
		return HeldOutEval{}, fmt.Errorf("model: held-out score: the model is an %s of vocabulary %d, the held-out set was made for an %s of vocabulary %d",
			m.Cfg.Arch, m.Cfg.Vocab, h.arch, h.vocab)
	}
	if len(h.ids[0]) > m.Cfg.MaxLen {
		return HeldOutEval{}, fmt.Errorf("model: held-out score: windows of %d tokens, the model reads at most %d", len(h.ids[0]), m.Cfg.MaxLen)
	}
	e := scoreWindows(m, h.ids, h.targets, h.batch, h.threads)
	if h.unigram == nil {
		return e, nil
	}
	var uni float64
	for _, row := range h.targets {
		for _, tg := range row {
			if tg >= 0 {
				uni -= h.unigram[tg]
			}
		}
	}
	e.UnigramNLL = uni / float64(e.Tokens)
	e.UnigramPPL = math.Exp(e.UnigramNLL)
	return e, nil
}

// Windows returns the windows Score reads, in order: each row's input ids and its targets
// (-1 where nothing is predicted). Scored by ScoreWindows at Batch windows at a time they
// give Score's NLL and accuracy.
func (h *HeldOutSet) Windows() (ids, targets [][]int32) { return h.ids, h.targets }

// Batch is how many windows Score reads at a time (the pretraining's batch size).
func (h *HeldOutSet) Batch() int { return h.batch }

// ScoreWindows is m's NLL, perplexity and accuracy on the predicted positions (targets >= 0)
// of equal-length windows, read batch windows at a time (the unigram fields are zero): a
// fixed batch of held-out text, recorded once, checks a shipped model without its corpus.
func ScoreWindows(m *Model, ids, targets [][]int32, batch, threads int) (HeldOutEval, error) {
	if len(ids) == 0 || len(ids) != len(targets) || batch < 1 {
		return HeldOutEval{}, fmt.Errorf("model: score windows: %d windows, %d target rows, batch %d", len(ids), len(targets), batch)
	}
	predicted := 0
	for w := range ids {
		if len(ids[w]) != len(ids[0]) || len(targets[w]) != len(ids[w]) {
			return HeldOutEval{}, fmt.Errorf("model: score windows: window %d has %d ids and %d targets, window 0 has %d ids", w, len(ids[w]), len(targets[w]), len(ids[0]))
		}
		if len(ids[w]) > m.Cfg.MaxLen {
			return HeldOutEval{}, fmt.Errorf("model: score windows: window %d has %d tokens, the model reads at most %d", w, len(ids[w]), m.Cfg.MaxLen)
		}
		for i, id := range ids[w] {
			if id < 0 || int(id) >= m.Cfg.Vocab || targets[w][i] >= int32(m.Cfg.Vocab) {
				return HeldOutEval{}, fmt.Errorf("model: score windows: window %d position %d: token %d or target %d outside the vocabulary of %d", w, i, id, targets[w][i], m.Cfg.Vocab)
			}
			if targets[w][i] >= 0 {
				predicted++
			}
		}
	}
	if predicted == 0 {
		return HeldOutEval{}, fmt.Errorf("model: score windows: no position has a target")
	}
	return scoreWindows(m, ids, targets, batch, threads), nil
}
