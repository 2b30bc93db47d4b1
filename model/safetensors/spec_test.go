package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
)

// specFile assembles a safetensors file from a literal header and literal data bytes, as
// the format specification describes it, without using the package's writer.
func specFile(header string, data ...byte) []byte {
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// TestReadHandBuiltFile checks the reader against a file whose every byte is written out
// here: three dtypes, a scalar, metadata, and a header padded with spaces.
func TestReadHandBuiltFile(t *testing.T) {
	header := `{"__metadata__":{"format":"pt","step":"7"},` +
		`"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},` +
		`"s":{"dtype":"F32","shape":[],"data_offsets":[16,20]},` +
		`"h":{"dtype":"F16","shape":[3],"data_offsets":[20,26]},` +
		`"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[26,30]}}   `
	data := []byte{
		0x00, 0x00, 0x80, 0x3f, // w: 1.0
		0x00, 0x00, 0x00, 0xc0, // -2.0
		0x00, 0x00, 0x00, 0x3f, // 0.5
		0x00, 0x00, 0x80, 0x7f, // +Inf
		0xdb, 0x0f, 0x49, 0x40, // s: float32(pi) = 0x40490fdb
		0x00, 0x3c, // h: 1.0 in binary16
		0x00, 0xc0, // -2.0
		0x01, 0x00, // 2^-24, the smallest subnormal
		0x80, 0x3f, // b: 1.0 in bfloat16
		0xc0, 0xbf, // -1.5
	}
	f, err := Parse("hand.safetensors", specFile(header, data...))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		shape []int
		dtype DType
		want  []float32
	}{
		{"w", []int{2, 2}, F32, []float32{1, -2, 0.5, float32(math.Inf(1))}},
		{"s", []int{}, F32, []float32{math.Pi}},
		{"h", []int{3}, F16, []float32{1, -2, 1.0 / (1 << 24)}},
		{"b", []int{1, 2}, BF16, []float32{1, -1.5}},
	}
	for _, tc := range tests {
		got, err := f.Float32(tc.name, tc.shape)
		if err != nil {
			t.Errorf("Float32(%q): %v", tc.name, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Float32(%q) = %v, want %v", tc.name, got, tc.want)
		}
		info, ok := f.Info(tc.name)
		if !ok || info.DType != tc.dtype || !slices.Equal(info.Shape, tc.shape) {
			t.Errorf("Info(%q) = %+v, %v; want dtype %s shape %v", tc.name, info, ok, tc.dtype, tc.shape)
		}
	}
	if got, want := f.Names(), []string{"b", "h", "s", "w"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	meta := f.Metadata()
	if len(meta) != 2 || meta["format"] != "pt" || meta["step"] != "7" {
		t.Errorf("Metadata() = %v, want format=pt step=7", meta)
	}
	raw, err := f.Bytes("h")
	if err != nil || !bytes.Equal(raw, data[20:26]) {
		t.Errorf("Bytes(h) = %x, %v; want %x", raw, err, data[20:26])
	}
}

// TestWriteMatchesSpecBytes checks the writer's exact output: metadata first, tensors by
// decreasing element size then name, offsets in layout order, header padded to 8 bytes.
func TestWriteMatchesSpecBytes(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Named{
		{Name: "z", Shape: []int{2}, DType: F16, Data: []float32{1, -2}},
		{Name: "b", Shape: []int{1}, Data: []float32{0.5}},
		{Name: "a", Shape: []int{1, 1}, DType: F32, Data: []float32{1}},
	}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	header := `{"__metadata__":{"k":"v"},` +
		`"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},` +
		`"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},` +
		`"z":{"dtype":"F16","shape":[2],"data_offsets":[8,12]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := specFile(header,
		0x00, 0x00, 0x80, 0x3f, // a: 1.0
		0x00, 0x00, 0x00, 0x3f, // b: 0.5
		0x00, 0x3c, 0x00, 0xc0, // z: 1.0, -2.0 in binary16
	)
	if got := buf.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("Write produced\n%q\nwant\n%q", got, want)
	}
	if len(header)%8 != 0 {
		t.Fatalf("test header not padded: %d bytes", len(header))
	}
}
