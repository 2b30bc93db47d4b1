package analysis

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"loralab/experiments/record"
	"loralab/method"
)

// methodSpec recovers the method setting of a run: from the resolved run config's "method"
// entry when it holds one, else from the swept axes (e.g. {"rank": 8}). Name is always the
// run's method.
func methodSpec(r record.Result) method.Spec {
	var s method.Spec
	if m, ok := r.Config["method"].(map[string]any); ok {
		decodeInto(m, &s)
	} else if len(r.Axes) > 0 {
		decodeInto(r.Axes, &s)
	}
	s.Name = r.Method
	return s
}

// decodeInto fills dst from a generic JSON object, ignoring what does not fit.
func decodeInto(src map[string]any, dst any) {
	data, err := json.Marshal(src)
	if err != nil {
		return
	}
	_ = json.Unmarshal(data, dst) // a field of the wrong type leaves it zero: best effort
}

// factorScale is the factor s of ΔW = s·B·A for a low-rank setting at the given rank, as
// its method computes it (LoRA: alpha/r, or alpha/sqrt(r) for rsLoRA, an alpha of 0 meaning
// alpha = r), and whether the saved factors give the setting's update at all: not for a rank
// of 0, a method without a Scale (DoRA, VeRA, ...) or a setting whose Scale is 0 (LoRA
// initialised from W, method.Kind.Scale).
func factorScale(s method.Spec, rank int) (float64, bool) {
	k, ok := method.Lookup(s.Name)
	if rank == 0 || !ok || k.Scale == nil {
		return 0, false
	}
	s.Rank = rank
	scale := k.Scale(s)
	return scale, scale != 0
}

// matches says whether run r is picked by sel.
func (sel Selector) matches(r record.Result) bool {
	if sel.Setting != "" && r.Setting != sel.Setting {
		return false
	}
	name := sel.Method
	if name == "" && (sel.Rank != 0 || len(sel.Targets) > 0) {
		name = method.LoRA
	}
	if name != "" && r.Method != name {
		return false
	}
	if sel.Task != "" && r.Task != sel.Task {
		return false
	}
	if sel.Seed != 0 && r.Seed != sel.Seed {
		return false
	}
	spec := methodSpec(r)
	if sel.Rank != 0 && spec.Rank != sel.Rank {
		return false
	}
	if len(sel.Targets) > 0 && !sameSet(sel.Targets, spec.Targets) {
		return false
	}
	return true
}

// String describes the selector for messages and file names, e.g. "lora r=8".
func (sel Selector) String() string {
	if sel.Setting != "" {
		return withSeed(sel.Setting, sel.Seed)
	}
	name := sel.Method
	if name == "" {
		name = method.LoRA
	}
	out := name
	if sel.Rank != 0 {
		out += " r=" + strconv.Itoa(sel.Rank)
	}
	if len(sel.Targets) > 0 {
		t := slices.Clone(sel.Targets)
		slices.Sort(t)
		out += " " + strings.Join(t, ",")
	}
	if sel.Task != "" {
		out += " " + sel.Task
	}
	return withSeed(out, sel.Seed)
}

func withSeed(s string, seed int) string {
	if seed == 0 {
		return s
	}
	return s + " seed=" + strconv.Itoa(seed)
}

// sameSet says whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
