//go:build amd64 && !purego

#include "textflag.h"

// Register use in kernel16x16AVX512:
//   SI  A[0][p] and R14 A[8][p]; row i of A is at SI (or R14) + (i mod 8)*R9, and each
//       step of p adds R11 to both
//   R9, R12, R13, R15  1, 3, 5 and 7 times the row stride of A in bytes
//   DI  B[p][0]; each step of p adds BX
//   DX  C tile, R8 its row stride in bytes
//   R10 rows of the tile still to store
//   R8, R10 while the products run: the rows of B and A 16 steps of p ahead, to prefetch
//   CX, AX  steps left
//   Z0        one row of B: columns 0-15
//   Z1..Z16   accumulators: row i in Z(1+i)
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

// FSTEP is STEP for an A panel whose rows are adjacent (aRow = 1: packed panels, and A^T
// read in place): the sixteen values of A are at fixed offsets from SI, so each
// VFMADD231PS addresses its broadcast without an index register and stays one fused
// micro-op (Intel CPUs split an indexed memory operand of a three-operand instruction in
// two), which leaves the front end room for the other hyperthread.
#define FSTEP \
	VMOVUPS              (DI), Z0;      \
	VFMADD231PS.BCST     (SI), Z0, Z1;  \
	VFMADD231PS.BCST     4(SI), Z0, Z2; \
	VFMADD231PS.BCST     8(SI), Z0, Z3; \
	VFMADD231PS.BCST     12(SI), Z0, Z4; \
	VFMADD231PS.BCST     16(SI), Z0, Z5; \
	VFMADD231PS.BCST     20(SI), Z0, Z6; \
	VFMADD231PS.BCST     24(SI), Z0, Z7; \
	VFMADD231PS.BCST     28(SI), Z0, Z8; \
	VFMADD231PS.BCST     32(SI), Z0, Z9; \
	VFMADD231PS.BCST     36(SI), Z0, Z10; \
	VFMADD231PS.BCST     40(SI), Z0, Z11; \
	VFMADD231PS.BCST     44(SI), Z0, Z12; \
	VFMADD231PS.BCST     48(SI), Z0, Z13; \
	VFMADD231PS.BCST     52(SI), Z0, Z14; \
	VFMADD231PS.BCST     56(SI), Z0, Z15; \
	VFMADD231PS.BCST     60(SI), Z0, Z16; \
	ADDQ                 R11, SI;       \
	ADDQ                 BX, DI

// FSTEP_PREFETCH is FSTEP that also prefetches the rows of B and A 16 steps ahead.
#define FSTEP_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	FSTEP

// STEP_PREFETCH is STEP that also prefetches the rows of B and A 16 steps ahead.
#define STEP_PREFETCH \
	PREFETCHT0 (R8);  \
	PREFETCHT0 (R10); \
	ADDQ R11, R10;    \
	ADDQ BX, R8;      \
	STEP

// STORE_BETA writes one row of the tile: C = alpha*acc + beta*C, then advances DX to the
// next row and returns after the last wanted row.
#define STORE_BETA(acc) \
	VMULPS      (DX), Z31, Z29; \
	VFMADD231PS acc, Z30, Z29;  \
	VMOVUPS     Z29, (DX);      \
	ADDQ        R8, DX;         \
	DECQ        R10;            \
	JZ          done

// STORE_ZERO writes one row of the tile when beta is zero: C = alpha*acc, C not read.
#define STORE_ZERO(acc) \
	VMULPS  acc, Z30, acc; \
	VMOVUPS acc, (DX);     \
	ADDQ    R8, DX;        \
	DECQ    R10;           \
	JZ      done

// func kernel16x16AVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep int, c []float32, ldc, rows int, alpha, beta float32)
TEXT ·kernel16x16AVX512(SB), NOSPLIT, $0-128
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ aRow+32(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R12
	LEAQ (R9)(R9*4), R13
	LEAQ (SI)(R9*8), R14
	MOVQ aStep+40(FP), R11
	SHLQ $2, R11
	MOVQ b_base+48(FP), DI
	MOVQ bStep+72(FP), BX
	SHLQ $2, BX
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R8
	SHLQ $2, R8
	MOVQ rows+112(FP), R10

	// Fetch the rows of the C tile into L1 while the products run: the stores at the end
	// then do not wait on memory, one miss per row.
	MOVQ R10, AX
	MOVQ DX, R15
prefetch:
	PREFETCHT0 (R15)
	ADDQ       R8, R15
	DECQ       AX
	JNZ        prefetch
	LEAQ       (R12)(R9*4), R15

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
	// hardware prefetchers follow; operands read in place take the prefetching loop.
	MOVQ CX, AX
	SHRQ $2, AX
	CMPQ R9, $4
	JEQ  fused
	TESTQ AX, AX
	JZ   tail
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

	// The same loops for adjacent rows of A (aRow = 1), with FSTEP.
fused:
	TESTQ AX, AX
	JZ    ftail
	CMPQ  BX, $64
	JNE   floop4prefetch
	CMPQ  R11, $64
	JGT   floop4prefetch

floop4:
	FSTEP
	FSTEP
	FSTEP
	FSTEP
	DECQ AX
	JNZ  floop4
	JMP  ftail

floop4prefetch:
	FSTEP_PREFETCH
	FSTEP_PREFETCH
	FSTEP_PREFETCH
	FSTEP_PREFETCH
	DECQ AX
	JNZ  floop4prefetch

ftail:
	ANDQ $3, CX
	JZ   store

floop1:
	FSTEP
	DECQ CX
	JNZ  floop1

store:
	MOVQ         ldc+104(FP), R8
	SHLQ         $2, R8
	MOVQ         rows+112(FP), R10
	VBROADCASTSS alpha+120(FP), Z30
	MOVL         beta+124(FP), AX
	TESTL        $0x7fffffff, AX   // +0 or -0
	JZ           betazero

	VBROADCASTSS beta+124(FP), Z31
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
	JMP          done

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

done:
	VZEROUPPER
	RET
