package method

import (
	"reflect"
	"strings"
	"testing"
)

var tinyDims = Dims{Arch: "decoder", Vocab: 100, DModel: 8, Layers: 3, DFF: 32, MaxLen: 16}

// The test kinds: a low-rank one with a numeric key kept in Opts, and one without keys.
func init() {
	Register(Kind{Name: "test_lowrank", Order: 1001, Family: "test_family",
		Keys: []Key{KeyRank, KeyTargets, KeyLayers, {Name: "ratio", Type: Float}, {Name: "mode", Type: Int, Min: 1, Max: func(Dims) int { return 3 }}},
		Size: "rank",
		Params: func(s Spec, d Dims) int {
			return s.Rank * d.DModel * len(s.Targets)
		},
		Label: func(s Spec) string { return "lowrank r=" + strings.Repeat("I", s.Rank) },
		Check: func(s Spec, d Dims) []Problem {
			if len(s.Targets) == 0 {
				return []Problem{{"targets", "needs targets"}}
			}
			return nil
		},
	})
	Register(Kind{Name: "test_plain", Order: 1000, Params: func(Spec, Dims) int { return 7 }})
}

func TestRegistry(t *testing.T) {
	names := Names()
	i, j := indexOf(names, "test_plain"), indexOf(names, "test_lowrank")
	if i < 0 || j != i+1 {
		t.Errorf("Names() = %q: want test_plain then test_lowrank (by Order)", names)
	}
	if FamilyOf("test_lowrank") != "test_family" || FamilyOf("test_plain") != "test_plain" {
		t.Error("FamilyOf")
	}
	if fs := Families(); indexOf(fs, "test_family") < 0 || indexOf(fs, "test_plain") < 0 {
		t.Errorf("Families() = %q", fs)
	}
	k, _ := Lookup("test_lowrank")
	if !reflect.DeepEqual(k.Needed(), []string{"rank"}) || k.Needed() == nil {
		t.Errorf("Needed = %q", k.Needed())
	}
	if lo, hi := k.SizeBounds(Spec{}, tinyDims); lo != 1 || hi != 8 {
		t.Errorf("SizeBounds = %d, %d", lo, hi)
	}
}

func TestRegisterRejectsMalformedKinds(t *testing.T) {
	bad := []Kind{
		{Name: "", Params: func(Spec, Dims) int { return 0 }},
		{Name: "no_formula"},
		{Name: "test_plain", Params: func(Spec, Dims) int { return 0 }}, // taken
		{Name: "x1", Params: func(Spec, Dims) int { return 0 }, Keys: []Key{{Name: "rank", Type: Float}}},
		{Name: "x2", Params: func(Spec, Dims) int { return 0 }, Keys: []Key{{Name: "mode", Type: String}}},
		{Name: "x3", Params: func(Spec, Dims) int { return 0 }, Keys: []Key{{Name: "lr", Type: Float}}},
		{Name: "x4", Params: func(Spec, Dims) int { return 0 }, Size: "rank"},
		{Name: "x5", Params: func(Spec, Dims) int { return 0 }, Keys: []Key{KeyRank, KeyRank}},
	}
	for _, k := range bad {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", k.Name)
				}
			}()
			Register(k)
		}()
	}
}

func TestProblems(t *testing.T) {
	cases := []struct {
		spec Spec
		want []Problem
	}{
		{Spec{Name: "nope"}, []Problem{{"", `unknown method "nope"`}}},
		{Spec{Name: "test_lowrank", Rank: 9, Targets: []string{"q", "zz", "q"}, Layers: []int{0, 0}},
			[]Problem{{"rank", "rank 9 out of range [1, d_model=8]"}, {"targets", `unknown targets entry "zz"`}, {"layers", `layers entry 0 repeated`}}},
		{Spec{Name: "test_lowrank"}, []Problem{{"rank", "rank 0 out of range"}, {"targets", "needs targets"}}},
		{Spec{Name: "test_lowrank", Rank: 1, Targets: []string{"q"}, Opts: map[string]float64{"ratio": -1, "mode": 4, "other": 1}},
			[]Problem{{"other", `has no numeric key "other"`}, {"ratio", "ratio -1 out of range, want > 0"}, {"mode", "mode 4 out of range [1, 3]"}}},
		{Spec{Name: "test_plain", Size: 3, LR: -1}, []Problem{{"size", `test_plain has no key "size"`}, {"lr", "negative learning rate"}}},
	}
	for _, c := range cases {
		got := c.spec.Problems(tinyDims)
		if len(got) != len(c.want) {
			t.Errorf("%+v: problems %v, want %v", c.spec, got, c.want)
			continue
		}
		for i := range got {
			if got[i].Key != c.want[i].Key || !strings.Contains(got[i].Msg, c.want[i].Msg) {
				t.Errorf("%+v: problem %d = %+v, want %+v", c.spec, i, got[i], c.want[i])
			}
		}
	}
}

func TestGetSetAndCount(t *testing.T) {
	k, _ := Lookup("test_lowrank")
	var s Spec
	s.Name = "test_lowrank"
	for _, kv := range []struct {
		key string
		v   any
	}{{"rank", 2}, {"targets", []string{"q"}}, {"ratio", 0.5}, {"mode", 2}} {
		key, _ := k.Key(kv.key)
		s.Set(key, kv.v)
		if got := s.Get(key); !reflect.DeepEqual(got, kv.v) {
			t.Errorf("%s: Get = %#v, want %#v", kv.key, got, kv.v)
		}
	}
	if s.Opts["ratio"] != 0.5 || s.Opts["mode"] != 2 {
		t.Errorf("Opts = %v", s.Opts)
	}
	n, err := PaperParams(s, tinyDims)
	if err != nil || n != 2*8*1 {
		t.Errorf("PaperParams = %d, %v; want 16", n, err)
	}
	if SizeOf(s) != 2 || SizeOf(Spec{Name: "test_plain"}) != 0 {
		t.Error("SizeOf")
	}
	if s.Label() != "lowrank r=II" || (Spec{Name: "test_plain"}).Label() != "test_plain" {
		t.Errorf("labels %q", s.Label())
	}
	if _, err := PaperParams(Spec{Name: "test_lowrank"}, tinyDims); err == nil {
		t.Error("PaperParams of an invalid setting: no error")
	}
}

func TestParseTargets(t *testing.T) {
	if got := ParseTargets(" q, v,,fc1 "); !reflect.DeepEqual(got, []string{"q", "v", "fc1"}) {
		t.Errorf("ParseTargets = %q", got)
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func TestAddKeys(t *testing.T) {
	AddKeys("test_later", Key{Name: "boost", Type: Float}) // before the kind exists
	Register(Kind{Name: "test_later", Order: 1002, Params: func(Spec, Dims) int { return 1 }})
	AddKeys("test_later", Key{Name: "steps", Type: Int, Min: 2})
	k, _ := Lookup("test_later")
	if got := k.KeyNames(); !reflect.DeepEqual(got, []string{"boost", "steps"}) {
		t.Errorf("keys %q, want boost, steps", got)
	}
	ps := (Spec{Name: "test_later", Opts: map[string]float64{"steps": 1}}).Problems(tinyDims)
	if len(ps) != 1 || ps[0].Key != "steps" {
		t.Errorf("problems %v, want steps out of range", ps)
	}
	defer func() {
		if recover() == nil {
			t.Error("a repeated key did not panic")
		}
	}()
	AddKeys("test_later", Key{Name: "boost", Type: Float})
}
