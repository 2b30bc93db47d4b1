package method

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
)

// Kind is everything loralab knows about one method apart from its implementation: how sweep
// files write it, how to check and label a setting, and how many parameters the paper's
// formula gives it. Each method registers its Kind from its own file (package lora,
// baselines, ...) through tuner.Register, beside its constructor; the sweep parser, the
// expansion, the budget solver, the learning-rate families, the command line and the reports
// read kinds from here and never name a method.
type Kind struct {
	// Name is the method's name in sweep files ("lora").
	Name string
	// Order places the method in tables and listings: the paper's table order for its
	// methods (ft 10 ... adapter_d 80, lora 90), LoRA's successors after it (lora_fa 91,
	// ia3 95, ...). Ties sort by name.
	Order int
	// Family groups methods that share a learning rate in train.lr ("adapter"); "" means the
	// method is its own family.
	Family string
	// Keys are the fields an entry of this method may hold besides name, lr and budget, in
	// the order messages list them. Keys named like a Spec field (rank, targets, ...) are
	// stored there; any other key is a number stored in Spec.Opts.
	Keys []Key
	// Size is the key a parameter budget solves ("rank"), "" when the method has none. It
	// must be an Int key.
	Size string
	// SizeRange, if not nil, narrows the sizes a budget may choose (prefix methods: prefix +
	// infix < max_len); by default they are the Size key's range.
	SizeRange func(s Spec, d Dims) (lo, hi int)
	// Needs are the keys of which an entry must give at least one (or a budget); nil means
	// {Size} when the method has a size.
	Needs []string
	// Defaults, if not nil, fills the fields an entry left unset (LoRA's targets).
	Defaults func(s *Spec)
	// Params is the trainable-parameter count by the paper's formula, head excluded, for a
	// valid setting.
	Params func(s Spec, d Dims) int
	// Label, if not nil, names a setting for people ("lora r=8 q,v"); by default the name.
	Label func(s Spec) string
	// Check, if not nil, reports the problems of a setting that the per-key checks cannot
	// see (a combination of keys, a key against the model), each naming its key.
	Check func(s Spec, d Dims) []Problem
	// PEFT, if not nil, gives the fields of Hugging Face PEFT's adapter_config.json that a
	// setting fixes (peft_type, r, lora_alpha, ...).
	PEFT func(s Spec) map[string]any
	// Mergeable says that the method's update folds into the base weights (Merge), so that
	// it can be timed merged and unmerged.
	Mergeable bool
	// Scale, if not nil, is the factor s of a low-rank update ΔW = s·B·A of the saved
	// factors (LoRA's alpha/r), for the analyses that rebuild ΔW from them. It is 0 for a
	// setting whose factors alone do not give its update against the base (an initialisation
	// from W freezes W − s·B₀·A₀ in W's place); the analyses merge such a run instead.
	Scale func(s Spec) float64
}

// Problem is one thing wrong with a setting: the key it concerns ("" for the entry as a
// whole) and a message that starts with the key's name.
type Problem struct {
	Key string
	Msg string
}

var registry = struct {
	sync.RWMutex
	kinds   map[string]Kind
	pending map[string][]Key // keys added to a kind not registered yet
}{kinds: map[string]Kind{}, pending: map[string][]Key{}}

// Register adds a kind. It panics when the kind is malformed or its name is taken: both are
// programming errors, found when the binary starts.
func Register(k Kind) {
	if err := k.check(); err != nil {
		panic(fmt.Sprintf("method: register %q: %v", k.Name, err))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[k.Name]; dup {
		panic(fmt.Sprintf("method: kind %q registered twice", k.Name))
	}
	registry.kinds[k.Name] = k
	keys := registry.pending[k.Name]
	delete(registry.pending, k.Name)
	for _, key := range keys {
		addKey(k.Name, key)
	}
}

// AddKeys gives the kind named name more keys, declared in another file than the kind: an
// option of a method that is its own file (LoRA+'s lr_ratio on lora). The keys reach the
// kind whether it is registered before or after. It panics on a malformed or repeated key.
func AddKeys(name string, keys ...Key) {
	registry.Lock()
	defer registry.Unlock()
	for _, key := range keys {
		if _, ok := registry.kinds[name]; !ok {
			registry.pending[name] = append(registry.pending[name], key)
			continue
		}
		addKey(name, key)
	}
}

// addKey adds one key to a registered kind; the registry is locked.
func addKey(name string, key Key) {
	k := registry.kinds[name]
	k.Keys = append(slices.Clone(k.Keys), key)
	if err := k.check(); err != nil {
		panic(fmt.Sprintf("method: add key %q to %q: %v", key.Name, name, err))
	}
	registry.kinds[name] = k
}

// check reports what is wrong with the declaration of k.
func (k Kind) check() error {
	if k.Name == "" || k.Params == nil {
		return fmt.Errorf("want a name and a parameter formula")
	}
	seen := map[string]bool{}
	for _, key := range k.Keys {
		if seen[key.Name] {
			return fmt.Errorf("key %q declared twice", key.Name)
		}
		seen[key.Name] = true
		if err := key.check(); err != nil {
			return err
		}
	}
	if k.Size != "" {
		if key, ok := k.Key(k.Size); !ok || key.Type != Int {
			return fmt.Errorf("size key %q is not an Int key of the method", k.Size)
		}
	}
	for _, n := range k.Needs {
		if !seen[n] {
			return fmt.Errorf("needed key %q is not a key of the method", n)
		}
	}
	return nil
}

// Lookup returns the kind registered under name.
func Lookup(name string) (Kind, bool) {
	registry.RLock()
	defer registry.RUnlock()
	k, ok := registry.kinds[name]
	return k, ok
}

// Kinds lists every registered kind, in table order.
func Kinds() []Kind {
	registry.RLock()
	ks := make([]Kind, 0, len(registry.kinds))
	for _, k := range registry.kinds {
		ks = append(ks, k)
	}
	registry.RUnlock()
	slices.SortFunc(ks, func(a, b Kind) int { return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Name, b.Name)) })
	return ks
}

// Names lists the registered methods in table order.
func Names() []string {
	var out []string
	for _, k := range Kinds() {
		out = append(out, k.Name)
	}
	return out
}

// Families lists the names train.lr accepts besides "default": every family with more than
// one method, then every method name.
func Families() []string {
	var out []string
	for _, k := range Kinds() {
		if k.Family != "" && !slices.Contains(out, k.Family) {
			out = append(out, k.Family)
		}
	}
	return append(out, Names()...)
}

// FamilyOf is the learning-rate family of a method: its kind's Family, or its own name.
func FamilyOf(name string) string {
	if k, ok := Lookup(name); ok && k.Family != "" {
		return k.Family
	}
	return name
}

// Key returns the declaration of one of k's keys.
func (k Kind) Key(name string) (Key, bool) {
	i := slices.IndexFunc(k.Keys, func(key Key) bool { return key.Name == name })
	if i < 0 {
		return Key{}, false
	}
	return k.Keys[i], true
}

// KeyNames lists k's keys in declaration order.
func (k Kind) KeyNames() []string {
	var out []string
	for _, key := range k.Keys {
		out = append(out, key.Name)
	}
	return out
}

// Needed is the list of keys of which an entry must give one (or a budget).
func (k Kind) Needed() []string {
	if k.Needs != nil || k.Size == "" {
		return k.Needs
	}
	return []string{k.Size}
}

// SizeBounds is the range of sizes a budget may choose for s on a model of dimensions d.
func (k Kind) SizeBounds(s Spec, d Dims) (lo, hi int) {
	if k.SizeRange != nil {
		return k.SizeRange(s, d)
	}
	key, _ := k.Key(k.Size)
	return key.Min, key.max(d)
}
