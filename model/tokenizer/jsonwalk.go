package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jsonWalker streams a JSON document token by token so that every value it reads has a
// position: errors and entries can then say "vocab.json:12:5" instead of "somewhere in the
// file". It also rejects duplicate object keys, which a decode into a map would hide.
type jsonWalker struct {
	*source
	dec *json.Decoder
}

func newJSONWalker(src *source) *jsonWalker {
	return &jsonWalker{source: src, dec: json.NewDecoder(bytes.NewReader(src.data))}
}

// where formats a byte offset as path:line:column.
func (w *jsonWalker) where(offset int64) string { return w.at(offset).String() }

// next is the offset of the next value: the decoder's offset moved past blanks and the
// separators between values.
func (w *jsonWalker) next() int64 {
	off := w.dec.InputOffset()
	for off < int64(len(w.data)) && bytes.IndexByte([]byte(" \t\r\n,:"), w.data[off]) >= 0 {
		off++
	}
	return off
}

// fail turns a decoding error into one that names the position and what was expected.
func (w *jsonWalker) fail(at int64, want string, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		at = syntax.Offset
	case errors.As(err, &typ):
		return fmt.Errorf("%s: want %s, found JSON %s", w.where(at), want, typ.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: want %s, found the end of the file", w.where(int64(len(w.data))), want)
	}
	return fmt.Errorf("%s: want %s: %v", w.where(at), want, err)
}

// decode reads the next value into v, which should be described as want in errors.
func (w *jsonWalker) decode(v any, want string) error {
	at := w.next()
	if err := w.dec.Decode(v); err != nil {
		return w.fail(at, want, err)
	}
	return nil
}

// skip reads and discards the next value.
func (w *jsonWalker) skip() error {
	var raw json.RawMessage
	return w.decode(&raw, "a JSON value")
}

// delim reads the next token and requires it to be the delimiter d.
func (w *jsonWalker) delim(d json.Delim, want string) error {
	at := w.next()
	tok, err := w.dec.Token()
	if err != nil {
		return w.fail(at, want, err)
	}
	if tok != d {
		return fmt.Errorf("%s: want %s, found %v", w.where(at), want, describe(tok))
	}
	return nil
}

// object reads a JSON object, calling field for each key with the key's position; field
// must consume the value (decode, skip, or a nested object/array).
func (w *jsonWalker) object(want string, field func(key string, at int64) error) error {
	if err := w.delim('{', want); err != nil {
		return err
	}
	seen := make(map[string]bool)
	for w.dec.More() {
		at := w.next()
		tok, err := w.dec.Token()
		if err != nil {
			return w.fail(at, "an object key", err)
		}
		key := tok.(string) // inside an object the decoder only returns string keys
		if seen[key] {
			return fmt.Errorf("%s: duplicate key %q", w.where(at), key)
		}
		seen[key] = true
		if err := field(key, at); err != nil {
			return err
		}
	}
	return w.delim('}', "the end of the object")
}

// array reads a JSON array, calling elem for each element with its index and position.
func (w *jsonWalker) array(want string, elem func(i int, at int64) error) error {
	if err := w.delim('[', want); err != nil {
		return err
	}
	for i := 0; w.dec.More(); i++ {
		if err := elem(i, w.next()); err != nil {
			return err
		}
	}
	return w.delim(']', "the end of the array")
}

// end requires nothing but blanks after the document.
func (w *jsonWalker) end() error {
	at := w.next()
	if _, err := w.dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: want the end of the file, found more data", w.where(at))
	}
	return nil
}

// describe renders a JSON token for an error message.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(v))
	case string:
		return fmt.Sprintf("string %q", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}
