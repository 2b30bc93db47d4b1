//go:build amd64 && !purego

#include "textflag.h"

// Register use in kernel6x16AVX2:
//   SI  A[0][p]; row i of A is at SI + i*R9, and each step of p adds R11
//   R9, R12, R13  1, 3 and 5 times the row stride of A in bytes
//   DI  B[p][0]; each step of p adds BX
//   DX  C tile, R8 its row stride in bytes
//   R10 rows of the tile still to store
//   CX, AX  steps left
//   Y0, Y1    one row of B: columns 0-7 and 8-15
//   Y2, Y3    broadcasts of A[i][p] for two rows i
//   Y4..Y15   accumulators: row i columns 0-7 in Y(4+2i), columns 8-15 in Y(5+2i)

// STEP multiplies column p of the A panel by row p of the B panel into the twelve
// accumulators (a rank-1 update of the 6x16 tile) and moves on to p+1.
#define STEP \
	VMOVUPS      (DI), Y0;          \
	VMOVUPS      32(DI), Y1;        \
	VBROADCASTSS (SI), Y2;          \
	VBROADCASTSS (SI)(R9*1), Y3;    \
	VFMADD231PS  Y0, Y2, Y4;        \
	VFMADD231PS  Y1, Y2, Y5;        \
	VFMADD231PS  Y0, Y3, Y6;        \
	VFMADD231PS  Y1, Y3, Y7;        \
	VBROADCASTSS (SI)(R9*2), Y2;    \
	VBROADCASTSS (SI)(R12*1), Y3;   \
	VFMADD231PS  Y0, Y2, Y8;        \
	VFMADD231PS  Y1, Y2, Y9;        \
	VFMADD231PS  Y0, Y3, Y10;       \
	VFMADD231PS  Y1, Y3, Y11;       \
	VBROADCASTSS (SI)(R9*4), Y2;    \
	VBROADCASTSS (SI)(R13*1), Y3;   \
	VFMADD231PS  Y0, Y2, Y12;       \
	VFMADD231PS  Y1, Y2, Y13;       \
	VFMADD231PS  Y0, Y3, Y14;       \
	VFMADD231PS  Y1, Y3, Y15;       \
	ADDQ         R11, SI;           \
	ADDQ         BX, DI

// STORE_BETA writes row lo:hi of the tile: C = alpha*acc + beta*C, with alpha in Y0 and
// beta in Y1, then advances DX to the next row and returns after the last wanted row.
#define STORE_BETA(lo, hi) \
	VMULPS      (DX), Y1, Y2;     \
	VFMADD231PS lo, Y0, Y2;       \
	VMOVUPS     Y2, (DX);         \
	VMULPS      32(DX), Y1, Y3;   \
	VFMADD231PS hi, Y0, Y3;       \
	VMOVUPS     Y3, 32(DX);       \
	ADDQ        R8, DX;           \
	DECQ        R10;              \
	JZ          done

// STORE_ZERO writes row lo:hi of the tile when beta is zero: C = alpha*acc, C not read.
#define STORE_ZERO(lo, hi) \
	VMULPS  lo, Y0, lo;  \
	VMOVUPS lo, (DX);    \
	VMULPS  hi, Y0, hi;  \
	VMOVUPS hi, 32(DX);  \
	ADDQ    R8, DX;      \
	DECQ    R10;         \
	JZ      done

// func kernel6x16AVX2(kc int, a []float32, aRow, aStep int, b []float32, bStep int, c []float32, ldc, rows int, alpha, beta float32)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-128
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ aRow+32(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R12
	LEAQ (R9)(R9*4), R13
	MOVQ aStep+40(FP), R11
	SHLQ $2, R11
	MOVQ b_base+48(FP), DI
	MOVQ bStep+72(FP), BX
	SHLQ $2, BX
	MOVQ c_base+80(FP), DX
	MOVQ ldc+104(FP), R8
	SHLQ $2, R8
	MOVQ rows+112(FP), R10

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Four steps of p per iteration, then the remaining kc mod 4 one at a time.
	MOVQ CX, AX
	SHRQ $2, AX
	JZ   tail

loop4:
	STEP
	STEP
	STEP
	STEP
	DECQ AX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+120(FP), Y0
	MOVL         beta+124(FP), AX
	TESTL        $0x7fffffff, AX   // +0 or -0
	JZ           betazero

	VBROADCASTSS beta+124(FP), Y1
	STORE_BETA(Y4, Y5)
	STORE_BETA(Y6, Y7)
	STORE_BETA(Y8, Y9)
	STORE_BETA(Y10, Y11)
	STORE_BETA(Y12, Y13)
	STORE_BETA(Y14, Y15)
	JMP          done

betazero:
	STORE_ZERO(Y4, Y5)
	STORE_ZERO(Y6, Y7)
	STORE_ZERO(Y8, Y9)
	STORE_ZERO(Y10, Y11)
	STORE_ZERO(Y12, Y13)
	STORE_ZERO(Y14, Y15)

done:
	VZEROUPPER
	RET
