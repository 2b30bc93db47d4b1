//go:build amd64 && !purego

#include "textflag.h"

// Attention's per-head products whose B is read by rows (O = P V, dV = Pᵀ dO, dQ = dS K,
// dK = dSᵀ Q), computed in place with package gemm's arithmetic (its AVX-512 kernel's):
// for each element, acc = 0, then acc = fma(B[p][j], A[i][p], acc) for p = 0..k-1 in
// order, then C = alpha·acc if beta is 0 (C not read), else C = fma(acc, alpha,
// beta·C). Columns are at most 32: two zmm registers per row under the masks K1, K2.

// HMSTOREBETA and HMSTOREZERO store one row of C (accumulators a0, a1) and advance DI.
#define HMSTOREBETA(a0, a1) \
	VMOVUPS.Z   (DI), K1, Z14   \
	VMULPS      Z14, Z31, Z14   \
	VFMADD231PS a0, Z30, Z14    \
	VMOVUPS     Z14, K1, (DI)   \
	VMOVUPS.Z   64(DI), K2, Z15 \
	VMULPS      Z15, Z31, Z15   \
	VFMADD231PS a1, Z30, Z15    \
	VMOVUPS     Z15, K2, 64(DI) \
	ADDQ        R13, DI

#define HMSTOREZERO(a0, a1) \
	VMULPS  a0, Z30, a0     \
	VMOVUPS a0, K1, (DI)    \
	VMULPS  a1, Z30, a1     \
	VMOVUPS a1, K2, 64(DI)  \
	ADDQ    R13, DI

// func headMatmulAVX512(k int, a *float32, aRow, aStep int, b *float32, ldb int, c *float32, ldc int, rows, n int, alpha, beta float32, betaZero bool)
// C[i][j] (i < rows, j < n ≤ 32, at c[i·ldc+j]) from A[i][p] = a[i·aRow+p·aStep] and
// B[p][j] = b[p·ldb+j], k ≥ 1; strides in elements.
TEXT ·headMatmulAVX512(SB), NOSPLIT, $0-89
	MOVQ         k+0(FP), R11
	MOVQ         a+8(FP), SI
	MOVQ         aRow+16(FP), R8
	MOVQ         aStep+24(FP), R9
	MOVQ         b+32(FP), DX
	MOVQ         ldb+40(FP), R12
	MOVQ         c+48(FP), DI
	MOVQ         ldc+56(FP), R13
	MOVQ         rows+64(FP), BX
	MOVQ         n+72(FP), CX
	VBROADCASTSS alpha+80(FP), Z30
	VBROADCASTSS beta+84(FP), Z31
	SHLQ         $2, R8
	SHLQ         $2, R9
	SHLQ         $2, R12
	SHLQ         $2, R13

	// K1: columns 0..15 that exist, K2: columns 16..31.
	MOVQ  $0xffff, AX
	CMPQ  CX, $16
	JAE   hmk1
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX

hmk1:
	KMOVW AX, K1
	XORQ  AX, AX
	SUBQ  $16, CX
	JLE   hmk2
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX

hmk2:
	KMOVW AX, K2

hmblk4:
	CMPQ   BX, $4
	JB     hmblk1
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ   SI, AX
	LEAQ   (SI)(R8*1), CX
	MOVQ   DX, R10
	MOVQ   R11, R15

hmp4:
	VMOVUPS.Z    (R10), K1, Z8
	VMOVUPS.Z    64(R10), K2, Z9
	VBROADCASTSS (AX), Z10
	VBROADCASTSS (CX), Z11
	VBROADCASTSS (AX)(R8*2), Z12
	VBROADCASTSS (CX)(R8*2), Z13
	VFMADD231PS  Z10, Z8, Z0
	VFMADD231PS  Z10, Z9, Z1
	VFMADD231PS  Z11, Z8, Z2
	VFMADD231PS  Z11, Z9, Z3
	VFMADD231PS  Z12, Z8, Z4
	VFMADD231PS  Z12, Z9, Z5
	VFMADD231PS  Z13, Z8, Z6
	VFMADD231PS  Z13, Z9, Z7
	ADDQ         R9, AX
	ADDQ         R9, CX
	ADDQ         R12, R10
	DECQ         R15
	JNZ          hmp4

	MOVBLZX betaZero+88(FP), CX
	TESTQ   CX, CX
	JNZ     hmzero4
	HMSTOREBETA(Z0, Z1)
	HMSTOREBETA(Z2, Z3)
	HMSTOREBETA(Z4, Z5)
	HMSTOREBETA(Z6, Z7)
	JMP     hmnext4

hmzero4:
	HMSTOREZERO(Z0, Z1)
	HMSTOREZERO(Z2, Z3)
	HMSTOREZERO(Z4, Z5)
	HMSTOREZERO(Z6, Z7)

hmnext4:
	LEAQ (SI)(R8*4), SI
	SUBQ $4, BX
	JMP  hmblk4

hmblk1:
	TESTQ  BX, BX
	JZ     hmdone
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ   SI, AX
	MOVQ   DX, R10
	MOVQ   R11, R15

hmp1:
	VMOVUPS.Z    (R10), K1, Z8
	VMOVUPS.Z    64(R10), K2, Z9
	VBROADCASTSS (AX), Z10
	VFMADD231PS  Z10, Z8, Z0
	VFMADD231PS  Z10, Z9, Z1
	ADDQ         R9, AX
	ADDQ         R12, R10
	DECQ         R15
	JNZ          hmp1

	MOVBLZX betaZero+88(FP), CX
	TESTQ   CX, CX
	JNZ     hmzero1
	HMSTOREBETA(Z0, Z1)
	JMP     hmnext1

hmzero1:
	HMSTOREZERO(Z0, Z1)

hmnext1:
	ADDQ R8, SI
	DECQ BX
	JMP  hmblk1

hmdone:
	VZEROUPPER
	RET
