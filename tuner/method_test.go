package tuner

import (
	"path/filepath"
	"strings"
	"testing"

	"loralab/method"
	"loralab/model"
	"loralab/nn"
)

// vectorMethod trains one free vector: the smallest Method, to test Save, Load and Count.
type vectorMethod struct{ v *nn.Tensor }

func (f *vectorMethod) Spec() method.Spec                       { return method.Spec{Name: "vector"} }
func (f *vectorMethod) Apply(m *model.Model, seed uint64) error { m.Freeze(); return nil }
func (f *vectorMethod) Trainable() []*nn.Tensor                 { return []*nn.Tensor{f.v} }
func (f *vectorMethod) Slots() (int, int)                       { return 1, 0 }
func (f *vectorMethod) Merge() error                            { return ErrCannotMerge }
func (f *vectorMethod) Unmerge() error                          { return ErrCannotMerge }

// vectorKind counts the vector method: d parameters.
var vectorKind = method.Kind{Name: "vector", Order: 1000, Params: func(s method.Spec, d method.Dims) int { return d.DModel }}

func init() {
	Register(vectorKind, func(method.Spec) (Method, error) { return &vectorMethod{v: nn.NewParam("prefix.weight", 1, 8)}, nil })
}

func TestSaveLoadCount(t *testing.T) {
	cfg := model.Config{Arch: model.Encoder, Vocab: 20, DModel: 8, Layers: 1, Heads: 2, DFF: 16,
		MaxLen: 10, Activation: "gelu", LNEps: 1e-5, NumLabels: 3}
	m, err := model.NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	v := nn.NewParam("prefix.weight", 1, 8)
	for i := range v.Data {
		v.Data[i] = float32(i) + 0.5
	}
	meth := &vectorMethod{v: v}
	c, err := Count(meth, m)
	if err != nil {
		t.Fatal(err)
	}
	// head: dense 8x8+8, out 3x8+3 = 72 + 27
	if want := (method.Counts{Trainable: 8, Paper: 8, Head: 99}); c != want {
		t.Fatalf("Count = %+v, want %+v", c, want)
	}
	path := filepath.Join(t.TempDir(), "adapter.safetensors")
	head := HeadParams(m)
	if _, err := Save(path, meth, head); err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), v.Data...)
	wantHead := append([]float32(nil), head[2].Data...)
	clear(v.Data)
	clear(head[2].Data)
	if err := Load(path, meth, head); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if v.Data[i] != want[i] {
			t.Fatalf("loaded %v, want %v", v.Data, want)
		}
	}
	for i := range wantHead {
		if head[2].Data[i] != wantHead[i] {
			t.Fatal("head not restored")
		}
	}
	// A method whose tensor is not in the file: the error names it.
	other := &vectorMethod{v: nn.NewParam("infix.weight", 1, 8)}
	if err := Load(path, other, nil); err == nil || !strings.Contains(err.Error(), "infix.weight") {
		t.Fatalf("missing tensor: error %v does not name it", err)
	}
	// Wrong shape.
	wrong := &vectorMethod{v: nn.NewParam("prefix.weight", 2, 8)}
	if err := Load(path, wrong, nil); err == nil {
		t.Fatal("wrong shape: no error")
	}
}
