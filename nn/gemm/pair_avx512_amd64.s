//go:build amd64 && !purego

#include "textflag.h"

// kernel8x32AVX512 computes an 8 x 32 block of C (its first rows rows and cols columns)
// from eight rows of A, a row stride apart, and two B panels side by side, for an A read
// in place whose values of one step of p are not adjacent (op(A) = A, row-major), where
// kernel16xNAVX512 cannot pair rows as DSTEP does. Each value of A, broadcast once, serves
// two FMAs, one per B panel: per step two loads of B and eight broadcasts for sixteen
// FMAs, ten loads, rather than seventeen for the sixteen FMAs of a 16 x 16 tile. The
// arithmetic of each element is the tile kernel's: one FMA per step of p in increasing
// order from zero, then alpha*sum + beta*C (or alpha*sum when beta is zero, C unread).
// Register use:
//   SI  A[0][p]; row i of A is at SI + i*R9 (R12, R13, R15: 3, 5 and 7 times R9); each
//       step of p adds R11
//   DI  B[p][0] of the first panel, the second R8 bytes further; each step adds BX
//   Z0, Z17  the rows of B of the two panels; Z18, Z19 broadcasts of A
//   Z(1+2r), Z(2+2r)  row r of the block: columns 0-15 and 16-31
//   DX  C, R10 its row stride in bytes, CX rows left to store, K2 the mask of the
//       columns 16-31 to store; Z30, Z31 alpha and beta, Z29 scratch

#define PSTEP \
	VMOVUPS      (DI), Z0;         \
	VMOVUPS      (DI)(R8*1), Z17;  \
	VBROADCASTSS (SI), Z18; \
	VFMADD231PS  Z18, Z0, Z1;  \
	VFMADD231PS  Z18, Z17, Z2; \
	VBROADCASTSS (SI)(R9*1), Z19; \
	VFMADD231PS  Z19, Z0, Z3;  \
	VFMADD231PS  Z19, Z17, Z4; \
	VBROADCASTSS (SI)(R9*2), Z18; \
	VFMADD231PS  Z18, Z0, Z5;  \
	VFMADD231PS  Z18, Z17, Z6; \
	VBROADCASTSS (SI)(R12*1), Z19; \
	VFMADD231PS  Z19, Z0, Z7;  \
	VFMADD231PS  Z19, Z17, Z8; \
	VBROADCASTSS (SI)(R9*4), Z18; \
	VFMADD231PS  Z18, Z0, Z9;  \
	VFMADD231PS  Z18, Z17, Z10; \
	VBROADCASTSS (SI)(R13*1), Z19; \
	VFMADD231PS  Z19, Z0, Z11;  \
	VFMADD231PS  Z19, Z17, Z12; \
	VBROADCASTSS (SI)(R12*2), Z18; \
	VFMADD231PS  Z18, Z0, Z13;  \
	VFMADD231PS  Z18, Z17, Z14; \
	VBROADCASTSS (SI)(R15*1), Z19; \
	VFMADD231PS  Z19, Z0, Z15;  \
	VFMADD231PS  Z19, Z17, Z16; \
	ADDQ         R11, SI;          \
	ADDQ         BX, DI

// PSTORE_BETA and PSTORE_ZERO write row r of the block (accumulators lo, hi), the
// second 16 columns under K2, then move to the next row, or leave after the last.
#define PSTORE_BETA(lo, hi) \
	VMULPS      (DX), Z31, Z29;     \
	VFMADD231PS lo, Z30, Z29;       \
	VMOVUPS     Z29, (DX);          \
	VMOVUPS.Z   64(DX), K2, Z29;    \
	VMULPS      Z29, Z31, Z29;      \
	VFMADD231PS hi, Z30, Z29;       \
	VMOVUPS     Z29, K2, 64(DX);    \
	ADDQ        R10, DX;            \
	DECQ        CX;                 \
	JZ          done

#define PSTORE_ZERO(lo, hi) \
	VMULPS  lo, Z30, lo;            \
	VMOVUPS lo, (DX);               \
	VMULPS  hi, Z30, hi;            \
	VMOVUPS hi, K2, 64(DX);         \
	ADDQ    R10, DX;                \
	DECQ    CX;                     \
	JZ      done

// func kernel8x32AVX512(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int, c []float32, ldc, rows int, alpha, beta float32, cols int)
TEXT ·kernel8x32AVX512(SB), NOSPLIT, $0-144
	MOVQ aRow+32(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R12
	LEAQ (R9)(R9*4), R13
	LEAQ (R12)(R9*4), R15
	MOVQ aStep+40(FP), R11
	SHLQ $2, R11
	MOVQ bStep+72(FP), BX
	SHLQ $2, BX
	MOVQ bPanel+80(FP), R8
	SHLQ $2, R8
	MOVQ a_base+8(FP), SI
	MOVQ b_base+48(FP), DI
	MOVQ kc+0(FP), CX

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

	// Four steps of p per iteration, then the remaining kc mod 4 one at a time.
	MOVQ CX, AX
	SHRQ $2, AX
	JZ   tail

loop4:
	PSTEP
	PSTEP
	PSTEP
	PSTEP
	DECQ AX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	PSTEP
	DECQ CX
	JNZ  loop1

store:
	MOVQ         c_base+88(FP), DX
	MOVQ         ldc+112(FP), R10
	SHLQ         $2, R10
	MOVQ         cols+136(FP), CX
	SUBQ         $16, CX
	MOVQ         $1, R14
	SHLQ         CX, R14
	DECQ         R14
	KMOVW        R14, K2
	MOVQ         rows+120(FP), CX
	VBROADCASTSS alpha+128(FP), Z30
	MOVL         beta+132(FP), AX
	TESTL        $0x7fffffff, AX   // +0 or -0
	JZ           zero
	VBROADCASTSS beta+132(FP), Z31
	PSTORE_BETA(Z1, Z2)
	PSTORE_BETA(Z3, Z4)
	PSTORE_BETA(Z5, Z6)
	PSTORE_BETA(Z7, Z8)
	PSTORE_BETA(Z9, Z10)
	PSTORE_BETA(Z11, Z12)
	PSTORE_BETA(Z13, Z14)
	PSTORE_BETA(Z15, Z16)
	JMP          done

zero:
	PSTORE_ZERO(Z1, Z2)
	PSTORE_ZERO(Z3, Z4)
	PSTORE_ZERO(Z5, Z6)
	PSTORE_ZERO(Z7, Z8)
	PSTORE_ZERO(Z9, Z10)
	PSTORE_ZERO(Z11, Z12)
	PSTORE_ZERO(Z13, Z14)
	PSTORE_ZERO(Z15, Z16)

done:
	VZEROUPPER
	RET
