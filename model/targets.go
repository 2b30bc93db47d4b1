package model

import (
	"fmt"

	"loralab/model/target"
)

// Matrix returns the Linear of block b that target t names (see package target, the table of
// adaptable matrices), found by its module path. The token embedding is not a Linear of a
// block: asking for it, or for an unknown name, is an error.
func (b *Block) Matrix(name string) (*Linear, error) {
	t, ok := target.Lookup(name)
	if !ok || !t.PerLayer {
		return nil, fmt.Errorf("model: block %d has no adaptable matrix %q (want one of %v)", b.Index, name, target.Names()[:len(target.Names())-1])
	}
	path := t.Path(b.Index)
	for _, l := range []*Linear{b.Q, b.K, b.V, b.O, b.FC1, b.FC2} {
		if l.Name == path {
			return l, nil
		}
	}
	return nil, fmt.Errorf("model: block %d has no Linear named %s", b.Index, path)
}
