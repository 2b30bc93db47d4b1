// Package method describes the ways of adapting a pretrained model that loralab compares —
// LoRA, its variants and the baselines of the LoRA paper — without implementing them: a Spec
// is what a sweep file says about one method setting, a Kind is what loralab knows about one
// method (its keys, checks, label and the paper's parameter formula, Hu et al., 2021, Section
// 5.1). Kinds are registered by the packages that implement the methods (lora, baselines),
// each from the method's own file, through package tuner.
//
// This package imports no part of the training engine, so that the sweep parser and the
// reports can check, count and label settings without linking it.
package method

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// Names of the paper's methods, for code that builds one particular setting (the latency
// benchmark, the LoRA analyses). Which methods exist is the registry's business: see Names.
const (
	LoRA        = "lora"
	FT          = "ft"
	FTTop2      = "fttop2"
	BitFit      = "bitfit"
	PrefixEmbed = "prefix_embed"
	PrefixLayer = "prefix_layer"
	AdapterH    = "adapter_h"
	AdapterL    = "adapter_l"
	AdapterP    = "adapter_p"
	AdapterD    = "adapter_d"
)

// Spec is one method setting. Fields that its method has no key for are zero. Its JSON is
// part of every run id (experiments.RunSpec.RunID): fields are only ever added, with
// omitempty, so that the ids of existing settings do not change.
type Spec struct {
	Name string `json:"name" yaml:"name"`

	// Low-rank methods: rank r, alpha, the matrices adapted, the layers (nil = all), the
	// scaling rule, the initialisation and dropout on the method's input.
	Rank    int      `json:"rank,omitempty" yaml:"rank,omitempty"`
	Alpha   float64  `json:"alpha,omitempty" yaml:"alpha,omitempty"`
	Targets []string `json:"targets,omitempty" yaml:"targets,omitempty"`
	Layers  []int    `json:"layers,omitempty" yaml:"layers,omitempty"`
	Scaling string   `json:"scaling,omitempty" yaml:"scaling,omitempty"`
	Init    string   `json:"init,omitempty" yaml:"init,omitempty"`
	Dropout float64  `json:"dropout,omitempty" yaml:"dropout,omitempty"`

	// Adapters: bottleneck size r; AdapterD drops the adapters of the lowest DropK blocks.
	Size  int `json:"size,omitempty" yaml:"size,omitempty"`
	DropK int `json:"drop_k,omitempty" yaml:"drop_k,omitempty"`

	// Prefix methods: l_p prefix and l_i infix tokens.
	Prefix int `json:"prefix,omitempty" yaml:"prefix,omitempty"`
	Infix  int `json:"infix,omitempty" yaml:"infix,omitempty"`

	// LR overrides the sweep's learning rate for this setting (0 = the sweep's).
	LR float64 `json:"lr,omitempty" yaml:"lr,omitempty"`

	// Opts holds the values of the numeric keys a method declares that are none of the
	// fields above (LoRA+'s lr_ratio, say).
	Opts map[string]float64 `json:"opts,omitempty" yaml:"opts,omitempty"`
}

// Dims are the model dimensions the parameter formulas and range checks need.
type Dims struct {
	Arch                       string // "encoder" or "decoder"
	Vocab, DModel, Layers, DFF int
	MaxLen                     int
	NumLabels                  int // encoder head outputs; 0 for none
}

// Counts are the three parameter counts every result reports.
type Counts struct {
	Trainable int // elements of the method's actual trainable tensors (head excluded)
	Paper     int // the paper's formula for this setting (Section 5.1)
	Head      int // classifier/regression head, counted apart
}

// AnyModel is a model no setting is too large for: Validate(AnyModel) checks what does not
// depend on the model (a constructor's check before Apply).
var AnyModel = Dims{Vocab: math.MaxInt, DModel: math.MaxInt, Layers: math.MaxInt, DFF: math.MaxInt, MaxLen: math.MaxInt}

// Label is a short human name for the setting, e.g. "lora r=8 q,v" or "adapter_h r=16": its
// kind's label, followed by " key=value" for each key kept in Opts that is set (a key added
// by another file, such as "lr_ratio=16"), so that settings that differ have different labels.
func (s Spec) Label() string {
	k, ok := Lookup(s.Name)
	if !ok {
		return s.Name
	}
	l := s.Name
	if k.Label != nil {
		l = k.Label(s)
	}
	for _, key := range k.Keys {
		if _, field := fieldType(key.Name); !field && s.Opts[key.Name] != 0 {
			l += fmt.Sprintf(" %s=%g", key.Name, s.Opts[key.Name])
		}
	}
	return l
}

// Problems lists every problem of s for a model of dimensions d: an unknown method, values
// out of their key's range, then what the method's own check finds. A key left at its zero
// value is not checked, except the method's size (a rank of 0 is a problem).
func (s Spec) Problems(d Dims) []Problem {
	k, ok := Lookup(s.Name)
	if !ok {
		return []Problem{{Msg: fmt.Sprintf("unknown method %q (want one of %s)", s.Name, strings.Join(Names(), ", "))}}
	}
	var out []Problem
	for _, f := range specFields {
		if _, ok := k.Key(f.name); !ok && !reflect.ValueOf(s.Get(Key{Name: f.name})).IsZero() {
			out = append(out, Problem{f.name, fmt.Sprintf("%s has no key %q", s.Name, f.name)})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Opts)) {
		if key, ok := k.Key(name); !ok || key.Type != Int && key.Type != Float {
			out = append(out, Problem{name, fmt.Sprintf("%s has no numeric key %q", s.Name, name)})
		}
	}
	for _, key := range k.Keys {
		v := s.Get(key)
		if key.Name != k.Size && reflect.ValueOf(v).IsZero() {
			continue
		}
		if msg := key.CheckValue(v, d); msg != "" {
			out = append(out, Problem{key.Name, msg})
		}
	}
	if k.Check != nil {
		out = append(out, k.Check(s, d)...)
	}
	if s.LR < 0 {
		out = append(out, Problem{"lr", fmt.Sprintf("negative learning rate %g", s.LR)})
	}
	return out
}

// Validate reports every problem of s for a model of dimensions d, joined in one error that
// starts with the setting's label.
func (s Spec) Validate(d Dims) error {
	ps := s.Problems(d)
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Msg
	}
	return fmt.Errorf("%s: %s", s.Label(), strings.Join(msgs, "; "))
}

// PaperParams is the trainable-parameter count of a valid setting by its method's formula
// (for the paper's methods, the formulas of Section 5.1), excluding any classifier head.
func PaperParams(s Spec, d Dims) (int, error) {
	if err := s.Validate(d); err != nil {
		return 0, err
	}
	k, _ := Lookup(s.Name)
	return k.Params(s, d), nil
}

// WithDefaults returns s with the fields its method fills when an entry leaves them unset.
func (s Spec) WithDefaults() Spec {
	if k, ok := Lookup(s.Name); ok && k.Defaults != nil {
		k.Defaults(&s)
	}
	return s
}

// SizeOf is the value of the setting's size key (rank, bottleneck size, prefix length), 0
// for a method without one.
func SizeOf(s Spec) int {
	k, ok := Lookup(s.Name)
	if !ok || k.Size == "" {
		return 0
	}
	key, _ := k.Key(k.Size)
	return s.Get(key).(int)
}

// ParseTargets reads "q,v" into []string{"q", "v"}.
func ParseTargets(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
