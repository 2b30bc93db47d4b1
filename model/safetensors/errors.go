package safetensors

import "errors"

// Sentinel errors. Returned errors wrap one of these and add the file, the tensor and the
// values involved, so callers can branch with errors.Is and users can read what went wrong.
var (
	// ErrTruncated: the file ends before its header or its data does.
	ErrTruncated = errors.New("truncated file")
	// ErrHeaderTooLarge: the declared header length exceeds MaxHeaderSize.
	ErrHeaderTooLarge = errors.New("header too large")
	// ErrHeader: the header is not valid JSON or does not describe tensors as the format says.
	ErrHeader = errors.New("invalid header")
	// ErrOffsets: a tensor's data_offsets are out of range, overlap another tensor's, or
	// disagree with its dtype and shape.
	ErrOffsets = errors.New("invalid data offsets")
	// ErrMissing: the file holds no tensor of the requested name.
	ErrMissing = errors.New("missing tensor")
	// ErrShape: a tensor's shape differs from the one the caller expects.
	ErrShape = errors.New("shape mismatch")
	// ErrDType: a tensor's dtype cannot be converted as asked, or cannot be written.
	ErrDType = errors.New("unsupported dtype")
	// ErrTensor: a tensor handed to Write is malformed (bad name, shape or data length).
	ErrTensor = errors.New("invalid tensor")
)

// MaxHeaderSize is the largest header the reader accepts, as in the reference
// implementation: a header length beyond it is a corrupt or hostile file, not a big model.
const MaxHeaderSize = 100_000_000
