package train

import (
	"fmt"

	"loralab/datasets"
	"loralab/model"
	"loralab/model/tokenizer"
)

// Sequence is one example as token ids, with the positions of its prefix/infix slots and,
// for generation, where the prompt ends.
type Sequence struct {
	IDs []int32
	// Slots are positions in IDs that prefix methods fill with trainable vectors; SlotIDs
	// says which vector (prefix vectors 0..lp-1, then infix vectors lp..lp+li-1).
	Slots, SlotIDs []int32
	// Prompt is the length of the generation prompt: the decoder is trained to predict
	// IDs[Prompt:] and generates after IDs[:Prompt]. Zero for encoder inputs.
	Prompt int
	// Index is the example's position in its split.
	Index int
}

// Encoder turns examples into sequences laid out as the paper's prefix methods expect:
//
//	encoder:  <cls> [lp prefix slots] text (<sep> text2) [li infix slots] <eos>
//	decoder:  <bos> [lp prefix slots] source [li infix slots] <sep> reference <eos>
//
// Text is truncated so that a sequence never exceeds MaxLen tokens; a slot holds the pad
// token, whose embedding the prefix method replaces.
type Encoder struct {
	Tok           *tokenizer.Tokenizer
	Arch          string
	MaxLen        int
	Prefix, Infix int
}

func (e *Encoder) specials() (tokenizer.Specials, error) {
	s := e.Tok.Specials()
	if s.PAD < 0 || s.EOS < 0 || s.BOS < 0 {
		return s, fmt.Errorf("train: tokenizer lacks bos, eos or pad (have %+v)", s)
	}
	if s.CLS < 0 {
		s.CLS = s.BOS
	}
	if s.SEP < 0 {
		s.SEP = s.EOS
	}
	return s, nil
}

// Encode builds the sequence of one example of a task of the given kind.
func (e *Encoder) Encode(kind datasets.Kind, ex datasets.Example, index int) (Sequence, error) {
	sp, err := e.specials()
	if err != nil {
		return Sequence{}, err
	}
	slots := e.Prefix + e.Infix
	switch kind {
	case datasets.Classification, datasets.Regression:
		if e.Arch != model.Encoder {
			return Sequence{}, fmt.Errorf("train: %s tasks need an encoder, the model is a %s", kind, e.Arch)
		}
		a, b := e.Tok.Encode(ex.Text), []int32(nil)
		if ex.Text2 != "" {
			b = e.Tok.Encode(ex.Text2)
		}
		fixed := 2 + slots // cls, eos
		if b != nil {
			fixed++ // sep
		}
		a, b = truncatePair(a, b, e.MaxLen-fixed)
		s := Sequence{Index: index, IDs: []int32{sp.CLS}}
		s.addSlots(0, e.Prefix, sp.PAD)
		s.IDs = append(s.IDs, a...)
		if b != nil {
			s.IDs = append(append(s.IDs, sp.SEP), b...)
		}
		s.addSlots(e.Prefix, e.Infix, sp.PAD)
		s.IDs = append(s.IDs, sp.EOS)
		return s, nil
	case datasets.Generation:
		if e.Arch != model.Decoder {
			return Sequence{}, fmt.Errorf("train: generation tasks need a decoder, the model is an %s", e.Arch)
		}
		src := e.Tok.Encode(ex.Source)
		var ref []int32
		if len(ex.Refs) > 0 {
			ref = e.Tok.Encode(ex.Refs[0])
		}
		src, ref = truncatePair(src, ref, e.MaxLen-3-slots) // bos, sep, eos
		s := Sequence{Index: index, IDs: []int32{sp.BOS}}
		s.addSlots(0, e.Prefix, sp.PAD)
		s.IDs = append(s.IDs, src...)
		s.addSlots(e.Prefix, e.Infix, sp.PAD)
		s.IDs = append(s.IDs, sp.SEP)
		s.Prompt = len(s.IDs)
		s.IDs = append(append(s.IDs, ref...), sp.EOS)
		return s, nil
	}
	return Sequence{}, fmt.Errorf("train: cannot fine-tune on a %s task", kind)
}

// addSlots appends n slot positions whose vectors are numbered from first.
func (s *Sequence) addSlots(first, n int, pad int32) {
	for i := range n {
		s.Slots = append(s.Slots, int32(len(s.IDs)))
		s.SlotIDs = append(s.SlotIDs, int32(first+i))
		s.IDs = append(s.IDs, pad)
	}
}

// truncatePair shortens a and b, the longer first, until together they fit in budget.
func truncatePair(a, b []int32, budget int) ([]int32, []int32) {
	budget = max(budget, 0)
	for len(a)+len(b) > budget {
		if len(a) >= len(b) {
			a = a[:len(a)-1]
		} else {
			b = b[:len(b)-1]
		}
	}
	return a, b
}

// EncodeAll encodes every example of a split.
func (e *Encoder) EncodeAll(kind datasets.Kind, exs []datasets.Example) ([]Sequence, error) {
	out := make([]Sequence, len(exs))
	for i, ex := range exs {
		s, err := e.Encode(kind, ex, i)
		if err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		out[i] = s
	}
	return out, nil
}

// Collate lays sequences out as one right-padded model batch.
func Collate(seqs []Sequence, pad int32) *model.Batch {
	T := 0
	for _, s := range seqs {
		T = max(T, len(s.IDs))
	}
	b := &model.Batch{B: len(seqs), T: T, IDs: make([]int32, len(seqs)*T), Pad: make([]bool, len(seqs)*T)}
	for i, s := range seqs {
		row := b.IDs[i*T : (i+1)*T]
		n := copy(row, s.IDs)
		for j := n; j < T; j++ {
			row[j] = pad
			b.Pad[i*T+j] = true
		}
		for k, pos := range s.Slots {
			b.Slots = append(b.Slots, int32(i*T)+pos)
			b.SlotIDs = append(b.SlotIDs, s.SlotIDs[k])
		}
	}
	return b
}

// LMTargets are the next-token targets of a decoder batch: row b*T+i predicts token i+1 of
// sequence b when that token belongs to the reference (or the closing eos); every other row
// is ignored.
func LMTargets(seqs []Sequence, T int) []int32 {
	tg := make([]int32, len(seqs)*T)
	for i := range tg {
		tg[i] = Ignore
	}
	for b, s := range seqs {
		for j := max(s.Prompt, 1); j < len(s.IDs); j++ {
			tg[b*T+j-1] = s.IDs[j]
		}
	}
	return tg
}

// Ignore is the target of rows that carry no loss.
const Ignore int32 = -100
