package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"loralab/model/tokenizer"
	"loralab/nn"
)

// pretrainData is a tokenized corpus split by document into a training and a held-out
// token stream, and the framing of the windows cut from them.
//
// Framing follows the two model families. The encoder's stream ends every document with
// the separator </s>, and every window opens with the classification token <s> followed by
// SeqLen-1 consecutive stream tokens, as RoBERTa's packed inputs <s> … </s> doc </s> …: so
// <s>, whose final state the classification head reads, is trained in every window. The
// decoder's stream separates documents with the end-of-text token and a window is SeqLen
// consecutive stream tokens, each predicting the next, as GPT-2's.
type pretrainData struct {
	arch           string
	seqLen         int
	tokVocab       int    // ids below this are real tokens (random MLM replacements)
	mask           int32  // the mask token (encoder)
	cls            int32  // the token every encoder window opens with
	special        []bool // by id: tokens masked-LM never chooses (the tokenizer's added tokens)
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
	d := &pretrainData{arch: cfg.Model.Arch, seqLen: cfg.SeqLen, tokVocab: tok.VocabSize(), mask: sp.MASK, cls: sp.CLS}
	end := sp.EOS
	if d.arch == Encoder {
		if sp.MASK == tokenizer.NoToken || sp.CLS == tokenizer.NoToken || sp.SEP == tokenizer.NoToken {
			return nil, fmt.Errorf("pretrain: masked-LM needs mask, <s> and </s> tokens (ids %d, %d, %d; -1 = missing)", sp.MASK, sp.CLS, sp.SEP)
		}
		end = sp.SEP
	} else if end == tokenizer.NoToken {
		return nil, fmt.Errorf("pretrain: causal-LM needs an end-of-text token to separate documents, and the tokenizer has none")
	}
	d.special = make([]bool, d.tokVocab)
	for id := range d.special {
		d.special[id] = tok.IsAdded(int32(id))
	}
	order := rand.New(rand.NewPCG(splitSeed, uint64(len(corpus)))).Perm(len(corpus))
	nHeld := max(1, int(math.Round(cfg.HeldOut*float64(len(corpus)))))
	for rank, doc := range order {
		ids := append(tok.Encode(corpus[doc]), end)
		if rank < nHeld {
			d.heldOut = append(d.heldOut, ids...)
			d.heldDocs++
		} else {
			d.train = append(d.train, ids...)
			d.trainDocs++
		}
	}
	if len(d.train) < d.span() {
		return nil, fmt.Errorf("pretrain: corpus %q has %d training tokens, fewer than one window of %d", cfg.Corpus, len(d.train), d.span())
	}
	if len(d.heldOut) < 2 {
		return nil, fmt.Errorf("pretrain: corpus %q has %d held-out tokens: too few to evaluate", cfg.Corpus, len(d.heldOut))
	}
	return d, nil
}

// span is the number of stream tokens one window reads: SeqLen-1 after the encoder's <s>;
// SeqLen inputs and the next token as the last target for the decoder.
func (d *pretrainData) span() int {
	if d.arch == Encoder {
		return d.seqLen - 1
	}
	return d.seqLen + 1
}

// describe counts the documents and tokens on each side of the split.
func (d *pretrainData) describe() PretrainDataset {
	return PretrainDataset{TrainDocs: d.trainDocs, HeldOutDocs: d.heldDocs, TrainTokens: len(d.train), HeldOutTokens: len(d.heldOut)}
}

// sampleBatch fills b with windows at random offsets of the training stream and targets
// with what to predict at each row (-1 for nothing).
func (d *pretrainData) sampleBatch(rng *rand.Rand, b *Batch, targets []int32) {
	T := b.T
	for s := range b.B {
		start := rng.IntN(len(d.train) - d.span() + 1)
		d.window(rng, d.train, start, b.IDs[s*T:(s+1)*T], targets[s*T:(s+1)*T])
	}
}

// window frames the window of stream starting at start into ids and writes into targets
// what to predict at each position: the next token for the decoder; for the encoder, the
// original token of the positions it then corrupts (drawing from rng), -1 elsewhere.
func (d *pretrainData) window(rng *rand.Rand, stream []int32, start int, ids, targets []int32) {
	if d.arch == Decoder {
		copy(ids, stream[start:start+len(ids)])
		copy(targets, stream[start+1:start+len(ids)+1])
		return
	}
	ids[0] = d.cls
	copy(ids[1:], stream[start:start+len(ids)-1])
	d.corrupt(rng, ids, targets)
}

// corrupt applies masked-LM corruption to one sequence in place, writing the targets: each
// position holding a real token is chosen with probability 15% (at least one per
// sequence); a chosen token becomes the mask token with probability 80%, a random token
// with 10%, or stays. Special tokens (<s>, </s>) are never chosen, as in RoBERTa's recipe.
func (d *pretrainData) corrupt(rng *rand.Rand, ids, targets []int32) {
	chosen, real := 0, 0
	for i, id := range ids {
		targets[i] = -1
		if d.special[id] {
			continue
		}
		real++
		if rng.Float64() < mlmProb {
			d.corruptAt(rng, ids, targets, i)
			chosen++
		}
	}
	if chosen > 0 || real == 0 {
		return
	}
	k := rng.IntN(real) // the k-th real token, counting from 0
	for i, id := range ids {
		if !d.special[id] {
			if k == 0 {
				d.corruptAt(rng, ids, targets, i)
				return
			}
			k--
		}
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
// cfg.EvalTokens stream tokens: next-token NLL and accuracy for the decoder; for the
// encoder, NLL and accuracy of the corrupted positions, corrupted with a fixed seed so that
// every model sees the same masks. The unigram baseline scores the same target tokens.
func evaluateHeldOut(m *Model, cfg PretrainConfig, d *pretrainData) HeldOutEval {
	e, _ := heldOutSetOf(cfg, d).Score(m) // the model is the one pretrained on d: it fits
	return e
}

// heldOutWindows frames the windows evaluateHeldOut reads: consecutive windows of the
// held-out stream up to cfg.EvalTokens stream tokens, with their targets (-1 where nothing
// is predicted); the encoder's masks come from a fixed seed.
func heldOutWindows(cfg PretrainConfig, d *pretrainData) (ids, targets [][]int32) {
	T := min(cfg.SeqLen, len(d.heldOut)-1)
	stride := T // the decoder's windows overlap by the one token that is the last target
	if d.arch == Encoder {
		stride = T - 1
	}
	windows := max(1, min((len(d.heldOut)-1)/stride, (cfg.EvalTokens+stride-1)/stride))
	rng := rand.New(rand.NewPCG(splitSeed, 1))
	ids, targets = make([][]int32, windows), make([][]int32, windows)
	for w := range windows {
		ids[w], targets[w] = make([]int32, T), make([]int32, T)
		d.window(rng, d.heldOut, w*stride, ids[w], targets[w])
	}
	return ids, targets
}

// scoreWindows is m's NLL and accuracy on the predicted positions (targets >= 0) of equal-
// length windows, read batch windows at a time; the unigram fields stay zero.
func scoreWindows(m *Model, ids, targets [][]int32, batch, threads int) HeldOutEval {
	tape := nn.NewTape(threads)
	tape.SetGrad(false)
	tape.SetTrain(false)
	var nll float64
	count, correct := 0, 0
	for first := 0; first < len(ids); first += batch {
		B := min(batch, len(ids)-first)
		T := len(ids[first])
		b := &Batch{B: B, T: T, IDs: make([]int32, 0, B*T)}
		tg := make([]int32, 0, B*T)
		for s := range B {
			b.IDs = append(b.IDs, ids[first+s]...)
			tg = append(tg, targets[first+s]...)
		}
		tape.Reset()
		n, c, l := scoreRows(tape, m, m.Forward(tape, b, &Context{Batch: b}), tg)
		nll += l * float64(n)
		count += n
		correct += c
	}
	e := HeldOutEval{Tokens: count, NLL: nll / float64(count), Accuracy: float64(correct) / float64(count)}
	e.Perplexity = math.Exp(e.NLL)
	return e
}

// scoreRows projects the predicted rows of h (targets >= 0) onto the vocabulary and returns
// their number, how many of them have the target as the most likely token, and their mean
// cross-entropy.
func scoreRows(t *nn.Tape, m *Model, h *nn.Tensor, targets []int32) (n, correct int, nll float64) {
	var rows, kept []int32
	for i, tg := range targets {
		if tg >= 0 {
			rows, kept = append(rows, int32(i)), append(kept, tg)
		}
	}
	if len(rows) == 0 {
		return 0, 0, 0
	}
	logits := m.LMLogits(t, t.GatherRows(h, rows))
	V := logits.Shape[1]
	for r, tg := range kept {
		row := logits.Data[r*V : (r+1)*V]
		best := 0
		for v, x := range row {
			if x > row[best] {
				best = v
			}
		}
		if int32(best) == tg {
			correct++
		}
	}
	return len(rows), correct, float64(t.CrossEntropy(logits, kept, -1, 0).Data[0])
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
