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

// valueKind is the type of one value of a method key.
type valueKind int

const (
	kindInt valueKind = iota
	kindFloat
	kindString
	kindStrings // a list of strings is one value (a target set); a list of lists sweeps
	kindInts    // a list of integers is one value (a layer set); a list of lists sweeps
)

// methodKeyKinds gives the value type of every key a method entry may hold besides name.
var methodKeyKinds = map[string]valueKind{
	"rank": kindInt, "alpha": kindFloat, "targets": kindStrings, "layers": kindInts,
	"scaling": kindString, "init": kindString, "dropout": kindFloat,
	"size": kindInt, "drop_k": kindInt, "prefix": kindInt, "infix": kindInt,
	"lr": kindFloat, "budget": kindInt,
}

// methodKeys lists, per method, the keys its entries may hold, in the order messages list them.
func methodKeys(name string) []string {
	switch name {
	case method.LoRA:
		return []string{"rank", "alpha", "targets", "layers", "scaling", "init", "dropout", "lr", "budget"}
	case method.AdapterH, method.AdapterL, method.AdapterP:
		return []string{"size", "lr", "budget"}
	case method.AdapterD:
		return []string{"size", "drop_k", "lr", "budget"}
	case method.PrefixEmbed, method.PrefixLayer:
		return []string{"prefix", "infix", "lr", "budget"}
	}
	return []string{"lr"}
}

// solvedKey is the field a parameter budget solves for, "" when the method has no such size.
func solvedKey(name string) string {
	switch name {
	case method.LoRA:
		return "rank"
	case method.AdapterH, method.AdapterL, method.AdapterP, method.AdapterD:
		return "size"
	case method.PrefixEmbed, method.PrefixLayer:
		return "prefix"
	}
	return ""
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
	allowed := methodKeys(name)
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
		if !slices.Contains(allowed, key) {
			if _, known := methodKeyKinds[key]; known {
				p.errorf(k, "%s: %s has no field %q, want one of %s", at, name, key, strings.Join(allowed, ", "))
			} else {
				p.errorf(k, "%s: unknown key %q, want name or one of %s", at, key, strings.Join(allowed, ", "))
			}
			continue
		}
		ax, _ := p.axis(at+"."+key, key, v) // kept even when a value is bad: the key is there
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
		if ok && !slices.Contains(method.Names(), name) {
			p.errorf(v, "%s.name: unknown method %q, want one of %s", at, name, strings.Join(method.Names(), ", "))
			ok = false
		}
		return name, ok
	}
	p.errorf(n, "%s: missing key \"name\" (one of %s)", at, strings.Join(method.Names(), ", "))
	return "", false
}

// entryRequirements checks that an entry fixes what its method needs: the size of LoRA,
// adapters and prefixes either directly or through a budget, never both.
func (p *parser) entryRequirements(at string, n *yaml.Node, m MethodAxes) {
	key := solvedKey(m.Name)
	if key == "" {
		return
	}
	has := func(k string) bool { return m.axis(k) != nil }
	switch {
	case has(key) && has("budget"):
		p.errorf(n, "%s: both %s and budget given, want one of them (a budget solves %s)", at, key, key)
	case m.Name == method.PrefixEmbed || m.Name == method.PrefixLayer:
		if !has("prefix") && !has("infix") && !has("budget") {
			p.errorf(n, "%s: missing key \"prefix\", \"infix\" or \"budget\"", at)
		}
	case !has(key) && !has("budget"):
		p.errorf(n, "%s: missing key %q or \"budget\"", at, key)
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
func (p *parser) axis(at, key string, n *yaml.Node) (Axis, bool) {
	ax := Axis{Key: key}
	kind := methodKeyKinds[key]
	items := []*yaml.Node{n}
	isList := kind == kindStrings || kind == kindInts
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
		v, good := p.methodValue(vat, key, kind, it)
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
func (p *parser) methodValue(at, key string, kind valueKind, n *yaml.Node) (any, bool) {
	switch kind {
	case kindInt:
		v, ok := p.integer(n, at)
		return v, ok && p.checkInt(at, key, n, v)
	case kindFloat:
		v, ok := p.number(n, at)
		return v, ok && p.checkFloat(at, key, n, v)
	case kindString:
		v, ok := p.str(n, at)
		allowed := map[string][]string{"scaling": {"standard", "rslora"}, "init": {"kaiming", "gaussian"}}[key]
		return v, ok && p.oneOf(n, at, v, allowed)
	case kindStrings:
		return p.targetSet(at, n)
	default:
		return p.layerSet(at, n)
	}
}

// checkInt checks an integer method value against the model.
func (p *parser) checkInt(at, key string, n *yaml.Node, v int) bool {
	d := p.s.Model
	if !p.modelOK { // the model's problems are reported; check only what needs no model
		d.DModel, d.Layers, d.MaxLen = math.MaxInt, math.MaxInt, math.MaxInt
	}
	switch key {
	case "rank", "size":
		return p.intRange(n, at, v, 1, d.DModel, " (d_model)")
	case "drop_k":
		return p.intRange(n, at, v, 0, d.Layers-1, " (layers - 1)")
	case "prefix", "infix":
		return p.intRange(n, at, v, 0, d.MaxLen-1, " (max_len - 1)")
	}
	return p.intRange(n, at, v, 1, math.MaxInt, "") // budget
}

// checkFloat checks a real method value.
func (p *parser) checkFloat(at, key string, n *yaml.Node, v float64) bool {
	if key == "dropout" {
		return p.floatRange(n, at, v, 0, 1, false)
	}
	if v <= 0 {
		p.errorf(n, "%s: %g is out of range, want > 0", at, v)
		return false
	}
	return true
}

// targetSet decodes one set of LoRA targets, such as [q, v].
func (p *parser) targetSet(at string, n *yaml.Node) ([]string, bool) {
	targets := method.Targets()
	items, ok := p.list(n, at, "target ("+orList(targets)+")")
	if !ok {
		return nil, false
	}
	var set []string
	for _, it := range items {
		t, good := p.str(it, at)
		switch {
		case !good:
			ok = false
		case !slices.Contains(targets, t):
			p.errorf(it, "%s: unknown target %q, want %s", at, t, orList(targets))
			ok = false
		case slices.Contains(set, t):
			p.errorf(it, "%s: target %q repeated", at, t)
			ok = false
		default:
			set = append(set, t)
		}
	}
	return set, ok
}

// layerSet decodes one set of block indices, such as [0, 1].
func (p *parser) layerSet(at string, n *yaml.Node) ([]int, bool) {
	items, ok := p.list(n, at, "layer index")
	if !ok {
		return nil, false
	}
	hi := math.MaxInt
	if p.modelOK {
		hi = p.s.Model.Layers - 1
	}
	var set []int
	for _, it := range items {
		l, good := p.integer(it, at)
		switch {
		case !good || !p.intRange(it, at, l, 0, hi, " (layers - 1)"):
			ok = false
		case slices.Contains(set, l):
			p.errorf(it, "%s: layer %d repeated", at, l)
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
			if ok && solvedKey(s) == "" {
				p.errorf(v, "budget.method: %q has no size to solve, want lora, an adapter or a prefix method", s)
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
		if m.axis("budget") == nil && m.axis(solvedKey(name)) == nil {
			m.Axes = append(m.Axes, Axis{Key: "budget", Values: []any{params}, lines: []int{n.Line}, cols: []int{n.Column}})
		}
	}
	if !used {
		p.errorf(present["method"], "budget.method: no entry of methods: is %q", name)
	}
}
