package safetensors

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
)

// TensorInfo describes one stored tensor as the header declares it.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are the byte range of the tensor within the data section.
	Begin, End int64
}

// Len is the number of elements, the product of the shape (1 for a scalar).
func (t TensorInfo) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a safetensors file held in memory with its validated header.
type File struct {
	name     string // the path, or the name given to Parse; every error starts with it
	data     []byte // the data section
	tensors  map[string]TensorInfo
	metadata map[string]string
}

// Read loads and validates the safetensors file at path.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return Parse(path, b)
}

// Parse validates the bytes b of a safetensors file. name identifies the file in errors.
// The returned File keeps b; the caller must not modify it afterwards.
func Parse(name string, b []byte) (*File, error) {
	f, err := parse(b)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", name, err)
	}
	f.name = name
	return f, nil
}

// parse splits b into header and data, decodes the header and checks every tensor's
// byte range against the data section.
func parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes, want at least 8 for the header length", ErrTruncated, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header length %d exceeds the limit of %d bytes", ErrHeaderTooLarge, n, MaxHeaderSize)
	}
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("%w: header length %d, but only %d bytes follow the length field", ErrTruncated, n, len(b)-8)
	}
	tensors, metadata, err := decodeHeader(b[8 : 8+n])
	if err != nil {
		return nil, err
	}
	data := b[8+n:]
	if err := checkRanges(tensors, int64(len(data))); err != nil {
		return nil, err
	}
	index := make(map[string]TensorInfo, len(tensors))
	for _, t := range tensors {
		index[t.Name] = t
	}
	return &File{data: data, tensors: index, metadata: metadata}, nil
}

// checkRanges verifies that each tensor's byte range matches its dtype and shape, lies
// within the data section, and overlaps no other tensor. Gaps between tensors are allowed.
func checkRanges(tensors []TensorInfo, dataLen int64) error {
	for _, t := range tensors {
		if t.Begin > t.End {
			return fmt.Errorf("%w: tensor %q: data_offsets [%d,%d] begin after they end", ErrOffsets, t.Name, t.Begin, t.End)
		}
		want, ok := byteSize(t)
		if !ok || t.End-t.Begin != want {
			return fmt.Errorf("%w: tensor %q: data_offsets [%d,%d] span %d bytes, but %s %v needs %d",
				ErrOffsets, t.Name, t.Begin, t.End, t.End-t.Begin, t.DType, t.Shape, want)
		}
		if t.End > dataLen {
			return fmt.Errorf("%w: %w: tensor %q: data_offsets [%d,%d] reach beyond the %d-byte data section",
				ErrOffsets, ErrTruncated, t.Name, t.Begin, t.End, dataLen)
		}
	}
	byBegin := slices.Clone(tensors)
	slices.SortFunc(byBegin, func(a, b TensorInfo) int {
		if c := cmp.Compare(a.Begin, b.Begin); c != 0 {
			return c
		}
		return cmp.Compare(a.End, b.End)
	})
	for i := 1; i < len(byBegin); i++ {
		prev, cur := byBegin[i-1], byBegin[i]
		if cur.Begin < prev.End {
			return fmt.Errorf("%w: tensors %q [%d,%d] and %q [%d,%d] overlap",
				ErrOffsets, prev.Name, prev.Begin, prev.End, cur.Name, cur.Begin, cur.End)
		}
	}
	return nil
}

// byteSize is the number of data bytes t needs; ok is false if that overflows int64.
func byteSize(t TensorInfo) (size int64, ok bool) {
	size = int64(t.DType.Size())
	for _, d := range t.Shape {
		if d != 0 && size > math.MaxInt64/int64(d) {
			return 0, false
		}
		size *= int64(d)
	}
	return size, true
}

// Names lists the tensors in the file, sorted.
func (f *File) Names() []string { return slices.Sorted(maps.Keys(f.tensors)) }

// Info describes the named tensor; ok is false if the file has none of that name.
func (f *File) Info(name string) (info TensorInfo, ok bool) {
	info, ok = f.tensors[name]
	return info, ok
}

// Metadata returns a copy of the file's "__metadata__" map (empty if it has none).
func (f *File) Metadata() map[string]string { return maps.Clone(f.metadata) }

// Bytes returns the raw little-endian bytes of the named tensor, shared with the File.
func (f *File) Bytes(name string) ([]byte, error) {
	t, ok := f.tensors[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: %s: %w %q", f.name, ErrMissing, name)
	}
	return f.data[t.Begin:t.End], nil
}

// tensor looks up the named tensor and its raw bytes, checking its shape against
// wantShape when that is not nil.
func (f *File) tensor(name string, wantShape []int) (TensorInfo, []byte, error) {
	t, ok := f.tensors[name]
	if !ok {
		return t, nil, fmt.Errorf("safetensors: %s: %w %q", f.name, ErrMissing, name)
	}
	if wantShape != nil && !slices.Equal(t.Shape, wantShape) {
		return t, nil, fmt.Errorf("safetensors: %s: tensor %q: %w: found %v, want %v", f.name, name, ErrShape, t.Shape, wantShape)
	}
	return t, f.data[t.Begin:t.End], nil
}

// Float32 returns the named tensor converted to float32. F32, F16, BF16 and F64 tensors
// convert; other dtypes are an error. If wantShape is not nil the tensor's shape must equal
// it exactly. Errors name the file and the tensor and give the expected and found values.
func (f *File) Float32(name string, wantShape []int) ([]float32, error) {
	t, raw, err := f.tensor(name, wantShape)
	if err != nil {
		return nil, err
	}
	out := make([]float32, t.Len())
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case F16:
		for i := range out {
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = bfloat16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	default:
		return nil, fmt.Errorf("safetensors: %s: tensor %q: %w: found %s, want F32, F16, BF16 or F64", f.name, name, ErrDType, t.DType)
	}
	return out, nil
}

// Int32 returns the named tensor converted to int32: I32 and I16 tensors convert; other
// dtypes are an error. If wantShape is not nil the tensor's shape must equal it exactly.
// Errors name the file and the tensor and give the expected and found values.
func (f *File) Int32(name string, wantShape []int) ([]int32, error) {
	t, raw, err := f.tensor(name, wantShape)
	if err != nil {
		return nil, err
	}
	out := make([]int32, t.Len())
	switch t.DType {
	case I32:
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case I16:
		for i := range out {
			out[i] = int32(int16(binary.LittleEndian.Uint16(raw[2*i:])))
		}
	default:
		return nil, fmt.Errorf("safetensors: %s: tensor %q: %w: found %s, want I32 or I16", f.name, name, ErrDType, t.DType)
	}
	return out, nil
}
