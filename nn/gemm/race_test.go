//go:build race

package gemm

// raceEnabled reports that the race detector, which allocates on synchronisation, is on.
const raceEnabled = true
