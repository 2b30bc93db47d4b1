package jsonpos

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncde\n\nf")
	cases := []struct {
		offset    int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 3, 1}, {8, 4, 1},
		{9, 4, 2},              // the end of the data
		{-4, 1, 1}, {99, 4, 2}, // clamped
	}
	for _, c := range cases {
		if line, col := LineCol(data, c.offset); line != c.line || col != c.col {
			t.Errorf("offset %d: line %d column %d, want line %d column %d", c.offset, line, col, c.line, c.col)
		}
	}
}

type config struct {
	Name  string `json:"name"`
	Inner struct {
		Size int `json:"size"`
	} `json:"inner"`
}

func TestUnmarshal(t *testing.T) {
	cases := []struct {
		name string
		data string
		want string // the whole error; "" for none
	}{
		{"valid", "{\"name\": \"a\", \"inner\": {\"size\": 3}}", ""},
		{"trailing comma", "{\n  \"name\": \"a\",\n}", "line 3, column 1: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{"unquoted key", "{\n  name: 1}", "line 2, column 3: invalid JSON: invalid character 'n' looking for beginning of object key string"},
		{"empty", "", "line 1, column 1: invalid JSON: unexpected end of JSON input"},
		{"truncated", "{\"name\": \"a\",\n \"inner\": {", "line 2, column 12: invalid JSON: unexpected end of JSON input"},
		{"string for int", "{\"inner\": {\n  \"size\": \"big\"}}", "line 2, column 15: inner.size is a JSON string, want int"},
		{"number for string", "{\"name\": 7}", "line 1, column 10: name is a JSON number, want string"},
		{"array for object", "[1]", "line 1, column 1: the document is a JSON array, want jsonpos.config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v config
			err := Unmarshal([]byte(c.data), &v)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Errorf("error %v\nwant       %s", err, c.want)
			}
		})
	}
}

func TestDescribeKeepsOtherErrors(t *testing.T) {
	err := Describe([]byte("{}"), fs.ErrNotExist)
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "line") {
		t.Errorf("Describe(fs.ErrNotExist) = %v, want it unchanged", err)
	}
}
