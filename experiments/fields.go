package experiments

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// intField decodes key of section into dst, checking lo <= value <= hi.
func (d *decoder) intField(section, key string, dst *int, lo, hi int, why string) field {
	return field{key, func(v *yaml.Node) {
		at := section + "." + key
		if x, ok := d.integer(v, at); ok && d.intRange(v, at, x, lo, hi, why) {
			*dst = x
		}
	}}
}

// floatField decodes key of section into dst, checking lo <= value < hi (<= when closed).
func (d *decoder) floatField(section, key string, dst *float64, lo, hi float64, closed bool) field {
	return field{key, func(v *yaml.Node) {
		at := section + "." + key
		if x, ok := d.number(v, at); ok && d.floatRange(v, at, x, lo, hi, closed) {
			*dst = x
		}
	}}
}

// positiveField decodes key of section into dst, checking value > 0.
func (d *decoder) positiveField(section, key string, dst *float64) field {
	return field{key, func(v *yaml.Node) {
		at := section + "." + key
		if x, ok := d.number(v, at); ok {
			if x <= 0 {
				d.errorf(v, "%s: %g is out of range, want > 0", at, x)
				return
			}
			*dst = x
		}
	}}
}

// enumField decodes key of section into dst, checking it is one of allowed.
func (d *decoder) enumField(section, key string, dst *string, allowed ...string) field {
	return field{key, func(v *yaml.Node) {
		at := section + "." + key
		if s, ok := d.str(v, at); ok && d.oneOf(v, at, s, allowed) {
			*dst = s
		}
	}}
}

// oneOf checks that s is one of allowed.
func (d *decoder) oneOf(n *yaml.Node, where, s string, allowed []string) bool {
	if slices.Contains(allowed, s) {
		return true
	}
	d.errorf(n, "%s: unknown value %q, want %s", where, s, orList(allowed))
	return false
}

// orList writes "a, b or c".
func orList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return fmt.Sprintf("%s or %s", strings.Join(xs[:len(xs)-1], ", "), xs[len(xs)-1])
}
