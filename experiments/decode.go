package experiments

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder walks a YAML node tree and collects every problem with its position, so a sweep
// file's errors are all reported in one pass.
type decoder struct {
	file     string
	problems Problems
}

// errorf records a problem at node n.
func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.problems = append(d.problems, Problem{File: d.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// kindName says what a node is, in the words of an error message.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return fmt.Sprintf("%q", n.Value)
}

// field is one key of a mapping section and the function that decodes its value.
type field struct {
	key    string
	decode func(v *yaml.Node)
}

// mapping decodes the mapping n by calling each field's decoder on the value of its key. It
// reports unknown and repeated keys, and returns the keys present.
func (d *decoder) mapping(n *yaml.Node, where string, fields []field) map[string]*yaml.Node {
	present := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: found %s, want a mapping", where, kindName(n))
		return present
	}
	known := make([]string, len(fields))
	byKey := map[string]func(*yaml.Node){}
	for i, f := range fields {
		known[i] = f.key
		byKey[f.key] = f.decode
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		dec, ok := byKey[k.Value]
		switch {
		case !ok:
			d.errorf(k, "%s: unknown key %q, want one of %s", where, k.Value, strings.Join(known, ", "))
		case present[k.Value] != nil:
			d.errorf(k, "%s: key %q repeated (first at line %d)", where, k.Value, present[k.Value].Line)
		default:
			present[k.Value] = k
			dec(v)
		}
	}
	return present
}

// require reports each key of keys that the mapping n lacks.
func (d *decoder) require(n *yaml.Node, where string, present map[string]*yaml.Node, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, k := range keys {
		if present[k] == nil {
			d.errorf(n, "%s: missing key %q", where, k)
		}
	}
}

// scalar reports whether n is a plain scalar, and a problem if not.
func (d *decoder) scalar(n *yaml.Node, where, want string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.errorf(n, "%s: found %s, want %s", where, kindName(n), want)
		return false
	}
	return true
}

// str decodes a string scalar.
func (d *decoder) str(n *yaml.Node, where string) (string, bool) {
	if !d.scalar(n, where, "a string") {
		return "", false
	}
	return n.Value, true
}

// integer decodes an integer scalar (also a float with no fractional part, such as 1e4).
func (d *decoder) integer(n *yaml.Node, where string) (int, bool) {
	if !d.scalar(n, where, "an integer") {
		return 0, false
	}
	if !quoted(n) {
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64); err == nil {
			return int(i), true
		}
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), true
		}
	}
	d.errorf(n, "%s: found %s, want an integer", where, kindName(n))
	return 0, false
}

// number decodes a finite number scalar.
func (d *decoder) number(n *yaml.Node, where string) (float64, bool) {
	if !d.scalar(n, where, "a number") {
		return 0, false
	}
	if !quoted(n) {
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	d.errorf(n, "%s: found %s, want a finite number", where, kindName(n))
	return 0, false
}

// quoted reports whether a scalar was written in quotes: "8" is a string, not a number.
func quoted(n *yaml.Node) bool {
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
}

// list returns the items of a sequence node, with a problem if n is not a non-empty list.
func (d *decoder) list(n *yaml.Node, where, want string) ([]*yaml.Node, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s: found %s, want a list of %s", where, kindName(n), want)
		return nil, false
	}
	if len(n.Content) == 0 {
		d.errorf(n, "%s: empty list, want at least one %s", where, want)
		return nil, false
	}
	return n.Content, true
}

// intRange checks lo <= v <= hi.
func (d *decoder) intRange(n *yaml.Node, where string, v, lo, hi int, why string) bool {
	if v < lo || v > hi {
		if hi == math.MaxInt {
			d.errorf(n, "%s: %d is out of range, want >= %d%s", where, v, lo, why)
		} else {
			d.errorf(n, "%s: %d is out of range, want %d..%d%s", where, v, lo, hi, why)
		}
		return false
	}
	return true
}

// floatRange checks lo <= v < hi (or v <= hi when closed).
func (d *decoder) floatRange(n *yaml.Node, where string, v, lo, hi float64, closed bool) bool {
	ok := v >= lo && (v < hi || closed && v == hi)
	if !ok {
		right := ")"
		if closed {
			right = "]"
		}
		hs := fmt.Sprintf("%g", hi)
		if math.IsInf(hi, 1) {
			hs = "inf"
		}
		d.errorf(n, "%s: %g is out of range, want [%g, %s%s", where, v, lo, hs, right)
	}
	return ok
}
