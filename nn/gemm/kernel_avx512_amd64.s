//go:build amd64 && !purego

#include "textflag.h"

// kernel16xNAVX512 computes panels adjacent 16 x 16 tiles of C, one after the other, from
// one A panel and as many B panels (bPanel values apart). Register use:
//   SI  A[0][p] and R14 A[8][p]; row i of A is at SI (or R14) + (i mod 8)*R9, and each
//       step of p adds R11 to both
//   R9, R12, R13, R15  1, 3, 5 and 7 times the row stride of A in bytes
//   DI  B[p][0]; each step of p adds BX
//   DX  C tile, R8 its row stride in bytes
//   R10 rows of the tile still to store
//   R8, R10 while the products run: the rows of B and A 16 steps of p ahead, to prefetch
//   CX  steps left, AX groups of four steps left (C rows left to prefetch before)
//   0(SP), 8(SP), 16(SP), 24(SP), 32(SP), 40(SP)  the current B panel, the current C
//       tile, the tiles left, the distance between B panels in bytes, 1 to prefetch C
//       (else 0), and the mask of the last tile's columns (lastCols low bits set)
//   K1  that mask, while the last tile of a strip narrower than 16 columns is stored
//   Z0        one row of B: columns 0-15 (DSTEP: its even columns, duplicated)
//   Z17       DSTEP: its odd columns, duplicated
//   Z18, Z19  DSTEP: the values of A of two adjacent rows, broadcast
//   Z1..Z16   accumulators: row i in Z(1+i) (DSTEP: rows 2q and 2q+1 interleaved in
//             Z(1+2q) and Z(2+2q) until DEINTERLEAVE)
//   Z27, Z28  DEINTERLEAVE's permutations
//   Z30, Z31  alpha and beta, Z29 scratch, when storing

// HALF multiplies A[base+0..7][p] (read through the register base, broadcast inside the
// FMA) by the row of B in Z0 into eight accumulators.
#define HALF(base, c0, c1, c2, c3, c4, c5, c6, c7) \
	VFMADD231PS.BCST (base), Z0, c0;         \
	VFMADD231PS.BCST (base)(R9*1), Z0, c1;   \
	VFMADD231PS.BCST (base)(R9*2), Z0, c2;   \
	VFMADD231PS.BCST (base)(R12*1), Z0, c3;  \
	VFMADD231PS.BCST (base)(R9*4), Z0, c4;   \
	VFMADD231PS.BCST (base)(R13*1), Z0, c5;  \
	VFMADD231PS.BCST (base)(R12*2), Z0, c6;  \
	VFMADD231PS.BCST (base)(R15*1), Z0, c7

// STEP multiplies column p of the A panel by row p of the B panel into the sixteen
// accumulators (a rank-1 update of the 16x16 tile) and moves on to p+1.
#define STEP \
	VMOVUPS (DI), Z0;                                 \
	HALF(SI, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8);         \
	HALF(R14, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16); \
	ADDQ    R11, SI;                                  \
	ADDQ    R11, R14;                                 \
	ADDQ    BX, DI

// DSTEP is STEP for an A panel whose rows are adjacent (aRow = 1: packed panels, and A^T
// read in place), with fewer loads: the row of B is loaded twice, its even columns
// duplicated into both lanes of each pair (Z0: B[p][0], B[p][0], B[p][2], B[p][2], ...)
// and its odd ones (Z17), and one 64-bit broadcast carries the values of A of two adjacent
// rows i and i+1, A[i][p] and A[i+1][p], to two FMAs. Per step: ten loads for sixteen
// FMAs, which the load pipes of AMD Zen 5 sustain at the FMA rate, where sixteen FMAs
// that each broadcast their value of A from memory plus the load of B, seventeen loads,
// held the kernel to 94% of it (210 against 223 GFLOPS in a loop on L1 data). The values
// of A are at fixed offsets from SI, with no index register (Intel CPUs split an indexed
// memory operand of a three-operand instruction in two). Accumulators Z(1+2q) and
// Z(2+2q) hold rows 2q and 2q+1 interleaved: Z(1+2q) lane 2t is C[2q][2t] and lane 2t+1
// is C[2q+1][2t]; Z(2+2q) the same for the odd columns 2t+1. Each element still gets one
// FMA per step of p, in order: only the lane it lives in differs, and DEINTERLEAVE puts
// the rows back before the stores.
#define DSTEP \
	VMOVSLDUP      (DI), Z0;     \
	VMOVSHDUP      (DI), Z17;    \
	VBROADCASTSD   0(SI), Z18;    \
	VFMADD231PS    Z18, Z0, Z1;  \
	VFMADD231PS    Z18, Z17, Z2; \
	VBROADCASTSD   8(SI), Z19;    \
	VFMADD231PS    Z19, Z0, Z3;  \
	VFMADD231PS    Z19, Z17, Z4; \
	VBROADCASTSD   16(SI), Z18;    \
	VFMADD231PS    Z18, Z0, Z5;  \
	VFMADD231PS    Z18, Z17, Z6; \
	VBROADCASTSD   24(SI), Z19;    \
	VFMADD231PS    Z19, Z0, Z7;  \
	VFMADD231PS    Z19, Z17, Z8; \
	VBROADCASTSD   32(SI), Z18;    \
	VFMADD231PS    Z18, Z0, Z9;  \
	VFMADD231PS    Z18, Z17, Z10; \
	VBROADCASTSD   40(SI), Z19;    \
	VFMADD231PS    Z19, Z0, Z11;  \
	VFMADD231PS    Z19, Z17, Z12; \
	VBROADCASTSD   48(SI), Z18;    \
	VFMADD231PS    Z18, Z0, Z13;  \
	VFMADD231PS    Z18, Z17, Z14; \
	VBROADCASTSD   56(SI), Z19;    \
	VFMADD231PS    Z19, Z0, Z15;  \
	VFMADD231PS    Z19, Z17, Z16; \
	ADDQ           R11, SI;      \
	ADDQ           BX, DI

#define DSTEP_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	DSTEP

// DEINTERLEAVE turns the accumulators of rows 2q and 2q+1 (lo, hi) as DSTEP leaves them
// into the two rows, with Z27 and Z28 holding dupRows' permutations (clobbers Z29).
#define DEINTERLEAVE(lo, hi) \
	VMOVAPS   lo, Z29;       \
	VPERMT2PS hi, Z27, lo;   \
	VPERMT2PS hi, Z28, Z29;  \
	VMOVAPS   Z29, hi

// STEP8 and DSTEP8 are STEP and DSTEP for a tile of at most eight rows: only the first
// eight accumulators, half the multiplications.
#define STEP8 \
	VMOVUPS (DI), Z0;                         \
	HALF(SI, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8); \
	ADDQ    R11, SI;                          \
	ADDQ    BX, DI

#define DSTEP8 \
	VMOVSLDUP      (DI), Z0;     \
	VMOVSHDUP      (DI), Z17;    \
	VBROADCASTSD   0(SI), Z18;  \
	VFMADD231PS    Z18, Z0, Z1;  \
	VFMADD231PS    Z18, Z17, Z2; \
	VBROADCASTSD   8(SI), Z19;  \
	VFMADD231PS    Z19, Z0, Z3;  \
	VFMADD231PS    Z19, Z17, Z4; \
	VBROADCASTSD   16(SI), Z18;  \
	VFMADD231PS    Z18, Z0, Z5;  \
	VFMADD231PS    Z18, Z17, Z6; \
	VBROADCASTSD   24(SI), Z19;  \
	VFMADD231PS    Z19, Z0, Z7;  \
	VFMADD231PS    Z19, Z17, Z8; \
	ADDQ           R11, SI;      \
	ADDQ           BX, DI

#define DSTEP8_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	DSTEP8

#define STEP8_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	STEP8

// STEP_PREFETCH is STEP that also prefetches the rows of B and A 16 steps ahead.
#define STEP_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	STEP

// STORE_BETA writes one row of the tile: C = alpha*acc + beta*C, then advances DX to the
// next row and moves on to the next tile after the last wanted row.
#define STORE_BETA(acc) \
	VMULPS      (DX), Z31, Z29; \
	VFMADD231PS acc, Z30, Z29;  \
	VMOVUPS     Z29, (DX);      \
	ADDQ        R8, DX;         \
	DECQ        R10;            \
	JZ          next

// STORE_ZERO writes one row of the tile when beta is zero: C = alpha*acc, C not read.
#define STORE_ZERO(acc) \
	VMULPS  acc, Z30, acc; \
	VMOVUPS acc, (DX);     \
	ADDQ    R8, DX;        \
	DECQ    R10;           \
	JZ      next

// STORE_BETA_ALL and STORE_ZERO_ALL are STORE_BETA and STORE_ZERO for a tile whose
// sixteen rows are all wanted.
#define STORE_BETA_ALL(acc) \
	VMULPS      (DX), Z31, Z29; \
	VFMADD231PS acc, Z30, Z29;  \
	VMOVUPS     Z29, (DX);      \
	ADDQ        R8, DX

#define STORE_ZERO_ALL(acc) \
	VMULPS  acc, Z30, acc; \
	VMOVUPS acc, (DX);     \
	ADDQ    R8, DX

// MSTORE_BETA and MSTORE_ZERO are STORE_BETA and STORE_ZERO for the last tile of a strip
// narrower than 16 columns: C is read (zero elsewhere) and written under the mask K1 only,
// so nothing past the edge of C is touched; the arithmetic is the same.
#define MSTORE_BETA(acc) \
	VMOVUPS.Z   (DX), K1, Z29; \
	VMULPS      Z29, Z31, Z29; \
	VFMADD231PS acc, Z30, Z29; \
	VMOVUPS     Z29, K1, (DX); \
	ADDQ        R8, DX;        \
	DECQ        R10;           \
	JZ          next

#define MSTORE_ZERO(acc) \
	VMULPS  acc, Z30, acc;     \
	VMOVUPS acc, K1, (DX);     \
	ADDQ    R8, DX;            \
	DECQ    R10;               \
	JZ      next

// PREFETCH_C fetches the rows of the C tile at DX into L1 (clobbers AX, R10): while the
// products run, so that the stores at the end do not wait on memory, one miss per row.
#define PREFETCH_C(label) \
	MOVQ       rows+120(FP), AX; \
	MOVQ       DX, R10;          \
label:                         \
	PREFETCHT0 (R10);            \
	ADDQ       R8, R10;          \
	DECQ       AX;               \
	JNZ        label

// func kernel16xNAVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int, c []float32, ldc, rows int, alpha, beta float32, panels, lastCols int)
TEXT ·kernel16xNAVX512(SB), NOSPLIT, $48-152
	MOVQ aRow+32(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R12
	LEAQ (R9)(R9*4), R13
	LEAQ (R12)(R9*4), R15
	MOVQ aStep+40(FP), R11
	SHLQ $2, R11
	MOVQ bStep+72(FP), BX
	SHLQ $2, BX
	MOVQ b_base+48(FP), DI
	MOVQ DI, 0(SP)
	MOVQ c_base+88(FP), DX
	MOVQ DX, 8(SP)
	MOVQ panels+136(FP), AX
	MOVQ AX, 16(SP)
	MOVQ bPanel+80(FP), AX
	SHLQ $2, AX
	MOVQ AX, 24(SP)
	MOVQ ldc+112(FP), R8
	SHLQ $2, R8
	MOVQ lastCols+144(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	MOVQ AX, 40(SP)

	// Prefetching C pays when the tile has enough steps of p to hide the misses, or when
	// the stores must read C (beta != 0). Fewer than 64 steps with beta = 0 (a product of
	// rank 8, or attention's blocks of 32 keys) leave the stores to the store buffer
	// instead (with 32 rather than 64 steps, TN_128x64x32 ran at 0.89 of OpenBLAS, not 0.94).
	MOVQ  $1, 32(SP)
	CMPQ  kc+0(FP), $64
	JGE   prefetchfirst
	MOVL  beta+132(FP), AX
	TESTL $0x7fffffff, AX
	JNZ   prefetchfirst
	MOVQ  $0, 32(SP)
	JMP   panel

prefetchfirst:
	PREFETCH_C(prefetch0)

panel:
	// The C tile to the right is the next one: prefetch it while this one runs.
	MOVQ 8(SP), DX
	ADDQ $64, DX
	MOVQ ldc+112(FP), R8
	SHLQ $2, R8
	CMPQ 16(SP), $1
	JEQ  noprefetch
	CMPQ 32(SP), $0
	JEQ  noprefetch
	PREFETCH_C(prefetch1)

noprefetch:
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	LEAQ (SI)(R9*8), R14
	MOVQ 0(SP), DI

	// R8 and R10 run 16 steps of p ahead of DI and SI: read in place, the
	// rows of B (and of A^T) are a whole row stride apart, a pattern the hardware
	// prefetchers do not follow.
	MOVQ BX, R8
	SHLQ $4, R8
	ADDQ DI, R8
	MOVQ R11, R10
	SHLQ $4, R10
	ADDQ SI, R10

	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16

	// Four steps of p per iteration, then the remaining kc mod 4 one at a time. Packed
	// panels (B rows 64 bytes apart, A columns at most 64) are read in order, which the
	// hardware prefetchers follow; operands read in place take the prefetching loop,
	// unless there are no rows 16 steps ahead to prefetch.
	MOVQ CX, AX
	SHRQ $2, AX
	CMPQ rows+120(FP), $8
	JLE  half
	CMPQ R9, $4
	JEQ  fused
	TESTQ AX, AX
	JZ   tail
	CMPQ CX, $16
	JLE  loop4
	CMPQ BX, $64
	JNE  loop4prefetch
	CMPQ R11, $64
	JGT  loop4prefetch

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ AX
	JNZ  loop4
	JMP  tail

loop4prefetch:
	STEP_PREFETCH
	STEP_PREFETCH
	STEP_PREFETCH
	STEP_PREFETCH
	DECQ AX
	JNZ  loop4prefetch

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP
	DECQ CX
	JNZ  loop1
	JMP  store

	// The same loops for adjacent rows of A (aRow = 1), with DSTEP, then the rows put back.
fused:
	TESTQ AX, AX
	JZ    ftail
	CMPQ  CX, $16
	JLE   floop4
	CMPQ  BX, $64
	JNE   floop4prefetch
	CMPQ  R11, $64
	JGT   floop4prefetch

floop4:
	DSTEP
	DSTEP
	DSTEP
	DSTEP
	DECQ AX
	JNZ  floop4
	JMP  ftail

floop4prefetch:
	DSTEP_PREFETCH
	DSTEP_PREFETCH
	DSTEP_PREFETCH
	DSTEP_PREFETCH
	DECQ AX
	JNZ  floop4prefetch

ftail:
	ANDQ $3, CX
	JZ   dstore

floop1:
	DSTEP
	DECQ CX
	JNZ  floop1

	// Rows back from DSTEP's pairs.
dstore:
	VMOVUPS dupRows<>+0(SB), Z27
	VMOVUPS dupRows<>+64(SB), Z28
	DEINTERLEAVE(Z1, Z2)
	DEINTERLEAVE(Z3, Z4)
	DEINTERLEAVE(Z5, Z6)
	DEINTERLEAVE(Z7, Z8)
	DEINTERLEAVE(Z9, Z10)
	DEINTERLEAVE(Z11, Z12)
	DEINTERLEAVE(Z13, Z14)
	DEINTERLEAVE(Z15, Z16)
	JMP  store

	// The same loops for a tile of at most eight rows, with STEP8 and DSTEP8.
half:
	CMPQ  R9, $4
	JEQ   hfused
	TESTQ AX, AX
	JZ    htail
	CMPQ  CX, $16
	JLE   hloop4
	CMPQ  BX, $64
	JNE   hloop4prefetch
	CMPQ  R11, $64
	JGT   hloop4prefetch

hloop4:
	STEP8
	STEP8
	STEP8
	STEP8
	DECQ AX
	JNZ  hloop4
	JMP  htail

hloop4prefetch:
	STEP8_PREFETCH
	STEP8_PREFETCH
	STEP8_PREFETCH
	STEP8_PREFETCH
	DECQ AX
	JNZ  hloop4prefetch

htail:
	ANDQ $3, CX
	JZ   store

hloop1:
	STEP8
	DECQ CX
	JNZ  hloop1
	JMP  store

hfused:
	TESTQ AX, AX
	JZ    hftail
	CMPQ  CX, $16
	JLE   hfloop4
	CMPQ  BX, $64
	JNE   hfloop4prefetch
	CMPQ  R11, $64
	JGT   hfloop4prefetch

hfloop4:
	DSTEP8
	DSTEP8
	DSTEP8
	DSTEP8
	DECQ AX
	JNZ  hfloop4
	JMP  hftail

hfloop4prefetch:
	DSTEP8_PREFETCH
	DSTEP8_PREFETCH
	DSTEP8_PREFETCH
	DSTEP8_PREFETCH
	DECQ AX
	JNZ  hfloop4prefetch

hftail:
	ANDQ $3, CX
	JZ   dstore8

hfloop1:
	DSTEP8
	DECQ CX
	JNZ  hfloop1

	// Rows back from DSTEP8's pairs.
dstore8:
	VMOVUPS dupRows<>+0(SB), Z27
	VMOVUPS dupRows<>+64(SB), Z28
	DEINTERLEAVE(Z1, Z2)
	DEINTERLEAVE(Z3, Z4)
	DEINTERLEAVE(Z5, Z6)
	DEINTERLEAVE(Z7, Z8)

store:
	MOVQ         ldc+112(FP), R8
	SHLQ         $2, R8
	MOVQ         rows+120(FP), R10
	MOVQ         8(SP), DX
	VBROADCASTSS alpha+128(FP), Z30
	MOVL         beta+132(FP), AX
	CMPQ         16(SP), $1
	JNE          whole
	MOVQ         40(SP), CX
	CMPQ         CX, $0xffff
	JNE          masked

whole:
	CMPQ         R10, $16
	JEQ          full
	TESTL        $0x7fffffff, AX   // +0 or -0
	JZ           betazero

	VBROADCASTSS beta+132(FP), Z31
	STORE_BETA(Z1)
	STORE_BETA(Z2)
	STORE_BETA(Z3)
	STORE_BETA(Z4)
	STORE_BETA(Z5)
	STORE_BETA(Z6)
	STORE_BETA(Z7)
	STORE_BETA(Z8)
	STORE_BETA(Z9)
	STORE_BETA(Z10)
	STORE_BETA(Z11)
	STORE_BETA(Z12)
	STORE_BETA(Z13)
	STORE_BETA(Z14)
	STORE_BETA(Z15)
	STORE_BETA(Z16)
	JMP          next

betazero:
	STORE_ZERO(Z1)
	STORE_ZERO(Z2)
	STORE_ZERO(Z3)
	STORE_ZERO(Z4)
	STORE_ZERO(Z5)
	STORE_ZERO(Z6)
	STORE_ZERO(Z7)
	STORE_ZERO(Z8)
	STORE_ZERO(Z9)
	STORE_ZERO(Z10)
	STORE_ZERO(Z11)
	STORE_ZERO(Z12)
	STORE_ZERO(Z13)
	STORE_ZERO(Z14)
	STORE_ZERO(Z15)
	STORE_ZERO(Z16)

	// All sixteen rows: the same stores without the count of rows.
full:
	TESTL        $0x7fffffff, AX
	JZ           fullzero
	VBROADCASTSS beta+132(FP), Z31
	STORE_BETA_ALL(Z1)
	STORE_BETA_ALL(Z2)
	STORE_BETA_ALL(Z3)
	STORE_BETA_ALL(Z4)
	STORE_BETA_ALL(Z5)
	STORE_BETA_ALL(Z6)
	STORE_BETA_ALL(Z7)
	STORE_BETA_ALL(Z8)
	STORE_BETA_ALL(Z9)
	STORE_BETA_ALL(Z10)
	STORE_BETA_ALL(Z11)
	STORE_BETA_ALL(Z12)
	STORE_BETA_ALL(Z13)
	STORE_BETA_ALL(Z14)
	STORE_BETA_ALL(Z15)
	STORE_BETA_ALL(Z16)
	JMP          next

fullzero:
	STORE_ZERO_ALL(Z1)
	STORE_ZERO_ALL(Z2)
	STORE_ZERO_ALL(Z3)
	STORE_ZERO_ALL(Z4)
	STORE_ZERO_ALL(Z5)
	STORE_ZERO_ALL(Z6)
	STORE_ZERO_ALL(Z7)
	STORE_ZERO_ALL(Z8)
	STORE_ZERO_ALL(Z9)
	STORE_ZERO_ALL(Z10)
	STORE_ZERO_ALL(Z11)
	STORE_ZERO_ALL(Z12)
	STORE_ZERO_ALL(Z13)
	STORE_ZERO_ALL(Z14)
	STORE_ZERO_ALL(Z15)
	STORE_ZERO_ALL(Z16)
	JMP            next

	// The last tile of a strip narrower than 16 columns: under the mask K1.
masked:
	KMOVW        CX, K1
	TESTL        $0x7fffffff, AX
	JZ           mzero
	VBROADCASTSS beta+132(FP), Z31
	MSTORE_BETA(Z1)
	MSTORE_BETA(Z2)
	MSTORE_BETA(Z3)
	MSTORE_BETA(Z4)
	MSTORE_BETA(Z5)
	MSTORE_BETA(Z6)
	MSTORE_BETA(Z7)
	MSTORE_BETA(Z8)
	MSTORE_BETA(Z9)
	MSTORE_BETA(Z10)
	MSTORE_BETA(Z11)
	MSTORE_BETA(Z12)
	MSTORE_BETA(Z13)
	MSTORE_BETA(Z14)
	MSTORE_BETA(Z15)
	MSTORE_BETA(Z16)
	JMP          next

mzero:
	MSTORE_ZERO(Z1)
	MSTORE_ZERO(Z2)
	MSTORE_ZERO(Z3)
	MSTORE_ZERO(Z4)
	MSTORE_ZERO(Z5)
	MSTORE_ZERO(Z6)
	MSTORE_ZERO(Z7)
	MSTORE_ZERO(Z8)
	MSTORE_ZERO(Z9)
	MSTORE_ZERO(Z10)
	MSTORE_ZERO(Z11)
	MSTORE_ZERO(Z12)
	MSTORE_ZERO(Z13)
	MSTORE_ZERO(Z14)
	MSTORE_ZERO(Z15)
	MSTORE_ZERO(Z16)
	JMP          next

next:
	MOVQ 24(SP), AX
	ADDQ AX, 0(SP)
	ADDQ $64, 8(SP)
	DECQ 16(SP)
	JNZ  panel
	VZEROUPPER
	RET

// dupRows are the VPERMT2PS indices of DEINTERLEAVE: from the pair (lo, hi) of DSTEP's
// accumulators, row 2q (even lanes of each) and row 2q+1 (odd lanes).
DATA dupRows<>+0(SB)/4, $0
DATA dupRows<>+4(SB)/4, $16
DATA dupRows<>+8(SB)/4, $2
DATA dupRows<>+12(SB)/4, $18
DATA dupRows<>+16(SB)/4, $4
DATA dupRows<>+20(SB)/4, $20
DATA dupRows<>+24(SB)/4, $6
DATA dupRows<>+28(SB)/4, $22
DATA dupRows<>+32(SB)/4, $8
DATA dupRows<>+36(SB)/4, $24
DATA dupRows<>+40(SB)/4, $10
DATA dupRows<>+44(SB)/4, $26
DATA dupRows<>+48(SB)/4, $12
DATA dupRows<>+52(SB)/4, $28
DATA dupRows<>+56(SB)/4, $14
DATA dupRows<>+60(SB)/4, $30
DATA dupRows<>+64(SB)/4, $1
DATA dupRows<>+68(SB)/4, $17
DATA dupRows<>+72(SB)/4, $3
DATA dupRows<>+76(SB)/4, $19
DATA dupRows<>+80(SB)/4, $5
DATA dupRows<>+84(SB)/4, $21
DATA dupRows<>+88(SB)/4, $7
DATA dupRows<>+92(SB)/4, $23
DATA dupRows<>+96(SB)/4, $9
DATA dupRows<>+100(SB)/4, $25
DATA dupRows<>+104(SB)/4, $11
DATA dupRows<>+108(SB)/4, $27
DATA dupRows<>+112(SB)/4, $13
DATA dupRows<>+116(SB)/4, $29
DATA dupRows<>+120(SB)/4, $15
DATA dupRows<>+124(SB)/4, $31
GLOBL dupRows<>(SB), RODATA|NOPTR, $128
