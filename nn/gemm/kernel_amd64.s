//go:build amd64 && !purego

#include "textflag.h"

// Register use in kernel6x16AVX2:
//   SI  packed A micro-panel (6 floats per step of p)
//   DI  packed B micro-panel (16 floats per step of p)
//   DX  C tile, R8 its row stride in bytes
//   R10 rows of the tile still to store
//   CX  steps left
//   Y0, Y1    one row of B: columns 0-7 and 8-15
//   Y2, Y3    broadcasts of A[i][p] for two rows i
//   Y4..Y15   accumulators: row i columns 0-7 in Y(4+2i), columns 8-15 in Y(5+2i)

// STEP multiplies one column of the A panel (byte offset aoff) by one row of the B panel
// (byte offset boff) into the twelve accumulators: a rank-1 update of the 6x16 tile.
#define STEP(aoff, boff) \
	VMOVUPS      boff(DI), Y0;     \
	VMOVUPS      boff+32(DI), Y1;  \
	VBROADCASTSS aoff(SI), Y2;     \
	VBROADCASTSS aoff+4(SI), Y3;   \
	VFMADD231PS  Y0, Y2, Y4;       \
	VFMADD231PS  Y1, Y2, Y5;       \
	VFMADD231PS  Y0, Y3, Y6;       \
	VFMADD231PS  Y1, Y3, Y7;       \
	VBROADCASTSS aoff+8(SI), Y2;   \
	VBROADCASTSS aoff+12(SI), Y3;  \
	VFMADD231PS  Y0, Y2, Y8;       \
	VFMADD231PS  Y1, Y2, Y9;       \
	VFMADD231PS  Y0, Y3, Y10;      \
	VFMADD231PS  Y1, Y3, Y11;      \
	VBROADCASTSS aoff+16(SI), Y2;  \
	VBROADCASTSS aoff+20(SI), Y3;  \
	VFMADD231PS  Y0, Y2, Y12;      \
	VFMADD231PS  Y1, Y2, Y13;      \
	VFMADD231PS  Y0, Y3, Y14;      \
	VFMADD231PS  Y1, Y3, Y15

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

// func kernel6x16AVX2(kc int, a, b, c []float32, ldc, rows int, alpha, beta float32)
TEXT ·kernel6x16AVX2(SB), NOSPLIT, $0-104
	MOVQ kc+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldc+80(FP), R8
	SHLQ $2, R8
	MOVQ rows+88(FP), R10

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
	MOVQ CX, R9
	SHRQ $2, R9
	JZ   tail

loop4:
	STEP(0, 0)
	STEP(24, 64)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ R9
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+96(FP), Y0
	MOVL         beta+100(FP), AX
	TESTL        $0x7fffffff, AX   // +0 or -0
	JZ           betazero

	VBROADCASTSS beta+100(FP), Y1
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
