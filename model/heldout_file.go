package model

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"

	"loralab/model/arch"
	"loralab/model/safetensors"
	"loralab/model/tokenizer"
)

// HeldOutFile is the file of a loralab model folder that holds held-out windows of the
// base's pretraining (documents it never trained on), so that forgetting can be measured on
// a base read from its folder, without its corpus or the code that split it. It is a
// safetensors file with two integer tensors of shape [windows, seq_len], "ids" (the input
// tokens, after masked-LM corruption for an encoder) and "targets" (the token predicted at
// each position, -1 where none is), I16 when the vocabulary fits and I32 otherwise, and the
// metadata keys below.
const HeldOutFile = arch.HeldOutFile

// HeldOutFileTokens is how many predicted tokens a written HeldOutFile holds at least (all
// the split has if it has fewer): the shortest run of leading windows that reaches it (about
// 870 encoder windows of 128, which predict 15%), or, written from a pretraining, the windows
// of its own held-out evaluation if they are more (eval_tokens 65,536: 512 decoder windows).
const HeldOutFileTokens = 16384

// Metadata keys of a HeldOutFile.
const (
	heldOutArch  = "loralab.heldout.arch"  // encoder or decoder
	heldOutVocab = "loralab.heldout.vocab" // the base's vocabulary size
	heldOutBatch = "loralab.heldout.batch" // windows per forward pass when scoring
	heldOutNote  = "loralab.heldout.note"  // free text: how the windows were made
)

// NewHeldOutWindows is a held-out set of given windows for a base of arch and vocab,
// scored batch windows at a time. Every window has the same length (at least 2), every id is
// in [0, vocab), every target in [-1, vocab), and at least one position is predicted.
func NewHeldOutWindows(arch string, vocab, batch int, ids, targets [][]int32) (*HeldOutSet, error) {
	h := &HeldOutSet{arch: arch, vocab: vocab, batch: batch, threads: 1, ids: ids, targets: targets}
	if err := h.check(); err != nil {
		return nil, fmt.Errorf("model: held-out windows: %w", err)
	}
	return h, nil
}

// check validates the windows of h as NewHeldOutWindows documents.
func (h *HeldOutSet) check() error {
	switch {
	case h.arch != Encoder && h.arch != Decoder:
		return fmt.Errorf("arch %q, want %s or %s", h.arch, Encoder, Decoder)
	case h.vocab < 1 || h.batch < 1:
		return fmt.Errorf("vocabulary %d, batch %d: want both >= 1", h.vocab, h.batch)
	case len(h.ids) == 0 || len(h.ids) != len(h.targets):
		return fmt.Errorf("%d windows of ids and %d of targets, want the same number >= 1", len(h.ids), len(h.targets))
	case len(h.ids[0]) < 2:
		return fmt.Errorf("windows of %d tokens, want >= 2", len(h.ids[0]))
	}
	T, predicted := len(h.ids[0]), 0
	for w := range h.ids {
		if len(h.ids[w]) != T || len(h.targets[w]) != T {
			return fmt.Errorf("window %d has %d ids and %d targets, want %d of each", w, len(h.ids[w]), len(h.targets[w]), T)
		}
		for i := range T {
			if id := h.ids[w][i]; id < 0 || int(id) >= h.vocab {
				return fmt.Errorf("window %d position %d: token id %d outside the vocabulary of %d", w, i, id, h.vocab)
			}
			switch tg := h.targets[w][i]; {
			case tg < -1 || int(tg) >= h.vocab:
				return fmt.Errorf("window %d position %d: target %d, want -1 (none) or a token id below %d", w, i, tg, h.vocab)
			case tg >= 0:
				predicted++
			}
		}
	}
	if predicted == 0 {
		return errors.New("no position has a target")
	}
	return nil
}

// stride is how many stream tokens a window advances over the one before it: the decoder's
// SeqLen, the encoder's SeqLen-1 after its opening <s> (heldOutWindows).
func (h *HeldOutSet) stride() int {
	if h.arch == Encoder {
		return len(h.ids[0]) - 1
	}
	return len(h.ids[0])
}

// covering is how many leading windows cover tokens held-out stream tokens (all of them
// if they cover fewer): the cap NewHeldOutSet's maxTokens and the pretraining's
// eval_tokens put on the same windows.
func (h *HeldOutSet) covering(tokens int) int {
	return min(len(h.ids), (tokens+h.stride()-1)/h.stride())
}

// Save writes the leading windows of h that predict HeldOutFileTokens tokens (all of them
// if they predict fewer) as dir's HeldOutFile, with note saying how they were made.
func (h *HeldOutSet) Save(dir, note string) error { return h.save(dir, note, 0) }

// save is Save keeping at least minWindows windows (as many as h has).
func (h *HeldOutSet) save(dir, note string, minWindows int) error {
	n, predicted := 0, 0
	for n < len(h.targets) && (predicted < HeldOutFileTokens || n < minWindows) {
		for _, tg := range h.targets[n] {
			if tg >= 0 {
				predicted++
			}
		}
		n++
	}
	dtype := safetensors.I16
	if h.vocab > math.MaxInt16 {
		dtype = safetensors.I32
	}
	shape := []int{n, len(h.ids[0])}
	meta := map[string]string{heldOutArch: h.arch, heldOutVocab: strconv.Itoa(h.vocab), heldOutBatch: strconv.Itoa(h.batch), heldOutNote: note}
	err := safetensors.WriteFile(filepath.Join(dir, HeldOutFile), []safetensors.Named{
		{Name: "ids", Shape: shape, DType: dtype, Data: flatten(h.ids[:n])},
		{Name: "targets", Shape: shape, DType: dtype, Data: flatten(h.targets[:n])},
	}, meta)
	if err != nil {
		return fmt.Errorf("model: held-out windows: %w", err)
	}
	return nil
}

// flatten is rows concatenated as float32, as safetensors.Named carries integers.
func flatten(rows [][]int32) []float32 {
	var out []float32
	for _, row := range rows {
		for _, v := range row {
			out = append(out, float32(v))
		}
	}
	return out
}

// WriteHeldOut rebuilds the held-out split of a base pretrained under cfg on corpus with
// tok (as NewHeldOutSet) and writes it as dir's HeldOutFile: the leading windows that
// predict HeldOutFileTokens tokens and cover the pretraining's held-out evaluation.
func WriteHeldOut(dir string, cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer, note string) error {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("model: held-out windows: %w", err)
	}
	data, err := newPretrainData(cfg, corpus, tok)
	if err != nil {
		return fmt.Errorf("model: held-out windows: %w", err)
	}
	return saveSplit(dir, note, cfg, data)
}

// SaveHeldOut writes the held-out split of this pretraining as dir's HeldOutFile, as
// WriteHeldOut does.
func (p *Pretrainer) SaveHeldOut(dir, note string) error { return saveSplit(dir, note, p.cfg, p.data) }

// saveSplit writes the held-out windows of d as dir's HeldOutFile: at least those cfg's
// evaluation reads and those that predict HeldOutFileTokens tokens.
func saveSplit(dir, note string, cfg PretrainConfig, d *pretrainData) error {
	evalTokens := cfg.EvalTokens
	cfg.EvalTokens = math.MaxInt32 // every window: save keeps the leading ones it needs
	h := heldOutSetOf(cfg, d)
	return h.save(dir, note, h.covering(evalTokens))
}

// ReadHeldOut reads dir's HeldOutFile. maxTokens caps the held-out stream tokens Score
// reads, as NewHeldOutSet's does (the leading windows that cover them; 0 = every window):
// asking for more than the file holds reads all of it, and HeldOutEval.Tokens says how many
// were predicted. threads is the goroutines per op. A folder without the file gives an
// error that wraps os.ErrNotExist.
func ReadHeldOut(dir string, maxTokens, threads int) (*HeldOutSet, error) {
	path := filepath.Join(dir, HeldOutFile)
	if maxTokens < 0 {
		return nil, fmt.Errorf("model: held-out windows %s: max tokens %d, want >= 0", path, maxTokens)
	}
	h, err := readHeldOut(path)
	if err != nil {
		return nil, fmt.Errorf("model: held-out windows %s: %w", path, err)
	}
	if maxTokens > 0 {
		n := h.covering(maxTokens)
		h.ids, h.targets = h.ids[:n], h.targets[:n]
	}
	h.threads = max(threads, 1)
	return h, nil
}

// readHeldOut parses and checks a HeldOutFile.
func readHeldOut(path string) (*HeldOutSet, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, err
	}
	meta := f.Metadata()
	h := &HeldOutSet{arch: meta[heldOutArch]}
	for key, dst := range map[string]*int{heldOutVocab: &h.vocab, heldOutBatch: &h.batch} {
		if *dst, err = strconv.Atoi(meta[key]); err != nil {
			return nil, fmt.Errorf("metadata %s = %q: want an integer", key, meta[key])
		}
	}
	info, ok := f.Info("ids")
	if !ok {
		return nil, fmt.Errorf("%w \"ids\"", safetensors.ErrMissing)
	}
	if len(info.Shape) != 2 {
		return nil, fmt.Errorf("tensor \"ids\" of shape %v, want [windows, seq_len]", info.Shape)
	}
	tensors := map[string]*[][]int32{"ids": &h.ids, "targets": &h.targets}
	for name, dst := range tensors {
		flat, err := f.Int32(name, info.Shape)
		if err != nil {
			return nil, err
		}
		*dst = rows(flat, info.Shape[0], info.Shape[1])
	}
	if err := h.check(); err != nil {
		return nil, err
	}
	return h, nil
}

// rows cuts flat into n rows of length t.
func rows(flat []int32, n, t int) [][]int32 {
	out := make([][]int32, n)
	for i := range out {
		out[i] = flat[i*t : (i+1)*t]
	}
	return out
}
