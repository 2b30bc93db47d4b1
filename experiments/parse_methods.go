package experiments

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"loralab/method"
)

// The keys every method entry may hold besides its kind's: its own learning rate, and a
// parameter budget for a method with a size.
const (
	keyLR     = "lr"
	keyBudget = "budget"
)

var (
	lrKey     = method.Key{Name: keyLR, Type: method.Float}
	budgetKey = method.Key{Name: keyBudget, Type: method.Int, Min: 1}
)

// entryKeys lists the keys an entry of kind k may hold besides name, in the order messages
// list them: the kind's, then lr, then budget when the kind has a size.
func entryKeys(k method.Kind) []method.Key {
	keys := append(slices.Clone(k.Keys), lrKey)
	if k.Size != "" {
		keys = append(keys, budgetKey)
	}
	return keys
}

// anyKindHas says whether some registered method has a key of that name.
func anyKindHas(key string) bool {
	if key == keyLR || key == keyBudget {
		return true
	}
	for _, k := range method.Kinds() {
		if _, ok := k.Key(key); ok {
			return true
		}
	}
	return false
}

// sizedNames lists the methods a budget can size.
func sizedNames() []string {
	var out []string
	for _, k := range method.Kinds() {
		if k.Size != "" {
			out = append(out, k.Name)
		}
	}
	return out
}

// methods decodes the methods: list, and the sweep-wide budget: that applies to the entries of
// one method.
func (p *parser) methods(n *yaml.Node, budget *yaml.Node) {
	items, ok := p.list(n, "methods", "method entry")
	if !ok {
		return
	}
	type entry struct {
		at   string
		node *yaml.Node
	}
	var entries []entry
	for i, it := range items {
		at := fmt.Sprintf("methods[%d]", i)
		if m, ok := p.methodEntry(at, it); ok {
			p.s.Methods = append(p.s.Methods, m)
			entries = append(entries, entry{at, it})
		}
	}
	if budget != nil {
		p.sweepBudget(budget)
	}
	for i, e := range entries {
		p.entryRequirements(e.at, e.node, p.s.Methods[i])
	}
}

// methodEntry decodes one entry of methods:.
func (p *parser) methodEntry(at string, n *yaml.Node) (MethodAxes, bool) {
	m := MethodAxes{line: n.Line, col: n.Column}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: found %s, want a mapping with a name and the method's fields", at, kindName(n))
		return m, false
	}
	name, ok := p.entryName(at, n)
	if !ok {
		return m, false
	}
	m.Name = name
	kind, _ := method.Lookup(name)
	keys := entryKeys(kind)
	var allowed []string
	for _, k := range keys {
		allowed = append(allowed, k.Name)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if line, dup := seen[key]; dup {
			p.errorf(k, "%s: key %q repeated (first at line %d)", at, key, line)
			continue
		}
		seen[key] = k.Line
		if key == "name" {
			continue // decoded by entryName
		}
		i := slices.Index(allowed, key)
		if i < 0 {
			if anyKindHas(key) {
				p.errorf(k, "%s: %s has no field %q, want one of %s", at, name, key, strings.Join(allowed, ", "))
			} else {
				p.errorf(k, "%s: unknown key %q, want name or one of %s", at, key, strings.Join(allowed, ", "))
			}
			continue
		}
		ax, _ := p.axis(at+"."+key, keys[i], v) // kept even when a value is bad: the key is there
		m.Axes = append(m.Axes, ax)
	}
	return m, true
}

// entryName finds and checks the name of a method entry.
func (p *parser) entryName(at string, n *yaml.Node) (string, bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "name" {
			continue
		}
		v := n.Content[i+1]
		name, ok := p.str(v, at+".name")
		if _, known := method.Lookup(name); ok && !known {
			p.errorf(v, "%s.name: unknown method %q, want one of %s", at, name, strings.Join(method.Names(), ", "))
			ok = false
		}
		return name, ok
	}
	p.errorf(n, "%s: missing key \"name\" (one of %s)", at, strings.Join(method.Names(), ", "))
	return "", false
}

// entryRequirements checks that an entry fixes what its method needs: its size (LoRA's rank,
// an adapter's size, a prefix method's lengths) either directly or through a budget, never
// both.
func (p *parser) entryRequirements(at string, n *yaml.Node, m MethodAxes) {
	kind, _ := method.Lookup(m.Name)
	needs := kind.Needed()
	if len(needs) == 0 {
		return
	}
	has := func(k string) bool { return m.axis(k) != nil }
	switch {
	case has(kind.Size) && has(keyBudget):
		p.errorf(n, "%s: both %s and budget given, want one of them (a budget solves %s)", at, kind.Size, kind.Size)
	case !slices.ContainsFunc(needs, has) && !has(keyBudget):
		var quoted []string
		for _, k := range append(slices.Clone(needs), keyBudget) {
			quoted = append(quoted, fmt.Sprintf("%q", k))
		}
		p.errorf(n, "%s: missing key %s", at, orList(quoted))
	}
}

// axis returns the axis of the entry with the given key, or nil.
func (m *MethodAxes) axis(key string) *Axis {
	for i := range m.Axes {
		if m.Axes[i].Key == key {
			return &m.Axes[i]
		}
	}
	return nil
}

// axis decodes the value of one method key: one value, or a list of values to sweep.
func (p *parser) axis(at string, key method.Key, n *yaml.Node) (Axis, bool) {
	ax := Axis{Key: key.Name}
	items := []*yaml.Node{n}
	isList := key.Type == method.Strings || key.Type == method.Ints
	if n.Kind == yaml.SequenceNode && (!isList || len(n.Content) > 0 && n.Content[0].Kind == yaml.SequenceNode) {
		var ok bool
		if items, ok = p.list(n, at, "value"); !ok {
			return ax, false
		}
		ax.swept = true
	}
	ok := true
	for i, it := range items {
		vat := at
		if ax.swept {
			vat = fmt.Sprintf("%s[%d]", at, i)
		}
		v, good := p.methodValue(vat, key, it)
		if !good {
			ok = false
			continue
		}
		if slices.IndexFunc(ax.Values, func(x any) bool { return reflect.DeepEqual(x, v) }) >= 0 {
			p.errorf(it, "%s: value %v repeated", vat, v)
			ok = false
			continue
		}
		ax.Values = append(ax.Values, v)
		ax.lines, ax.cols = append(ax.lines, it.Line), append(ax.cols, it.Column)
	}
	return ax, ok
}

// methodValue decodes and checks one value of a method key.
func (p *parser) methodValue(at string, key method.Key, n *yaml.Node) (any, bool) {
	switch key.Type {
	case method.Int:
		v, ok := p.integer(n, at)
		return v, ok && p.checkInt(at, key, n, v)
	case method.Float:
		v, ok := p.number(n, at)
		return v, ok && p.checkFloat(at, key, n, v)
	case method.String:
		v, ok := p.str(n, at)
		return v, ok && p.oneOf(n, at, v, key.Choices())
	case method.Strings:
		return p.stringSet(at, key, n)
	default:
		return p.intSet(at, key, n)
	}
}

// dims are the model dimensions method values are checked against: none when the model has
// problems (those are reported; only what needs no model is checked).
func (p *parser) dims() method.Dims {
	if !p.modelOK {
		return method.AnyModel
	}
	return p.s.Dims()
}

// checkInt checks an integer method value against its key's range on the model.
func (p *parser) checkInt(at string, key method.Key, n *yaml.Node, v int) bool {
	lo, hi, name := key.IntRange(p.dims())
	if name != "" {
		name = " (" + name + ")"
	}
	return p.intRange(n, at, v, lo, hi, name)
}

// checkFloat checks a real method value: in [0, 1) for a Unit key, > 0 otherwise.
func (p *parser) checkFloat(at string, key method.Key, n *yaml.Node, v float64) bool {
	if key.Unit {
		return p.floatRange(n, at, v, 0, 1, false)
	}
	if !(v > 0) {
		p.errorf(n, "%s: %g is out of range, want > 0", at, v)
		return false
	}
	return true
}

// stringSet decodes one set of strings, such as the targets [q, v].
func (p *parser) stringSet(at string, key method.Key, n *yaml.Node) ([]string, bool) {
	choices, what := key.Choices(), strings.TrimSuffix(key.Name, "s")
	items, ok := p.list(n, at, what+" ("+orList(choices)+")")
	if !ok {
		return nil, false
	}
	var set []string
	for _, it := range items {
		t, good := p.str(it, at)
		switch {
		case !good:
			ok = false
		case !slices.Contains(choices, t):
			p.errorf(it, "%s: unknown %s %q, want %s", at, what, t, orList(choices))
			ok = false
		case slices.Contains(set, t):
			p.errorf(it, "%s: %s %q repeated", at, what, t)
			ok = false
		default:
			set = append(set, t)
		}
	}
	return set, ok
}

// intSet decodes one set of integers, such as the block indices [0, 1].
func (p *parser) intSet(at string, key method.Key, n *yaml.Node) ([]int, bool) {
	what := strings.TrimSuffix(key.Name, "s")
	items, ok := p.list(n, at, what+" index")
	if !ok {
		return nil, false
	}
	var set []int
	for _, it := range items {
		l, good := p.integer(it, at)
		switch {
		case !good || !p.checkInt(at, key, it, l):
			ok = false
		case slices.Contains(set, l):
			p.errorf(it, "%s: %s %d repeated", at, what, l)
			ok = false
		default:
			set = append(set, l)
		}
	}
	return set, ok
}

// sweepBudget decodes the sweep-wide budget: {params: N, method: M} and gives it to every entry
// of method M that fixes neither its size nor its own budget.
func (p *parser) sweepBudget(n *yaml.Node) {
	var params int
	var name string
	present := p.mapping(n, "budget", []field{
		p.intField("budget", "params", &params, 1, math.MaxInt, ""),
		{"method", func(v *yaml.Node) {
			s, ok := p.str(v, "budget.method")
			if k, known := method.Lookup(s); ok && known && k.Size == "" || ok && !known {
				p.errorf(v, "budget.method: %q has no size to solve, want %s", s, orList(sizedNames()))
				return
			}
			name = s
		}},
	})
	p.require(n, "budget", present, "params", "method")
	if params == 0 || name == "" {
		return
	}
	used := false
	for i := range p.s.Methods {
		m := &p.s.Methods[i]
		if m.Name != name {
			continue
		}
		used = true
		kind, _ := method.Lookup(name)
		if m.axis(keyBudget) == nil && m.axis(kind.Size) == nil {
			m.Axes = append(m.Axes, Axis{Key: "budget", Values: []any{params}, lines: []int{n.Line}, cols: []int{n.Column}})
		}
	}
	if !used {
		p.errorf(present["method"], "budget.method: no entry of methods: is %q", name)
	}
}
