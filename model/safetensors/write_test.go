package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRoundTrip writes tensors of every writable dtype to a file and reads them back: F32
// exactly, F16 and BF16 as the nearest representable values.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	tensors := []Named{
		{Name: "blocks.0.attn.wq", Shape: []int{16, 8}, Data: random(128)},
		{Name: "blocks.0.attn.bq", Shape: []int{16}, DType: F32, Data: random(16)},
		{Name: "half", Shape: []int{3, 5}, DType: F16, Data: random(15)},
		{Name: "brain", Shape: []int{7}, DType: BF16, Data: random(7)},
		{Name: "odd-half", Shape: []int{1}, DType: F16, Data: random(1)}, // leaves the data 2 bytes off 4
		{Name: "scalar", Shape: nil, Data: []float32{42}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float32{}},
		{Name: "big", Shape: []int{chunk + 3}, Data: random(chunk + 3)}, // spans two write chunks
	}
	meta := map[string]string{"method": "lora", "rank": "8", "quote\"d": "new\nline"}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := WriteFile(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range tensors {
		shape := want.Shape
		if shape == nil {
			shape = []int{}
		}
		got, err := f.Float32(want.Name, shape)
		if err != nil {
			t.Errorf("%s: %v", want.Name, err)
			continue
		}
		expect := slices.Clone(want.Data)
		for i, v := range expect {
			switch want.DType {
			case F16:
				expect[i] = halfToFloat32(float32ToHalf(v))
			case BF16:
				expect[i] = bfloat16ToFloat32(float32ToBFloat16(v))
			}
		}
		if !slices.Equal(got, expect) {
			t.Errorf("%s: read %v, want %v", want.Name, got, expect)
		}
	}
	if got := f.Metadata(); len(got) != len(meta) || got["quote\"d"] != "new\nline" || got["rank"] != "8" {
		t.Errorf("Metadata() = %v, want %v", got, meta)
	}
	if len(f.Names()) != len(tensors) {
		t.Errorf("file has %d tensors, want %d", len(f.Names()), len(tensors))
	}
}

// TestWriteAlignment checks that the header length keeps the data section 8-byte aligned
// and that every tensor starts at a multiple of its element size.
func TestWriteAlignment(t *testing.T) {
	for nameLen := 1; nameLen <= 9; nameLen++ {
		var buf bytes.Buffer
		tensors := []Named{
			{Name: strings.Repeat("h", nameLen), Shape: []int{3}, DType: F16, Data: []float32{1, 2, 3}},
			{Name: "w", Shape: []int{1}, Data: []float32{1}},
		}
		if err := Write(&buf, tensors, nil); err != nil {
			t.Fatal(err)
		}
		n := binary.LittleEndian.Uint64(buf.Bytes())
		if n%8 != 0 {
			t.Errorf("name length %d: header length %d is not a multiple of 8", nameLen, n)
		}
		f, err := Parse("aligned", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range f.Names() {
			info, _ := f.Info(name)
			if info.Begin%int64(info.DType.Size()) != 0 {
				t.Errorf("tensor %q (%s) begins at %d", name, info.DType, info.Begin)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Named
		want    error
		message string
	}{
		{"empty name", []Named{{Name: "", Shape: []int{1}, Data: []float32{1}}}, ErrTensor, "empty name"},
		{"reserved name", []Named{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}}, ErrTensor, "reserved"},
		{"duplicate", []Named{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{2}}}, ErrTensor, `duplicate name "a"`},
		{"shape and data disagree", []Named{{Name: "a", Shape: []int{2, 2}, Data: []float32{1, 2, 3}}}, ErrTensor, `tensor "a": shape [2 2] holds 4 values, data has 3`},
		{"negative dimension", []Named{{Name: "a", Shape: []int{-1}, Data: nil}}, ErrTensor, "negative dimension"},
		{"unwritable dtype", []Named{{Name: "a", Shape: []int{1}, DType: U8, Data: []float32{1}}}, ErrDType, `cannot write dtype "U8"`},
		{"fraction in an integer dtype", []Named{{Name: "a", Shape: []int{2}, DType: I32, Data: []float32{1, 2.5}}}, ErrTensor, "value 2.5 at 1 is not an integer I32 holds"},
		{"I16 overflow", []Named{{Name: "a", Shape: []int{1}, DType: I16, Data: []float32{32768}}}, ErrTensor, "value 32768 at 0 is not an integer I16 holds"},
		{"I32 beyond float32's integers", []Named{{Name: "a", Shape: []int{1}, DType: I32, Data: []float32{1 << 25}}}, ErrTensor, "is not an integer I32 holds"},
	}
	for _, tc := range tests {
		path := filepath.Join(t.TempDir(), "out.safetensors")
		err := WriteFile(path, tc.tensors, nil)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %v containing %q and the path", tc.name, err, tc.want, tc.message)
		}
		if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
			t.Errorf("%s: failed write left %d files behind", tc.name, len(entries))
		}
	}
}

// TestWriteFileAtomic checks that a successful write replaces the old file in one step and
// leaves no temporary file, and that a write into a missing directory fails cleanly.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	for _, v := range []float32{1, 2} {
		if err := WriteFile(path, []Named{{Name: "v", Shape: []int{1}, Data: []float32{v}}}, nil); err != nil {
			t.Fatal(err)
		}
		f, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := f.Float32("v", []int{1}); len(got) != 1 || got[0] != v {
			t.Errorf("after writing %g, read %v", v, got)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %d entries (%v), want only the file", len(entries), err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "x.safetensors")
	if err := WriteFile(missing, nil, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("WriteFile into a missing directory: error %v, want one naming %s", err, missing)
	}
}

// TestFloat32F64 checks the widening path for F64 files written by other tools.
func TestFloat32F64(t *testing.T) {
	var data []byte
	for _, v := range []float64{1.5, -1e300, math.SmallestNonzeroFloat64} {
		data = binary.LittleEndian.AppendUint64(data, math.Float64bits(v))
	}
	f, err := Parse("f64", specFile(`{"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}}`, data...))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Float32("d", []int{3})
	want := []float32{1.5, float32(math.Inf(-1)), 0}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("Float32(d) = %v, %v; want %v", got, err, want)
	}
}

// TestInt32RoundTrip writes integer tensors, including both ends of each dtype's range, and
// reads them back exactly; Int32 refuses a float tensor, a wrong shape and a missing name.
func TestInt32RoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ints.safetensors")
	i32 := []float32{-1 << 24, -1, 0, 1 << 24}
	i16 := []float32{math.MinInt16, -1, 7, math.MaxInt16}
	err := WriteFile(path, []Named{{Name: "a", Shape: []int{2, 2}, DType: I32, Data: i32},
		{Name: "b", Shape: []int{4}, DType: I16, Data: i16}, {Name: "f", Shape: []int{1}, Data: []float32{1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]int32{"a": {-1 << 24, -1, 0, 1 << 24}, "b": {math.MinInt16, -1, 7, math.MaxInt16}} {
		if got, err := f.Int32(name, nil); err != nil || !slices.Equal(got, want) {
			t.Errorf("Int32(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, tc := range []struct {
		name  string
		shape []int
		want  error
	}{{"f", nil, ErrDType}, {"a", []int{4}, ErrShape}, {"zz", nil, ErrMissing}} {
		if _, err := f.Int32(tc.name, tc.shape); !errors.Is(err, tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Int32(%s, %v): error %v, want %v naming %s", tc.name, tc.shape, err, tc.want, path)
		}
	}
}
