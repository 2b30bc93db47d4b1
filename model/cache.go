package model

import (
	"fmt"
	"slices"

	"loralab/nn"
)

// Cache holds the keys and values of every decoder layer for a batch of sequences being
// generated, so that each new token costs one row of work per layer instead of a forward
// pass over the whole sequence. It also tracks each sequence's padding and next position, so
// that left-padded prompts of different lengths all start at position 0.
type Cache struct {
	batch, capacity, dModel int
	len                     int // positions cached per sequence, padding included
	layers                  []layerCache
	pad                     []bool  // [batch*len] padding flags of the cached positions
	nextPos                 []int32 // [batch] position of each sequence's next real token
	// order, when not nil, is a Reorder not yet applied to the keys and values: sequence i
	// is stored as sequence order[i]. The next append applies it while it copies anyway.
	order []int

	// Per-step state: the padding of cached+new positions and the positions of new rows.
	stepPad []bool
	stepPos []int32
	spare   []bool
}

// layerCache is one layer's keys and values, [batch*len, D] with each sequence's rows
// adjacent, and a spare buffer of the same capacity that appends and reorders write into.
type layerCache struct {
	k, v, spareK, spareV []float32
}

// NewCache returns an empty cache for batch sequences of up to capacity positions each
// (prompt, padding and generated tokens together; at most MaxLen).
func (m *Model) NewCache(batch, capacity int) (*Cache, error) {
	if m.Cfg.Arch != Decoder {
		return nil, fmt.Errorf("model: a KV cache needs a decoder, not an %s", m.Cfg.Arch)
	}
	if batch < 1 || capacity < 1 || capacity > m.Cfg.MaxLen {
		return nil, fmt.Errorf("model: cache for %d sequences of %d positions: want batch >= 1 and 1 <= capacity <= max_len %d", batch, capacity, m.Cfg.MaxLen)
	}
	d := m.Cfg.DModel
	c := &Cache{batch: batch, capacity: capacity, dModel: d, nextPos: make([]int32, batch), layers: make([]layerCache, m.Cfg.Layers)}
	for i := range c.layers {
		n := batch * capacity * d
		c.layers[i] = layerCache{k: make([]float32, 0, n), v: make([]float32, 0, n), spareK: make([]float32, 0, n), spareV: make([]float32, 0, n)}
	}
	return c, nil
}

// Len is the number of positions cached per sequence.
func (c *Cache) Len() int { return c.len }

// ForwardCached runs the decoder on the next b.T tokens of each of the cache's sequences,
// appends their keys and values to the cache, and returns the logits [B, Vocab] of each
// sequence's last new row. b.Pad marks new rows that are padding (left padding of prompts);
// b.Pos is ignored: positions continue each sequence's count of real tokens. Gradients are
// off for the call; the returned tensor belongs to t and is valid until t.Reset.
func (m *Model) ForwardCached(t *nn.Tape, c *Cache, b *Batch, ctx *Context) (*nn.Tensor, error) {
	if b.B != c.batch {
		return nil, fmt.Errorf("model: batch of %d sequences for a cache of %d", b.B, c.batch)
	}
	if c.len+b.T > c.capacity {
		return nil, fmt.Errorf("model: %d cached + %d new positions exceed the cache capacity %d", c.len, b.T, c.capacity)
	}
	c.beginStep(b)
	step := *b
	step.Pos = c.stepPos
	grad := t.GradEnabled()
	t.SetGrad(false)
	defer t.SetGrad(grad)
	h := m.forward(t, &step, ctx, c)
	c.endStep(b)
	if b.T > 1 {
		h = t.SliceSeq(h, b.B, b.T-1, b.T)
	}
	return m.LMLogits(t, h), nil
}

// beginStep computes the padding of all positions after the step and the positions of the
// new rows.
func (c *Cache) beginStep(b *Batch) {
	c.stepPad = c.spare[:0]
	c.stepPos = c.stepPos[:0]
	for s := range c.batch {
		c.stepPad = append(c.stepPad, c.pad[s*c.len:(s+1)*c.len]...)
		next := c.nextPos[s]
		for i := range b.T {
			isPad := b.Pad != nil && b.Pad[s*b.T+i]
			c.stepPad = append(c.stepPad, isPad)
			if isPad {
				c.stepPos = append(c.stepPos, 0)
			} else {
				c.stepPos = append(c.stepPos, next)
				next++
			}
		}
	}
}

// endStep commits the step: the new padding flags and positions become the cache's.
func (c *Cache) endStep(b *Batch) {
	for s := range c.batch {
		for i := range b.T {
			if b.Pad == nil || !b.Pad[s*b.T+i] {
				c.nextPos[s]++
			}
		}
	}
	c.pad, c.spare = c.stepPad, c.pad
	c.len += b.T
	c.order = nil // applied by every layer's append
}

// appendKV appends the new keys and values [B*T, D] of one layer to its cache, applying a
// pending reorder, and returns the whole cached keys and values [B*(len+T), D], each
// sequence's rows adjacent.
func (c *Cache) appendKV(lc *layerCache, k, v *nn.Tensor) (*nn.Tensor, *nn.Tensor) {
	tNew := k.Rows() / c.batch
	total := c.len + tNew
	lc.k, lc.spareK = c.interleave(lc.spareK, lc.k, k.Data, tNew), lc.k
	lc.v, lc.spareV = c.interleave(lc.spareV, lc.v, v.Data, tNew), lc.v
	return nn.FromData(lc.k, c.batch*total, c.dModel), nn.FromData(lc.v, c.batch*total, c.dModel)
}

// interleave writes into dst, for each sequence s, the cached rows of the sequence it is
// stored as (s, or order[s]) followed by its newT rows of new.
func (c *Cache) interleave(dst, old, new []float32, newT int) []float32 {
	dst = dst[:0]
	oldN, newN := c.len*c.dModel, newT*c.dModel
	for s := range c.batch {
		src := s
		if c.order != nil {
			src = c.order[s]
		}
		dst = append(dst, old[src*oldN:(src+1)*oldN]...)
		dst = append(dst, new[s*newN:(s+1)*newN]...)
	}
	return dst
}

// Reorder makes sequence i of the cache a copy of what sequence src[i] was, for every i:
// beam search uses it to follow each surviving hypothesis's parent.
func (c *Cache) Reorder(src []int) error {
	if len(src) != c.batch {
		return fmt.Errorf("model: cache reorder with %d indices for %d sequences", len(src), c.batch)
	}
	for _, s := range src {
		if s < 0 || s >= c.batch {
			return fmt.Errorf("model: cache reorder index %d outside [0, %d)", s, c.batch)
		}
	}
	// The keys and values move with the next append, which copies them anyway.
	if c.order == nil {
		c.order = slices.Clone(src)
	} else {
		order := make([]int, c.batch)
		for i, s := range src {
			order[i] = c.order[s]
		}
		c.order = order
	}
	c.pad, c.spare = gather(c.spare, c.pad, src, c.len), c.pad
	next := make([]int32, c.batch)
	for i, s := range src {
		next[i] = c.nextPos[s]
	}
	c.nextPos = next
	return nil
}

// gather writes into dst the blocks src[0], src[1], ... of size n of old.
func gather[E any](dst, old []E, src []int, n int) []E {
	dst = dst[:0]
	for _, s := range src {
		dst = append(dst, old[s*n:(s+1)*n]...)
	}
	return dst
}
