package train

import (
	"fmt"
	"sync"

	"loralab/datasets"
)

// Encodings caches the encoded splits of tasks, so that the runs of a process that train on
// the same task with the same tokenizer and sequence layout encode it once and share the
// sequences, read only. It is safe for concurrent use; the zero value is ready.
type Encodings struct {
	mu      sync.Mutex
	entries map[encodingKey]*encodingEntry
	encodes int // splits sets encoded so far, for the tests
}

type encodingKey struct {
	task *datasets.Task
	enc  Encoder
}

type encodingEntry struct {
	once   sync.Once
	splits [3][]Sequence // train, validation, test
	err    error
}

// Count is how many tasks the cache has encoded so far.
func (c *Encodings) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.encodes
}

// splits returns the train, validation and test splits of task encoded by enc, encoding them
// on first use; a nil cache encodes every time.
func (c *Encodings) splits(enc Encoder, task *datasets.Task) ([3][]Sequence, error) {
	if c == nil {
		return encodeSplits(enc, task)
	}
	key := encodingKey{task, enc}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[encodingKey]*encodingEntry{}
	}
	e, ok := c.entries[key]
	if !ok {
		e = &encodingEntry{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.splits, e.err = encodeSplits(enc, task)
		c.mu.Lock()
		c.encodes++
		c.mu.Unlock()
	})
	return e.splits, e.err
}

// encodeSplits encodes the three splits of task.
func encodeSplits(enc Encoder, task *datasets.Task) ([3][]Sequence, error) {
	var out [3][]Sequence
	for i, s := range []struct {
		exs []datasets.Example
		nm  string
	}{{task.Train, "train"}, {task.Validation, "validation"}, {task.Test, "test"}} {
		seqs, err := enc.EncodeAll(task.Kind, s.exs)
		if err != nil {
			return out, fmt.Errorf("train: task %s, %s split: %w", task.Name, s.nm, err)
		}
		out[i] = seqs
	}
	return out, nil
}
