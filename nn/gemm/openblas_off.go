//go:build !openblas || !cgo

package gemm

// openBLASBuilt is false: build with -tags openblas (and cgo) to route Sgemm through the
// system OpenBLAS.
const openBLASBuilt = false

// openBLASSgemm is never called in this build.
func openBLASSgemm(*problem) { panic("gemm: built without the openblas tag") }
