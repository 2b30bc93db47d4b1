package tuner

import (
	"fmt"
	"strings"
	"sync"

	"loralab/method"
)

// Builder returns the method a setting names, not yet applied to a model.
type Builder func(method.Spec) (Method, error)

var builders = struct {
	sync.RWMutex
	m map[string]Builder
}{m: map[string]Builder{}}

// Register makes a method known to loralab: its kind (sweep-file keys, checks, label,
// parameter formula; see method.Kind) and its constructor. Each method calls it from an init
// function in its own file, so that adding a method is adding a file. It panics on a
// malformed kind or a name registered twice.
func Register(k method.Kind, build Builder) {
	if build == nil {
		panic(fmt.Sprintf("tuner: register %q: nil constructor", k.Name))
	}
	method.Register(k)
	builders.Lock()
	defer builders.Unlock()
	builders.m[k.Name] = build
}

// New builds the method a setting names, after checking the setting's fields that do not
// depend on the model (the rest is checked by Apply, which knows the model).
func New(spec method.Spec) (Method, error) {
	builders.RLock()
	build, ok := builders.m[spec.Name]
	builders.RUnlock()
	if !ok {
		return nil, fmt.Errorf("tuner: unknown method %q (want one of %s)", spec.Name, strings.Join(method.Names(), ", "))
	}
	m, err := build(spec)
	if err != nil {
		return nil, err
	}
	return m, nil
}
