package method

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"loralab/model/target"
)

// Type is the type of a key's value in a sweep file.
type Type int

// The value types of method keys.
const (
	Int     Type = iota
	Float        // a real number
	String       // one of Choices
	Strings      // a set of Choices, written as a list (a list of lists sweeps)
	Ints         // a set of integers, written as a list (a list of lists sweeps)
)

// Key declares one field of a method entry: its name in sweep files, its type and the values
// it allows. The sweep parser checks every value against it (and reports the value's line and
// column), and so does Validate.
type Key struct {
	Name string
	Type Type
	// Min is the smallest value of an Int key or of each element of an Ints key.
	Min int
	// Max, if not nil, is the largest such value on a model of dimensions d, and MaxName how
	// messages name it ("d_model").
	Max     func(d Dims) int
	MaxName string
	// Unit makes a Float key range over [0, 1) instead of (0, ∞).
	Unit bool
	// Choices, for String and Strings keys, lists the values allowed. It is a function so
	// that a method can extend it from its own registry (LoRA's initialisations).
	Choices func() []string
	// Doc is a short description, for the command line's help.
	Doc string
}

// check reports what is wrong with the declaration of key.
func (key Key) check() error {
	if key.Name == "" || key.Name == "name" || key.Name == "lr" || key.Name == "budget" {
		return fmt.Errorf("key name %q is reserved or empty", key.Name)
	}
	if (key.Type == String || key.Type == Strings) && key.Choices == nil {
		return fmt.Errorf("key %q: a string key needs its choices", key.Name)
	}
	if want, ok := fieldType(key.Name); ok && want != key.Type {
		return fmt.Errorf("key %q: a Spec field of another type has that name", key.Name)
	}
	if _, ok := fieldType(key.Name); !ok && key.Type != Int && key.Type != Float {
		return fmt.Errorf("key %q: a key that is not a Spec field must be a number (it is kept in Spec.Opts)", key.Name)
	}
	return nil
}

// max is the largest value of an Int or Ints key on d (MaxInt when unbounded).
func (key Key) max(d Dims) int {
	if key.Max == nil {
		return math.MaxInt
	}
	return key.Max(d)
}

// IntRange is the range of an Int key or of each element of an Ints key, and how messages
// name its top ("d_model", "" when unbounded or not named).
func (key Key) IntRange(d Dims) (lo, hi int, hiName string) {
	return key.Min, key.max(d), key.MaxName
}

// The keys several methods share, declared once.
var (
	// KeyRank is a low-rank method's rank r.
	KeyRank = Key{Name: "rank", Type: Int, Min: 1, Max: func(d Dims) int { return d.DModel }, MaxName: "d_model", Doc: "rank r"}
	// KeyAlpha is LoRA's alpha: the update is scaled by alpha/r (0 means alpha = r).
	KeyAlpha = Key{Name: "alpha", Type: Float, Doc: "alpha (scale alpha/r; 0 = r)"}
	// KeyTargets is the set of adapted matrices (package target's table).
	KeyTargets = Key{Name: "targets", Type: Strings, Choices: target.Names, Doc: "adapted matrices"}
	// KeyLayers is the set of adapted blocks (none = all).
	KeyLayers = Key{Name: "layers", Type: Ints, Min: 0, Max: func(d Dims) int { return d.Layers - 1 }, MaxName: "layers - 1", Doc: "adapted blocks (none = all)"}
	// KeyDropout is dropout on a method's input.
	KeyDropout = Key{Name: "dropout", Type: Float, Unit: true, Doc: "dropout on the method's input"}
	// KeySize is an adapter's bottleneck size.
	KeySize = Key{Name: "size", Type: Int, Min: 1, Max: func(d Dims) int { return d.DModel }, MaxName: "d_model", Doc: "bottleneck size"}
)

// specFields are the keys stored in a Spec field rather than in Opts, with their types.
var specFields = []struct {
	name string
	typ  Type
}{
	{"rank", Int}, {"alpha", Float}, {"targets", Strings}, {"layers", Ints}, {"scaling", String},
	{"init", String}, {"dropout", Float}, {"size", Int}, {"drop_k", Int}, {"prefix", Int}, {"infix", Int},
}

// fieldType is the type of the Spec field a key is stored in, and whether there is one.
func fieldType(key string) (Type, bool) {
	for _, f := range specFields {
		if f.name == key {
			return f.typ, true
		}
	}
	return 0, false
}

// Get returns the value of key in s: an int, float64, string, []string or []int; a key kept
// in Opts is returned as a float64, or an int when declared Int.
func (s Spec) Get(key Key) any {
	switch key.Name {
	case "rank":
		return s.Rank
	case "size":
		return s.Size
	case "drop_k":
		return s.DropK
	case "prefix":
		return s.Prefix
	case "infix":
		return s.Infix
	case "alpha":
		return s.Alpha
	case "dropout":
		return s.Dropout
	case "scaling":
		return s.Scaling
	case "init":
		return s.Init
	case "targets":
		return s.Targets
	case "layers":
		return s.Layers
	}
	if key.Type == Int {
		return int(s.Opts[key.Name])
	}
	return s.Opts[key.Name]
}

// Set stores v, of the key's type, as the value of key in s.
func (s *Spec) Set(key Key, v any) {
	switch key.Name {
	case "rank":
		s.Rank = v.(int)
	case "size":
		s.Size = v.(int)
	case "drop_k":
		s.DropK = v.(int)
	case "prefix":
		s.Prefix = v.(int)
	case "infix":
		s.Infix = v.(int)
	case "alpha":
		s.Alpha = v.(float64)
	case "dropout":
		s.Dropout = v.(float64)
	case "scaling":
		s.Scaling = v.(string)
	case "init":
		s.Init = v.(string)
	case "targets":
		s.Targets = slices.Clone(v.([]string))
	case "layers":
		s.Layers = slices.Clone(v.([]int))
	default:
		if s.Opts == nil {
			s.Opts = map[string]float64{}
		}
		switch x := v.(type) {
		case int:
			s.Opts[key.Name] = float64(x)
		default:
			s.Opts[key.Name] = x.(float64)
		}
	}
}

// CheckValue reports what is wrong with one value of key on a model of dimensions d, "" when
// nothing is. Sets (Strings, Ints) are checked element by element and for repeats.
func (key Key) CheckValue(v any, d Dims) string {
	switch key.Type {
	case Int:
		return key.checkInt(v.(int), d)
	case Float:
		x := v.(float64)
		if key.Unit && (x < 0 || x >= 1) {
			return fmt.Sprintf("%s %g out of range [0, 1)", key.Name, x)
		}
		if !key.Unit && !(x > 0) {
			return fmt.Sprintf("%s %g out of range, want > 0", key.Name, x)
		}
	case String:
		if x := v.(string); !slices.Contains(key.Choices(), x) {
			return fmt.Sprintf("unknown %s %q (want %s)", key.Name, x, OrList(key.Choices()))
		}
	case Strings:
		xs := v.([]string)
		for i, x := range xs {
			if !slices.Contains(key.Choices(), x) {
				return fmt.Sprintf("unknown %s entry %q (want %s)", key.Name, x, OrList(key.Choices()))
			}
			if slices.Contains(xs[:i], x) {
				return fmt.Sprintf("%s entry %q repeated", key.Name, x)
			}
		}
	case Ints:
		xs := v.([]int)
		for i, x := range xs {
			if msg := key.checkInt(x, d); msg != "" {
				return msg
			}
			if slices.Contains(xs[:i], x) {
				return fmt.Sprintf("%s entry %d repeated", key.Name, x)
			}
		}
	}
	return ""
}

// checkInt checks one integer against the key's range.
func (key Key) checkInt(v int, d Dims) string {
	lo, hi, name := key.IntRange(d)
	if v >= lo && v <= hi {
		return ""
	}
	if hi == math.MaxInt {
		return fmt.Sprintf("%s %d out of range, want >= %d", key.Name, v, lo)
	}
	if name != "" {
		return fmt.Sprintf("%s %d out of range [%d, %s=%d]", key.Name, v, lo, name, hi)
	}
	return fmt.Sprintf("%s %d out of range [%d, %d]", key.Name, v, lo, hi)
}

// OrList writes "a, b or c".
func OrList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
