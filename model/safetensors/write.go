package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"loralab/internal/atomicfile"
)

// Named is one tensor to write: its values as float32 and the dtype to store them in.
type Named struct {
	Name  string
	Shape []int
	// DType is the stored element type: F32, F16, BF16, I32 or I16. Empty means F32.
	// Narrowing to F16 or BF16 rounds to nearest even; an integer dtype takes integer values
	// in its range (I32: |v| <= 2^24, what a float32 holds exactly).
	DType DType
	// Data holds the product of Shape values, row-major.
	Data []float32
}

// metadataKey is the reserved header key for the free-form string metadata.
const metadataKey = "__metadata__"

// headerEntry is one tensor's description in the JSON header.
type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// WriteFile writes the tensors and metadata to path atomically: it writes a temporary file
// in the same directory, syncs it and renames it over path, so a crash never leaves a
// half-written checkpoint behind.
func WriteFile(path string, tensors []Named, metadata map[string]string) error {
	err := atomicfile.Write(path, func(w io.Writer) error { return write(w, tensors, metadata) })
	if err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	return nil
}

// Write writes the tensors and metadata to w in the safetensors format. Names must be
// unique and non-empty and may not be "__metadata__"; metadata may be nil.
func Write(w io.Writer, tensors []Named, metadata map[string]string) error {
	if err := write(w, tensors, metadata); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	return nil
}

// chunk is how many values appendData converts at a time, bounding the scratch buffer.
const chunk = 1 << 16

// write is Write without the package prefix on errors.
func write(w io.Writer, tensors []Named, metadata map[string]string) error {
	order, err := layout(tensors)
	if err != nil {
		return err
	}
	header, err := encodeHeader(order, metadata)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	var scratch []byte
	for _, t := range order {
		for start := 0; start < len(t.Data); start += chunk {
			part := t.Data[start:min(start+chunk, len(t.Data))]
			scratch = appendData(scratch[:0], part, t.DType)
			if _, err := w.Write(scratch); err != nil {
				return err
			}
		}
	}
	return nil
}

// placed is a tensor with its resolved dtype and its byte range in the data section.
type placed struct {
	Named
	begin, end int64
}

// layout checks the tensors and orders them as the reference implementation does: larger
// elements first, then by name, so that every tensor starts aligned to its element size.
func layout(tensors []Named) ([]placed, error) {
	order := make([]placed, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i, t := range tensors {
		if t.DType == "" {
			t.DType = F32
		}
		if err := checkNamed(t, seen); err != nil {
			return nil, err
		}
		order[i] = placed{Named: t}
	}
	slices.SortFunc(order, func(a, b placed) int {
		if c := cmp.Compare(b.DType.Size(), a.DType.Size()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	var offset int64
	for i := range order {
		order[i].begin = offset
		offset += int64(len(order[i].Data) * order[i].DType.Size())
		order[i].end = offset
	}
	return order, nil
}

// checkNamed validates one tensor handed to Write and records its name in seen.
func checkNamed(t Named, seen map[string]bool) error {
	switch {
	case t.Name == "":
		return fmt.Errorf("%w: empty name", ErrTensor)
	case t.Name == metadataKey:
		return fmt.Errorf("%w: name %q is reserved for metadata", ErrTensor, t.Name)
	case seen[t.Name]:
		return fmt.Errorf("%w: duplicate name %q", ErrTensor, t.Name)
	case !t.DType.writable():
		return fmt.Errorf("%w: tensor %q: cannot write dtype %q, want F32, F16, BF16, I32 or I16", ErrDType, t.Name, t.DType)
	}
	if lo, hi, ok := t.DType.intRange(); ok {
		for i, v := range t.Data {
			if v != float32(math.Trunc(float64(v))) || v < lo || v > hi {
				return fmt.Errorf("%w: tensor %q: value %v at %d is not an integer %s holds (%v to %v)", ErrTensor, t.Name, v, i, t.DType, lo, hi)
			}
		}
	}
	seen[t.Name] = true
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("%w: tensor %q: negative dimension in shape %v", ErrTensor, t.Name, t.Shape)
		}
		n *= d
	}
	if n != len(t.Data) {
		return fmt.Errorf("%w: tensor %q: shape %v holds %d values, data has %d", ErrTensor, t.Name, t.Shape, n, len(t.Data))
	}
	return nil
}

// encodeHeader renders the JSON header: "__metadata__" first, then the tensors in layout
// order, padded with spaces to a multiple of 8 bytes.
func encodeHeader(order []placed, metadata map[string]string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		meta, err := json.Marshal(metadata) // encoding/json sorts map keys
		if err != nil {
			return nil, fmt.Errorf("encode metadata: %w", err)
		}
		b.WriteString(`"` + metadataKey + `":`)
		b.Write(meta)
	}
	for i, t := range order {
		if i > 0 || len(metadata) > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(t.Name)
		if err != nil {
			return nil, fmt.Errorf("encode name %q: %w", t.Name, err)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar: "shape": [] rather than null
		}
		entry, err := json.Marshal(headerEntry{DType: t.DType, Shape: shape, DataOffsets: [2]int64{t.begin, t.end}})
		if err != nil {
			return nil, fmt.Errorf("encode tensor %q: %w", t.Name, err)
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(entry)
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	return b.Bytes(), nil
}

// appendData appends the little-endian encoding of values in dtype to dst.
func appendData(dst []byte, values []float32, dtype DType) []byte {
	for _, v := range values {
		switch dtype {
		case F32:
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		case F16:
			dst = binary.LittleEndian.AppendUint16(dst, float32ToHalf(v))
		case BF16:
			dst = binary.LittleEndian.AppendUint16(dst, float32ToBFloat16(v))
		case I32:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(v)))
		case I16:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(int16(v)))
		}
	}
	return dst
}
