// Package jsonpos places JSON decoding errors in the file: encoding/json reports byte
// offsets, and a person editing a config or a data file wants a line and a column, the name
// of the field, and what was expected against what was found.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Unmarshal is json.Unmarshal whose syntax and type errors say where they are (Describe).
func Unmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return Describe(data, err)
	}
	return nil
}

// Describe rewrites a decoding error of data as
//
//	line L, column C: invalid JSON: <the decoder's message>
//	line L, column C: FIELD is a JSON string, want int
//
// where the column is that of the offending byte (just past the end when the input stops
// too early), or of the last byte of a value of the wrong type. Other errors are returned
// as they are.
func Describe(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		at := syntax.Offset - 1 // Offset counts the offending byte
		if strings.HasPrefix(syntax.Error(), "unexpected end") {
			at = int64(len(data)) // the input ended too early: just past its last byte
		}
		line, col := LineCol(data, at)
		return fmt.Errorf("line %d, column %d: invalid JSON: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := LineCol(data, typ.Offset-1) // Offset is just past the value
		field := typ.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("line %d, column %d: %s is a JSON %s, want %s", line, col, field, typ.Value, typ.Type)
	}
	return err
}

// LineCol converts a byte offset of data into a line and a column, both counted from 1. An
// offset outside data is clamped to it.
func LineCol(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
