package experiments

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestExpandOrder checks the stable order (tasks, entries, settings, seeds), the learning
// rates resolved per method, and the swept axes of each run.
func TestExpandOrder(t *testing.T) {
	runs, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, r := range runs {
		if r.Index != i {
			t.Errorf("run %d has index %d", i, r.Index)
		}
		got = append(got, r.Label())
	}
	want := []string{
		"cls-a lora r=2 q,v seed=1", "cls-a lora r=2 q,v seed=2", "cls-a lora r=4 q,v seed=1", "cls-a lora r=4 q,v seed=2",
		"cls-a bitfit seed=1", "cls-a bitfit seed=2",
		"reg-a lora r=2 q,v seed=1", "reg-a lora r=2 q,v seed=2", "reg-a lora r=4 q,v seed=1", "reg-a lora r=4 q,v seed=2",
		"reg-a bitfit seed=1", "reg-a bitfit seed=2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("runs\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	tests := []struct {
		run  int
		lr   float64
		axes map[string]any
	}{
		{0, 2e-3, map[string]any{"rank": 2}},
		{2, 2e-3, map[string]any{"rank": 4}},
		{4, 1e-3, nil},
	}
	for _, tt := range tests {
		r := runs[tt.run]
		if r.Train.LR != tt.lr || r.Method.LR != 0 {
			t.Errorf("run %d: lr %g (method lr %g), want %g", tt.run, r.Train.LR, r.Method.LR, tt.lr)
		}
		if !reflect.DeepEqual(r.Axes, tt.axes) {
			t.Errorf("run %d: axes %v, want %v", tt.run, r.Axes, tt.axes)
		}
	}
}

// TestLearningRateResolution checks the order: the entry's lr, then the method's name in
// train.lr, then its family, then the default.
func TestLearningRateResolution(t *testing.T) {
	text := strings.Replace(baseSweep, "lr: {default: 1e-3, lora: 2e-3}", "lr: {default: 1e-3, adapter: 3e-3, adapter_l: 4e-3}", 1)
	text = strings.Replace(text, "  - {name: bitfit}\n",
		"  - {name: bitfit}\n  - {name: adapter_h, size: 4}\n  - {name: adapter_l, size: 4}\n  - {name: adapter_p, size: 4, lr: 5e-3}\n", 1)
	text = strings.Replace(text, "tasks: [cls-a, reg-a]", "tasks: [cls-a]", 1)
	text = strings.Replace(text, "seeds: [1, 2]", "seeds: [1]", 1)
	runs, err := parseTest(t, text).Expand()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"lora r=2 q,v": 1e-3, "bitfit": 1e-3, "adapter_h r=4": 3e-3, "adapter_l r=4": 4e-3, "adapter_p r=4": 5e-3}
	for _, r := range runs {
		if w, ok := want[r.Method.Label()]; ok && r.Train.LR != w {
			t.Errorf("%s: lr %g, want %g", r.Method.Label(), r.Train.LR, w)
		}
	}
}

// TestExpandDeduplicates checks that two entries producing the same run yield it once (as
// two budgets solving to the same size do; the parser refuses two identical entries, so the
// duplicate is added to the parsed sweep here).
func TestExpandDeduplicates(t *testing.T) {
	sw := parseTest(t, baseSweep)
	before, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	sw.Methods = append(sw.Methods, sw.Methods[0])
	runs, err := sw.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != len(before) {
		t.Errorf("%d runs, want %d (the repeated lora entry adds nothing)", len(runs), len(before))
	}
}

// TestRunIDStable pins the id of one run: a change of the config encoding or of the hash
// would silently orphan every stored result, so it must be deliberate (bump identitySchema).
func TestRunIDStable(t *testing.T) {
	runs, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	r := runs[0]
	const want = "b68b752b6693"
	if r.ID != want {
		t.Errorf("id of %s is %s, want %s", r.Label(), r.ID, want)
	}
	if len(r.ID) != 12 || r.ID != r.RunID() {
		t.Errorf("id %q is not the 12-digit hash of the config", r.ID)
	}
	// Neither the labels, the sweep's name, nor the threads change the id.
	r2 := r
	r2.Index, r2.Sweep, r2.Threads, r2.Axes, r2.Budget, r2.PaperParams = 99, "other", 7, map[string]any{"x": 1}, 5, 3
	if r2.RunID() != r.ID {
		t.Error("id depends on labels or threads")
	}
}

// TestRunIDSensitive changes every field of the resolved config, one at a time, and checks
// that each change gives a new id and that all the ids differ.
func TestRunIDSensitive(t *testing.T) {
	runs, err := parseTest(t, baseSweep).Expand()
	if err != nil {
		t.Fatal(err)
	}
	base := runs[0]
	base.Method.Layers = []int{0}
	seen := map[string]string{base.RunID(): "base"}
	identityFields := []string{"Model", "Pretrain", "Data", "Task", "Train", "Method", "Seed"}
	for _, name := range identityFields {
		for _, path := range leafPaths(name) {
			r := base
			r.Method.Targets = slices.Clone(base.Method.Targets)
			r.Method.Layers = slices.Clone(base.Method.Layers)
			perturb(reflect.ValueOf(&r).Elem(), path)
			id := r.RunID()
			if prev, dup := seen[id]; dup {
				t.Errorf("changing %s gives the id of %s", strings.Join(path, "."), prev)
			}
			seen[id] = strings.Join(path, ".")
		}
	}
	if len(seen) < 40 {
		t.Errorf("only %d fields checked; the walk missed some", len(seen)-1)
	}
}

// leafPaths lists the paths to the leaf fields of the named field of RunSpec, less those
// never serialised (json:"-"), which are left out of the identity by design: Pretrain.From
// is the path of a base folder, whose contents (FromSHA256) are what counts.
func leafPaths(name string) [][]string {
	f, _ := reflect.TypeOf(RunSpec{}).FieldByName(name)
	var out [][]string
	var walk func(t reflect.Type, path []string)
	walk = func(t reflect.Type, path []string) {
		if t.Kind() != reflect.Struct {
			out = append(out, slices.Clone(path))
			return
		}
		for i := range t.NumField() {
			if t.Field(i).Tag.Get("json") != "-" {
				walk(t.Field(i).Type, append(path, t.Field(i).Name))
			}
		}
	}
	walk(f.Type, []string{name})
	return out
}

// perturb changes the leaf at path of v.
func perturb(v reflect.Value, path []string) {
	for _, p := range path {
		v = v.FieldByName(p)
	}
	switch v.Kind() {
	case reflect.Int:
		v.SetInt(v.Int() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float()*2 + 0.5)
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
	case reflect.Map: // a new map with one entry: the base's maps are empty
		m := reflect.MakeMap(v.Type())
		m.SetMapIndex(reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem())
		v.Set(m)
	default:
		panic("perturb: unhandled kind " + v.Kind().String())
	}
}
