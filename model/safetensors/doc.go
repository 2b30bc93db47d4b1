// Package safetensors reads and writes the safetensors tensor file format, the format in
// which loralab saves checkpoints and adapters and in which Hugging Face publishes weights.
//
// A safetensors file is
//
//	N      8 bytes, unsigned little-endian: the length of the header
//	header N bytes of UTF-8 JSON: {"__metadata__": {string: string}, name: {"dtype": "F32",
//	       "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
//	data   the raw little-endian tensor bytes; each tensor occupies data[begin:end]
//
// The writer follows the reference implementation: tensors are laid out by decreasing
// element size, then by name, so every tensor stays aligned; "__metadata__" comes first in the
// header, then the tensors in layout order; and the header is padded with spaces to a multiple
// of 8 bytes so that the data section starts 8-byte aligned.
//
// The reader loads a whole file, checks the header against the data (sizes, ranges,
// overlaps) before handing out anything, and converts F32, F16 and BF16 tensors to []float32
// on request, checking the caller's expected shape. Every error names the file and, where it
// applies, the tensor; the sentinel errors (ErrTruncated, ErrHeader, ErrOffsets, ...) let
// callers tell the failures apart with errors.Is.
package safetensors
