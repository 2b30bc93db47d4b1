package safetensors

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseErrors feeds malformed files to the reader. Each must fail with the right
// sentinel and a message that names the file and says what is wrong.
func TestParseErrors(t *testing.T) {
	one := `"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}`
	eight := make([]byte, 8)
	hugeLength := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)
	tests := []struct {
		name    string
		file    []byte
		want    error
		message string
	}{
		{"empty file", nil, ErrTruncated, "0 bytes, want at least 8"},
		{"short length field", []byte{1, 2, 3}, ErrTruncated, "3 bytes"},
		{"header longer than file", specFile(`{}`)[:9], ErrTruncated, "header length 2, but only 1 bytes"},
		{"header too large", append(hugeLength, '{', '}'), ErrHeaderTooLarge, "100000001"},
		{"data truncated", specFile("{"+one+"}", 1, 2, 3, 4), ErrTruncated, `tensor "x": data_offsets [0,8] reach beyond the 4-byte data section`},
		{"offset out of range", specFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, eight...), ErrOffsets, "reach beyond the 8-byte"},
		{"offsets reversed", specFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, eight...), ErrOffsets, "[8,4] begin after they end"},
		{"negative offset", specFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, eight...), ErrOffsets, "negative data_offsets"},
		{"span disagrees with shape", specFile(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight...), ErrOffsets, "span 8 bytes, but F32 [3] needs 12"},
		{"shape overflows", specFile(`{"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, eight...), ErrOffsets, `tensor "x"`},
		{"overlap", specFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[2,6]}}`, eight...),
			ErrOffsets, `tensors "a" [0,4] and "b" [2,6] overlap`},
		{"invalid JSON", specFile(`{"x":{"dtype":"F32",}}`, eight...), ErrHeader, "at header byte"},
		{"not an object", specFile(`[1,2]`), ErrHeader, "want a JSON object"},
		{"not UTF-8", specFile("{\"\xff\":1}"), ErrHeader, "not valid UTF-8"},
		{"trailing garbage", specFile(`{}xyz`), ErrHeader, "after the header object"},
		{"duplicate tensor", specFile("{"+one+","+one+"}", eight...), ErrHeader, `duplicate key "x"`},
		{"missing dtype", specFile(`{"x":{"shape":[1],"data_offsets":[0,4]}}`, eight...), ErrHeader, "missing dtype"},
		{"unknown dtype", specFile(`{"x":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}`, eight...), ErrHeader, `unknown dtype "F12"`},
		{"missing shape", specFile(`{"x":{"dtype":"F32","data_offsets":[0,4]}}`, eight...), ErrHeader, "missing shape"},
		{"negative dimension", specFile(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, eight...), ErrHeader, "negative dimension"},
		{"three offsets", specFile(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, eight...), ErrHeader, "want [begin, end]"},
		{"fractional dimension", specFile(`{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, eight...), ErrHeader, `tensor "x"`},
		{"metadata not strings", specFile(`{"__metadata__":{"n":1}}`), ErrHeader, "__metadata__ must map strings to strings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse("bad.safetensors", tc.file)
			if err == nil {
				t.Fatalf("Parse succeeded with %d tensors, want error %v", len(f.Names()), tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap %q", err, tc.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, "bad.safetensors") || !strings.Contains(msg, tc.message) {
				t.Errorf("error %q should name the file and contain %q", msg, tc.message)
			}
		})
	}
}

// TestParseAccepts covers valid corner cases the error checks must not reject.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		file []byte
	}{
		{"no tensors", specFile(`{}      `)},
		{"gap between tensors", specFile(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}`, 1, 2, 3, 4)},
		{"zero-size tensor at the end", specFile(`{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}`)},
		{"unknown fields ignored", specFile(`{"x":{"dtype":"I8","shape":[1],"data_offsets":[0,1],"extra":true}}`, 9)},
	}
	for _, tc := range tests {
		if _, err := Parse(tc.name, tc.file); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestFloat32Errors checks the lookup errors: a missing tensor, a shape other than the
// caller expects, and a dtype that does not convert to float32.
func TestFloat32Errors(t *testing.T) {
	file := specFile(`{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"ids":{"dtype":"I32","shape":[2],"data_offsets":[24,32]}}`,
		make([]byte, 32)...)
	f, err := Parse("model.safetensors", file)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		shape   []int
		want    error
		message string
	}{
		{"missing", nil, ErrMissing, `missing tensor "missing"`},
		{"w", []int{3, 2}, ErrShape, `tensor "w": shape mismatch: found [2 3], want [3 2]`},
		{"w", []int{6}, ErrShape, "found [2 3], want [6]"},
		{"ids", []int{2}, ErrDType, `tensor "ids": unsupported dtype: found I32, want F32, F16, BF16 or F64`},
	}
	for _, tc := range tests {
		_, err := f.Float32(tc.name, tc.shape)
		if !errors.Is(err, tc.want) {
			t.Errorf("Float32(%q, %v) error %v, want %v", tc.name, tc.shape, err, tc.want)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "model.safetensors") || !strings.Contains(msg, tc.message) {
			t.Errorf("error %q should name the file and contain %q", msg, tc.message)
		}
	}
	if got, err := f.Float32("w", nil); err != nil || len(got) != 6 {
		t.Errorf("Float32(w, nil) = %v, %v; want 6 values: nil shape accepts any", got, err)
	}
	if _, err := f.Bytes("nope"); !errors.Is(err, ErrMissing) {
		t.Errorf("Bytes(nope) error %v, want ErrMissing", err)
	}
}

func TestReadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.safetensors")
	_, err := Read(path)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Read(%s) error %v, want not-exist naming the path", path, err)
	}
}
