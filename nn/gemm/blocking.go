package gemm

// Register and cache blocking (BLIS/GotoBLAS notation).
//
// The micro-kernel keeps an mr x nr tile of C in registers: 6 rows x 16 columns is 12 YMM
// accumulators, plus 2 registers for a row of the packed B panel and 2 for broadcasts of
// packed A, which is 16 of the 16 YMM registers of AVX2.
//
// kc is the depth of one rank-kc update: a packed B micro-panel (kc x nr) plus a packed A
// micro-panel (kc x mr) must stay in the 32-48 KiB L1 data cache while the kernel runs
// (256 x 16 x 4 B = 16 KiB plus 6 KiB). mc x kc of packed A lives in the per-core L2
// (Zen 3: 512 KiB, Zen 4/5: 1 MiB); kc x nc of packed B lives in the shared L3.
//
// Only kc influences rounding: C is updated once per kc-deep slice of the k dimension, in
// increasing k order. mc and nc only change the traversal order of independent tiles.
const (
	mr = 6
	nr = 16
	kc = 256
	mc = 144
	nc = 3072
)
