package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"loralab/model/tokenizer"
	"loralab/nn"
)

// pretrainData is a tokenized corpus split by document into a training and a held-out
// token stream; documents are joined with the eos token where the tokenizer has one.
type pretrainData struct {
	arch           string
	seqLen         int
	tokVocab       int   // ids below this are real tokens (random MLM replacements)
	mask           int32 // the mask token (encoder)
	train, heldOut []int32
	trainDocs      int
	heldDocs       int
}

// newPretrainData tokenizes the corpus and splits it: a fixed shuffle of the documents (the
// same whatever the training seed) puts cfg.HeldOut of them, at least one, in the held-out
// stream.
func newPretrainData(cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer) (*pretrainData, error) {
	if len(corpus) < 2 {
		return nil, fmt.Errorf("pretrain: corpus %q has %d documents: the held-out split needs at least 2", cfg.Corpus, len(corpus))
	}
	sp := tok.Specials()
	d := &pretrainData{arch: cfg.Model.Arch, seqLen: cfg.SeqLen, tokVocab: tok.VocabSize(), mask: sp.MASK}
	if d.arch == Encoder && sp.MASK == tokenizer.NoToken {
		return nil, fmt.Errorf("pretrain: masked-LM needs a mask token, and the tokenizer has none")
	}
	order := rand.New(rand.NewPCG(splitSeed, uint64(len(corpus)))).Perm(len(corpus))
	nHeld := max(1, int(math.Round(cfg.HeldOut*float64(len(corpus)))))
	for rank, doc := range order {
		ids := tok.Encode(corpus[doc])
		if sp.EOS != tokenizer.NoToken {
			ids = append(ids, sp.EOS)
		}
		if rank < nHeld {
			d.heldOut = append(d.heldOut, ids...)
			d.heldDocs++
		} else {
			d.train = append(d.train, ids...)
			d.trainDocs++
		}
	}
	if len(d.train) <= cfg.SeqLen+1 {
		return nil, fmt.Errorf("pretrain: corpus %q has %d training tokens, fewer than one sequence of %d", cfg.Corpus, len(d.train), cfg.SeqLen+1)
	}
	if len(d.heldOut) < 2 {
		return nil, fmt.Errorf("pretrain: corpus %q has %d held-out tokens: too few to evaluate", cfg.Corpus, len(d.heldOut))
	}
	return d, nil
}

// describe counts the documents and tokens on each side of the split.
func (d *pretrainData) describe() PretrainDataset {
	return PretrainDataset{TrainDocs: d.trainDocs, HeldOutDocs: d.heldDocs, TrainTokens: len(d.train), HeldOutTokens: len(d.heldOut)}
}

// sampleBatch fills b with random windows of the training stream and targets with what to
// predict at each row (-1 for nothing): the next token for the decoder, the original token
// of the corrupted positions for the encoder.
func (d *pretrainData) sampleBatch(rng *rand.Rand, b *Batch, targets []int32) {
	T := b.T
	for s := range b.B {
		start := rng.IntN(len(d.train) - T)
		d.window(rng, d.train, start, b.IDs[s*T:(s+1)*T], targets[s*T:(s+1)*T])
	}
}

// window copies stream[start:start+len(ids)] into ids and writes into targets what to
// predict at each position: the next token for the decoder; for the encoder, the original
// token of the positions it then corrupts (drawing from rng), -1 elsewhere.
func (d *pretrainData) window(rng *rand.Rand, stream []int32, start int, ids, targets []int32) {
	copy(ids, stream[start:start+len(ids)])
	if d.arch == Decoder {
		copy(targets, stream[start+1:start+len(ids)+1])
	} else {
		d.corrupt(rng, ids, targets)
	}
}

// corrupt applies masked-LM corruption to one sequence in place, writing the targets: each
// position is chosen with probability 15% (at least one per sequence); a chosen token
// becomes the mask token with probability 80%, a random token with 10%, or stays.
func (d *pretrainData) corrupt(rng *rand.Rand, ids, targets []int32) {
	chosen := 0
	for i := range ids {
		targets[i] = -1
		if rng.Float64() < mlmProb {
			d.corruptAt(rng, ids, targets, i)
			chosen++
		}
	}
	if chosen == 0 {
		d.corruptAt(rng, ids, targets, rng.IntN(len(ids)))
	}
}

// corruptAt makes position i a masked-LM target and corrupts it: the mask token with
// probability 80%, a random real token with 10%, unchanged otherwise.
func (d *pretrainData) corruptAt(rng *rand.Rand, ids, targets []int32, i int) {
	targets[i] = ids[i]
	switch r := rng.Float64(); {
	case r < mlmMask:
		ids[i] = d.mask
	case r < mlmMask+mlmRandom:
		ids[i] = int32(rng.IntN(d.tokVocab))
	}
}

// evaluateHeldOut scores the model on consecutive windows of the held-out stream, up to
// cfg.EvalTokens predicted tokens: next-token NLL for the decoder; for the encoder, NLL of
// the corrupted positions, corrupted with a fixed seed so that every model sees the same
// masks. The unigram baseline scores the same target tokens.
func evaluateHeldOut(m *Model, cfg PretrainConfig, d *pretrainData) HeldOutEval {
	W := min(cfg.SeqLen, len(d.heldOut)-1)
	windows := min((len(d.heldOut)-1)/W, (cfg.EvalTokens+W-1)/W)
	rng := rand.New(rand.NewPCG(splitSeed, 1))
	unigram := unigramLogProbs(d.train, d.tokVocab)
	tape := nn.NewTape(cfg.Threads)
	tape.SetGrad(false)
	tape.SetTrain(false)
	var nll, uni float64
	count := 0
	for first := 0; first < windows; first += cfg.Batch {
		B := min(cfg.Batch, windows-first)
		b := &Batch{B: B, T: W, IDs: make([]int32, B*W)}
		targets := make([]int32, B*W)
		for s := range B {
			d.window(rng, d.heldOut, (first+s)*W, b.IDs[s*W:(s+1)*W], targets[s*W:(s+1)*W])
		}
		for _, tg := range targets {
			if tg >= 0 {
				uni -= unigram[tg]
			}
		}
		tape.Reset()
		loss, n := lmLoss(tape, m, m.Forward(tape, b, &Context{Batch: b}), targets)
		nll += float64(loss.Data[0]) * float64(n)
		count += n
	}
	e := HeldOutEval{Tokens: count, NLL: nll / float64(count), UnigramNLL: uni / float64(count)}
	e.Perplexity, e.UnigramPPL = math.Exp(e.NLL), math.Exp(e.UnigramNLL)
	return e
}

// unigramLogProbs is the add-one smoothed log-frequency of each of vocab tokens in stream.
func unigramLogProbs(stream []int32, vocab int) []float64 {
	counts := make([]float64, vocab)
	for _, id := range stream {
		counts[id]++
	}
	total := float64(len(stream) + vocab)
	for i, c := range counts {
		counts[i] = math.Log((c + 1) / total)
	}
	return counts
}
