package tokenizer

import (
	"bytes"
	"fmt"
)

// source is an input file held in memory. Positions in it are kept as byte offsets and
// turned into line and column only when an error is reported: counting lines for each of
// 50,000 vocabulary entries up front would cost more than the whole load.
type source struct {
	path string
	data []byte
}

// pos is a place in a source, or, with a nil source, a description such as "trained".
type pos struct {
	src    *source
	offset int64
	label  string
}

func (s *source) at(offset int64) pos { return pos{src: s, offset: offset} }

// String formats the position as path:line:column (both from 1).
func (p pos) String() string {
	if p.src == nil {
		return p.label
	}
	offset := min(max(p.offset, 0), int64(len(p.src.data)))
	before := p.src.data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	column := offset - int64(bytes.LastIndexByte(before, '\n'))
	return fmt.Sprintf("%s:%d:%d", p.src.path, line, column)
}
