package model

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"loralab/nn"
)

// GenerateConfig sets up decoding.
type GenerateConfig struct {
	MaxNew int // maximum number of generated tokens per prompt, eos included
	// Beam is the beam size; 1 (or 0) is greedy decoding.
	Beam int
	// LengthPenalty is alpha in the final score of a beam hypothesis, log P(y) / |y|^alpha,
	// with |y| the number of generated tokens (eos included): 0 ranks by log-probability,
	// 1 by mean log-probability per token (HF transformers' length_penalty).
	LengthPenalty float64
	// NoRepeatNgram, when n > 0, forbids any n-gram from occurring twice among the
	// generated tokens (the prompt does not count).
	NoRepeatNgram int
	EOS           int32 // end-of-sequence id; a negative value means none
	Pad           int32 // id fed for left padding and finished sequences (any valid id)
	Threads       int   // goroutines per op; 0 means 1

	// AdapterIDs optionally gives each prompt's adapter (Batch.AdapterIDs) for models that
	// serve several adapters in one batch.
	AdapterIDs []int
	// Slots optionally lists, per prompt, the positions within the prompt that are
	// prefix/infix slots, and SlotIDs which slot vector each takes (Batch.Slots and
	// Batch.SlotIDs, translated to the rows of the padded prompt batch).
	Slots, SlotIDs [][]int32
}

// validate checks cfg against model m and the prompts.
func (cfg GenerateConfig) validate(m *Model, prompts [][]int32) error {
	if m.Cfg.Arch != Decoder {
		return fmt.Errorf("generate: needs a decoder, not an %s", m.Cfg.Arch)
	}
	if cfg.MaxNew < 1 || cfg.Beam < 0 || cfg.NoRepeatNgram < 0 {
		return fmt.Errorf("generate: max_new %d, beam %d, no_repeat_ngram %d: want max_new >= 1, beam >= 0, no_repeat_ngram >= 0", cfg.MaxNew, cfg.Beam, cfg.NoRepeatNgram)
	}
	if cfg.Pad < 0 || int(cfg.Pad) >= m.Cfg.Vocab || int(cfg.EOS) >= m.Cfg.Vocab {
		return fmt.Errorf("generate: pad %d or eos %d outside vocabulary [0, %d)", cfg.Pad, cfg.EOS, m.Cfg.Vocab)
	}
	if len(prompts) == 0 {
		return fmt.Errorf("generate: no prompts")
	}
	if cfg.AdapterIDs != nil && len(cfg.AdapterIDs) != len(prompts) {
		return fmt.Errorf("generate: %d adapter ids for %d prompts", len(cfg.AdapterIDs), len(prompts))
	}
	if (cfg.Slots != nil || cfg.SlotIDs != nil) && (len(cfg.Slots) != len(prompts) || len(cfg.SlotIDs) != len(prompts)) {
		return fmt.Errorf("generate: slots for %d and slot ids for %d prompts, want %d", len(cfg.Slots), len(cfg.SlotIDs), len(prompts))
	}
	for i := range cfg.Slots {
		if len(cfg.Slots[i]) != len(cfg.SlotIDs[i]) {
			return fmt.Errorf("generate: prompt %d has %d slots and %d slot ids", i, len(cfg.Slots[i]), len(cfg.SlotIDs[i]))
		}
		for _, pos := range cfg.Slots[i] {
			if pos < 0 || int(pos) >= len(prompts[i]) {
				return fmt.Errorf("generate: prompt %d has a slot at position %d, outside its %d tokens", i, pos, len(prompts[i]))
			}
		}
	}
	for i, p := range prompts {
		if len(p) == 0 {
			return fmt.Errorf("generate: prompt %d is empty (start it with bos)", i)
		}
		if len(p)+cfg.MaxNew > m.Cfg.MaxLen {
			return fmt.Errorf("generate: prompt %d has %d tokens; with %d new ones that exceeds max_len %d", i, len(p), cfg.MaxNew, m.Cfg.MaxLen)
		}
		for j, id := range p {
			if id < 0 || int(id) >= m.Cfg.Vocab {
				return fmt.Errorf("generate: prompt %d token %d is %d, outside vocabulary [0, %d)", i, j, id, m.Cfg.Vocab)
			}
		}
	}
	return nil
}

// Generate continues each prompt and returns the generated tokens (without the prompt and
// without eos), by greedy decoding or beam search. Prompts of different lengths are decoded
// together, left-padded, each starting at position 0.
func (m *Model) Generate(prompts [][]int32, cfg GenerateConfig) ([][]int32, error) {
	if err := cfg.validate(m, prompts); err != nil {
		return nil, err
	}
	beam := max(cfg.Beam, 1)
	if beam == 1 {
		return m.greedy(prompts, cfg)
	}
	return m.beamSearch(prompts, cfg, beam)
}

// decoder runs the cached forward passes of one generation call.
type decoder struct {
	m          *Model
	tape       *nn.Tape
	cache      *Cache
	ctx        *Context
	adapterIDs []int // per sequence, or nil
}

// startDecoding allocates a cache for n = len(prompts) * copies sequences (each prompt
// repeated copies times, adjacent) and runs the left-padded prompts through it, returning
// the decoder and the last-position logits [n, V].
func (m *Model) startDecoding(prompts [][]int32, copies int, cfg GenerateConfig) (*decoder, []float32, error) {
	longest := 0
	for _, p := range prompts {
		longest = max(longest, len(p))
	}
	n := len(prompts) * copies
	cache, err := m.NewCache(n, longest+cfg.MaxNew)
	if err != nil {
		return nil, nil, err
	}
	tape := nn.NewTape(max(cfg.Threads, 1))
	tape.SetTrain(false)
	d := &decoder{m: m, tape: tape, cache: cache, ctx: &Context{}}
	b := &Batch{B: n, T: longest, IDs: make([]int32, n*longest), Pad: make([]bool, n*longest)}
	for s := range n {
		p := prompts[s/copies]
		row := b.IDs[s*longest : (s+1)*longest]
		padding := longest - len(p)
		for i := range padding {
			row[i] = cfg.Pad
			b.Pad[s*longest+i] = true
		}
		copy(row[padding:], p)
		if cfg.AdapterIDs != nil {
			d.adapterIDs = append(d.adapterIDs, cfg.AdapterIDs[s/copies])
		}
		if cfg.Slots != nil {
			for i, pos := range cfg.Slots[s/copies] {
				b.Slots = append(b.Slots, int32(s*longest+padding)+pos)
				b.SlotIDs = append(b.SlotIDs, cfg.SlotIDs[s/copies][i])
			}
		}
	}
	logits, err := d.step(b)
	return d, logits, err
}

// step runs one cached forward pass and returns a copy of the logits [B, V].
func (d *decoder) step(b *Batch) ([]float32, error) {
	d.tape.Reset()
	b.AdapterIDs = d.adapterIDs
	d.ctx.Batch = b
	logits, err := d.m.ForwardCached(d.tape, d.cache, b, d.ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clone(logits.Data), nil
}

// next feeds one token per sequence.
func (d *decoder) next(tokens []int32) ([]float32, error) {
	return d.step(&Batch{B: len(tokens), T: 1, IDs: tokens})
}

// greedy picks the most likely allowed token at every step until eos or MaxNew.
func (m *Model) greedy(prompts [][]int32, cfg GenerateConfig) ([][]int32, error) {
	d, logits, err := m.startDecoding(prompts, 1, cfg)
	if err != nil {
		return nil, err
	}
	V := m.Cfg.Vocab
	out := make([][]int32, len(prompts))
	done := make([]bool, len(prompts))
	tokens := make([]int32, len(prompts))
	for step := range cfg.MaxNew {
		remaining := 0
		for s := range prompts {
			tokens[s] = cfg.Pad
			if done[s] {
				continue
			}
			banned := bannedTokens(out[s], cfg.NoRepeatNgram)
			best := int32(-1)
			for v, l := range logits[s*V : (s+1)*V] {
				if !banned[int32(v)] && (best < 0 || l > logits[s*V+int(best)]) {
					best = int32(v)
				}
			}
			if best == cfg.EOS || best < 0 {
				done[s] = true
				continue
			}
			out[s] = append(out[s], best)
			tokens[s] = best
			remaining++
		}
		if remaining == 0 || step == cfg.MaxNew-1 {
			break
		}
		if logits, err = d.next(tokens); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bannedTokens returns the tokens that would repeat an n-gram of generated, for n > 0: every
// token that followed an earlier occurrence of the last n-1 generated tokens.
func bannedTokens(generated []int32, n int) map[int32]bool {
	if n <= 0 || len(generated) < n-1 {
		return nil
	}
	banned := map[int32]bool{}
	suffix := generated[len(generated)-(n-1):]
	for i := 0; i+n-1 < len(generated); i++ {
		if slices.Equal(generated[i:i+n-1], suffix) {
			banned[generated[i+n-1]] = true
		}
	}
	return banned
}

// hypothesis is one beam: its generated tokens and their summed log-probability.
type hypothesis struct {
	tokens []int32
	logP   float64
}

// finished is a completed hypothesis with its length-penalised score.
type finished struct {
	tokens []int32
	score  float64
}

// candidate is one extension of a live beam.
type candidate struct {
	parent int
	token  int32
	logP   float64
}

// beamSearch keeps, per prompt, the beam most likely live hypotheses. At each step it ranks
// the extensions of all of them, moves those ending in eos (among the top beam) to the
// finished list and keeps the best beam others. A prompt is done when it has beam finished
// hypotheses and no live one can still beat the worst of them at its current length (the
// rule of HF transformers); at MaxNew the live ones are scored as they are.
func (m *Model) beamSearch(prompts [][]int32, cfg GenerateConfig, beam int) ([][]int32, error) {
	d, logits, err := m.startDecoding(prompts, beam, cfg)
	if err != nil {
		return nil, err
	}
	V := m.Cfg.Vocab
	beams := make([]promptBeams, len(prompts))
	for p := range beams {
		beams[p].live = []hypothesis{{}} // one empty hypothesis; the copies wait for step 1
	}
	src := make([]int, len(prompts)*beam)
	tokens := make([]int32, len(prompts)*beam)
	for step := range cfg.MaxNew {
		allDone := true
		for p := range beams {
			first := p * beam
			for j := range beam {
				src[first+j], tokens[first+j] = first+j, cfg.Pad
			}
			if beams[p].done {
				continue
			}
			parents, next := beams[p].advance(logits[first*V:(first+beam)*V], V, beam, cfg, step == cfg.MaxNew-1)
			for j := range parents {
				src[first+j], tokens[first+j] = first+parents[j], next[j]
			}
			allDone = allDone && beams[p].done
		}
		if allDone {
			break
		}
		if err := d.cache.Reorder(src); err != nil {
			return nil, err
		}
		if logits, err = d.next(tokens); err != nil {
			return nil, err
		}
	}
	out := make([][]int32, len(prompts))
	for p, b := range beams {
		if len(b.fin) > 0 {
			out[p] = b.fin[0].tokens
		}
	}
	return out, nil
}

// promptBeams is the beam search state of one prompt.
type promptBeams struct {
	live []hypothesis
	fin  []finished // best first, at most beam
	done bool
}

// advance extends the live hypotheses by one token given their logits (row j for live
// hypothesis j, V columns each) and returns, for each new live hypothesis, the index of its
// parent and its new token.
func (pb *promptBeams) advance(logits []float32, V, beam int, cfg GenerateConfig, last bool) (parents []int, tokens []int32) {
	logP := make([]float64, V)
	var cands []candidate
	for j, h := range pb.live {
		logSoftmax(logP, logits[j*V:(j+1)*V])
		cands = append(cands, topExtensions(logP, h, j, 2*beam, bannedTokens(h.tokens, cfg.NoRepeatNgram))...)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.logP, a.logP), cmp.Compare(a.parent, b.parent), cmp.Compare(a.token, b.token))
	})
	var next []hypothesis
	for rank, c := range cands {
		if len(next) == beam {
			break
		}
		parent := pb.live[c.parent]
		if c.token == cfg.EOS {
			if rank < beam {
				pb.fin = addFinished(pb.fin, beam, parent.tokens, len(parent.tokens)+1, c.logP, cfg.LengthPenalty)
			}
			continue
		}
		parents, tokens = append(parents, c.parent), append(tokens, c.token)
		next = append(next, hypothesis{tokens: append(slices.Clip(parent.tokens), c.token), logP: c.logP})
	}
	pb.live = next
	if last || len(next) == 0 || beamDone(pb.fin, next, beam, cfg.LengthPenalty) {
		for _, h := range next {
			pb.fin = addFinished(pb.fin, beam, h.tokens, len(h.tokens), h.logP, cfg.LengthPenalty)
		}
		pb.done = true
	}
	return parents, tokens
}

// logSoftmax writes log softmax(logits) into dst, in float64.
func logSoftmax(dst []float64, logits []float32) {
	hi := math.Inf(-1)
	for _, l := range logits {
		hi = max(hi, float64(l))
	}
	var sum float64
	for _, l := range logits {
		sum += math.Exp(float64(l) - hi)
	}
	lse := hi + math.Log(sum)
	for i, l := range logits {
		dst[i] = float64(l) - lse
	}
}

// topExtensions returns the k best allowed extensions of hypothesis h (beam index j), best
// first, ties to the lower token id.
func topExtensions(logP []float64, h hypothesis, j, k int, banned map[int32]bool) []candidate {
	top := make([]candidate, 0, k+1)
	for v, lp := range logP {
		if banned[int32(v)] || (len(top) == k && lp <= top[k-1].logP-h.logP) {
			continue
		}
		c := candidate{parent: j, token: int32(v), logP: h.logP + lp}
		i := len(top)
		for i > 0 && top[i-1].logP < c.logP {
			i--
		}
		top = slices.Insert(top, i, c)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// score is the length-penalised score of a hypothesis of n tokens.
func score(logP float64, n int, alpha float64) float64 {
	return logP / math.Pow(float64(max(n, 1)), alpha)
}

// addFinished adds a hypothesis of n generated tokens (its tokens, plus eos if it ended
// with one) to list, best first, keeping at most beam.
func addFinished(list []finished, beam int, tokens []int32, n int, logP, alpha float64) []finished {
	f := finished{tokens: slices.Clone(tokens), score: score(logP, n, alpha)}
	i, _ := slices.BinarySearchFunc(list, f, func(a, b finished) int { return cmp.Compare(b.score, a.score) })
	for i < len(list) && list[i].score == f.score {
		i++ // keep the earlier of equal scores first
	}
	list = slices.Insert(list, i, f)
	return list[:min(len(list), beam)]
}

// beamDone reports whether no live hypothesis can beat the worst of beam finished ones.
func beamDone(fin []finished, live []hypothesis, beam int, alpha float64) bool {
	if len(fin) < beam {
		return false
	}
	best := math.Inf(-1)
	for _, h := range live {
		best = max(best, score(h.logP, len(h.tokens), alpha))
	}
	return fin[len(fin)-1].score >= best
}
