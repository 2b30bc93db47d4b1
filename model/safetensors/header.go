package safetensors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// rawEntry is a tensor's header entry as decoded; nil fields were absent.
type rawEntry struct {
	DType       *DType  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// decodeHeader parses the JSON header into the tensors it declares, in header order, and
// the optional metadata. It walks the top-level object key by key so that duplicate names,
// which a plain map decode would silently merge, are reported.
func decodeHeader(h []byte) ([]TensorInfo, map[string]string, error) {
	if !utf8.Valid(h) {
		return nil, nil, fmt.Errorf("%w: not valid UTF-8", ErrHeader)
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	fail := func(what string, err error) error {
		return fmt.Errorf("%w: at header byte %d: %s: %v", ErrHeader, dec.InputOffset(), what, err)
	}
	if tok, err := dec.Token(); err != nil {
		return nil, nil, fail("want a JSON object", err)
	} else if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("%w: want a JSON object, found %v", ErrHeader, tok)
	}
	var tensors []TensorInfo
	var metadata map[string]string
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fail("want a tensor name", err)
		}
		name := tok.(string) // object keys are always strings
		if seen[name] {
			return nil, nil, fmt.Errorf("%w: at header byte %d: duplicate key %q", ErrHeader, dec.InputOffset(), name)
		}
		seen[name] = true
		if name == metadataKey {
			if err := dec.Decode(&metadata); err != nil {
				return nil, nil, fail(metadataKey+" must map strings to strings", err)
			}
			continue
		}
		var e rawEntry
		if err := dec.Decode(&e); err != nil {
			return nil, nil, fail(fmt.Sprintf("tensor %q", name), err)
		}
		t, err := e.info(name)
		if err != nil {
			return nil, nil, err
		}
		tensors = append(tensors, t)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fail("want the end of the header object", err)
	}
	if rest := h[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		return nil, nil, fmt.Errorf("%w: at header byte %d: %d bytes after the header object, want only padding spaces",
			ErrHeader, dec.InputOffset(), len(rest))
	}
	return tensors, metadata, nil
}

// info checks a decoded entry: all three fields present, a known dtype, a non-negative
// shape and exactly two offsets.
func (e rawEntry) info(name string) (TensorInfo, error) {
	switch {
	case e.DType == nil:
		return TensorInfo{}, fmt.Errorf("%w: tensor %q: missing dtype", ErrHeader, name)
	case e.DType.Size() == 0:
		return TensorInfo{}, fmt.Errorf("%w: tensor %q: unknown dtype %q", ErrHeader, name, *e.DType)
	case e.Shape == nil:
		return TensorInfo{}, fmt.Errorf("%w: tensor %q: missing shape", ErrHeader, name)
	case len(e.DataOffsets) != 2:
		return TensorInfo{}, fmt.Errorf("%w: tensor %q: data_offsets %v, want [begin, end]", ErrHeader, name, e.DataOffsets)
	case e.DataOffsets[0] < 0 || e.DataOffsets[1] < 0:
		return TensorInfo{}, fmt.Errorf("%w: tensor %q: negative data_offsets %v", ErrOffsets, name, e.DataOffsets)
	}
	for _, d := range e.Shape {
		if d < 0 {
			return TensorInfo{}, fmt.Errorf("%w: tensor %q: negative dimension in shape %v", ErrHeader, name, e.Shape)
		}
	}
	return TensorInfo{Name: name, DType: *e.DType, Shape: e.Shape, Begin: e.DataOffsets[0], End: e.DataOffsets[1]}, nil
}
