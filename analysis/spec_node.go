package analysis

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
)

// ParseSpecNode decodes the analysis: section of a sweep file from its YAML node and
// validates it. Every problem — an unknown key, a value of the wrong type, a value out of
// range — is an experiments.Problem at the line and column of the key or value it is about,
// with File left empty for the caller to fill; all of them come at once.
func ParseSpecNode(n *yaml.Node) (Spec, error) {
	var s Spec
	if n == nil {
		return s, nil
	}
	var ps experiments.Problems
	add := func(at *yaml.Node, msg string) {
		ps = append(ps, experiments.Problem{Line: at.Line, Col: at.Column, Msg: msg})
	}
	unknownKeys(n, reflect.TypeOf(s), "", add)
	if err := n.Decode(&s); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			add(n, err.Error())
		} else {
			for _, msg := range te.Errors {
				line, text := typeErrorLine(msg)
				at := nodeOnLine(n, line, quotedValue(text))
				if at == nil {
					at = n
				}
				add(at, text)
			}
		}
	}
	if len(ps) == 0 {
		for _, msg := range s.problems() {
			add(nodeAt(n, problemPath(msg)), msg)
		}
	}
	if len(ps) > 0 {
		return Spec{}, ps
	}
	return s, nil
}

// unknownKeys reports every mapping key that names no field of the type t decodes into, so
// that a misspelt key is an error at its own position.
func unknownKeys(n *yaml.Node, t reflect.Type, path string, add func(*yaml.Node, string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case n.Kind == yaml.SequenceNode && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i, item := range n.Content {
			unknownKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), add)
		}
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			at := strings.TrimPrefix(path+"."+key.Value, ".")
			ft, ok := fields[key.Value]
			if !ok {
				add(key, fmt.Sprintf("%s: unknown key, want one of %s", at, strings.Join(slices.Sorted(maps.Keys(fields)), ", ")))
				continue
			}
			unknownKeys(val, ft, at, add)
		}
	}
}

// yamlFields maps the YAML keys of a struct type to their field types; the keys of an
// inlined struct (`yaml:",inline"`) are the struct's own.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			maps.Copy(out, yamlFields(f.Type))
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

var typeErrorPrefix = regexp.MustCompile(`^line (\d+): `)

// typeErrorLine splits one message of a yaml.TypeError into its line and its text.
func typeErrorLine(msg string) (int, string) {
	m := typeErrorPrefix.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, msg[len(m[0]):]
}

var backquoted = regexp.MustCompile("`([^`]*)`")

// quotedValue is the value a yaml.TypeError message quotes ("cannot unmarshal !!str `many`
// into uint64" gives "many"), or "".
func quotedValue(msg string) string {
	if m := backquoted.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// nodeOnLine is the scalar of the tree under n on the line whose value is value, else the
// first node on the line, else nil.
func nodeOnLine(n *yaml.Node, line int, value string) *yaml.Node {
	var first, match *yaml.Node
	var walk func(*yaml.Node)
	walk = func(c *yaml.Node) {
		if c.Line == line {
			if first == nil {
				first = c
			}
			if match == nil && c.Kind == yaml.ScalarNode && c.Value == value {
				match = c
			}
		}
		for _, k := range c.Content {
			walk(k)
		}
	}
	walk(n)
	if match != nil {
		return match
	}
	return first
}

// problemPath is the key path a problem message starts with: `table.split "dev": ...` gives
// "table.split", `plots[1]: ...` gives "plots[1]".
func problemPath(msg string) string {
	head, _, _ := strings.Cut(msg, ":")
	head, _, _ = strings.Cut(head, " ")
	return head
}

// nodeAt follows a key path ("subspace[0].matrices", "table.metric") down from n and
// returns the deepest node it reaches: the value the path names when it is there.
func nodeAt(n *yaml.Node, path string) *yaml.Node {
	for _, part := range strings.Split(strings.ReplaceAll(path, "[", ".["), ".") {
		if part == "" {
			continue
		}
		next := child(n, part)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// child is the value of a mapping's key, or the item "[i]" of a list; nil when absent.
func child(n *yaml.Node, part string) *yaml.Node {
	if idx, ok := strings.CutPrefix(part, "["); ok {
		i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
		if n.Kind != yaml.SequenceNode || err != nil || i < 0 || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == part {
			return n.Content[i+1]
		}
	}
	return nil
}
