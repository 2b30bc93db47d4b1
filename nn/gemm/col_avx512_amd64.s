//go:build amd64 && !purego

#include "textflag.h"

// kernel16x1AVX512 computes a C of one column, 16*blocks values (adjacent), from 16*blocks
// rows of a row-major A (lda values apart, kc values each) and a vector x of kc adjacent
// values: C[i] = alpha * sum_{p<kc} A[i][p] * x[p] + beta * C[i], with the micro-kernel's
// arithmetic for each element (one fused multiply-add per p in increasing order into an
// accumulator that starts at zero, then alpha*sum or alpha*sum + beta*C with beta*C
// rounded first). The 16 x 16 tile computes 16 columns for this one.
//
// Sixteen rows go at a time, one accumulator whose lanes are the rows: per 16 steps of p,
// one 64-byte load from each row (Z0..Z15), a 16 x 16 transpose in registers (unpacks of
// singles and pairs, then two rounds of 128-bit lane shuffles) that leaves column p of
// the block in Zp, and 16 FMAs in order of p that broadcast x[p] from memory. The last kc
// mod 16 steps load under the mask K1 (lanes past kc are neither read nor used).
// Register use:
//   CX  blocks left, SI A at the block (R10, R11, R12, R13 its rows 0, 4, 8 and 12 at p),
//   R8, R9  lda and 3*lda in bytes, DI x at p, DX C at the block, AX steps left
//   Z20 accumulator, Z16..Z19 and Z21..Z27 scratch, Z30 alpha, Z31 beta, R14 zero iff beta is zero


// UNPACK4 interleaves rows r0..r3 (Z registers) by singles into Z16..Z19, then by pairs
// back into r0..r3: afterwards each 128-bit lane of ri holds column i mod 4 of its four rows.
#define UNPACK4(r0, r1, r2, r3) \
	VUNPCKLPS r1, r0, Z16;  \
	VUNPCKHPS r1, r0, Z17;  \
	VUNPCKLPS r3, r2, Z18;  \
	VUNPCKHPS r3, r2, Z19;  \
	VUNPCKLPD Z18, Z16, r0; \
	VUNPCKHPD Z18, Z16, r1; \
	VUNPCKLPD Z19, Z17, r2; \
	VUNPCKHPD Z19, Z17, r3

// SHUF4 gathers the 128-bit lanes of r0..r3 (one per group of four rows, after UNPACK4)
// so that r0..r3 hold whole columns, in lane order 0, 1, 2, 3 of the source registers.
#define SHUF4(r0, r1, r2, r3) \
	VSHUFF32X4 $0x44, r1, r0, Z16;  \
	VSHUFF32X4 $0xEE, r1, r0, Z17;  \
	VSHUFF32X4 $0x44, r3, r2, Z18;  \
	VSHUFF32X4 $0xEE, r3, r2, Z19;  \
	VSHUFF32X4 $0x88, Z18, Z16, r0; \
	VSHUFF32X4 $0xDD, Z18, Z16, r1; \
	VSHUFF32X4 $0x88, Z19, Z17, r2; \
	VSHUFF32X4 $0xDD, Z19, Z17, r3

// TRANSPOSE16 transposes the 16 x 16 block in Z0..Z15 (row i in Zi) so that Zp holds
// column p; Z16..Z19 are scratch.
#define TRANSPOSE16 \
	UNPACK4(Z0, Z1, Z2, Z3);     \
	UNPACK4(Z4, Z5, Z6, Z7);     \
	UNPACK4(Z8, Z9, Z10, Z11);   \
	UNPACK4(Z12, Z13, Z14, Z15); \
	SHUF4(Z0, Z4, Z8, Z12);      \
	SHUF4(Z1, Z5, Z9, Z13);      \
	SHUF4(Z2, Z6, Z10, Z14);     \
	SHUF4(Z3, Z7, Z11, Z15)

// LOAD4 loads 64 bytes from each of the four rows at base, base+lda, base+2*lda and
// base+3*lda into r0..r3; LOAD4Z does the same under the mask K1, zeroing the other lanes.
#define LOAD4(base, r0, r1, r2, r3) \
	VMOVUPS (base), r0;        \
	VMOVUPS (base)(R8*1), r1;  \
	VMOVUPS (base)(R8*2), r2;  \
	VMOVUPS (base)(R9*1), r3

#define LOAD4Z(base, r0, r1, r2, r3) \
	VMOVUPS.Z (base), K1, r0;       \
	VMOVUPS.Z (base)(R8*1), K1, r1; \
	VMOVUPS.Z (base)(R8*2), K1, r2; \
	VMOVUPS.Z (base)(R9*1), K1, r3

// LOAD16 and LOAD16Z load the block's 16 rows into Z0..Z15 (row i in Zi).
#define LOAD16 \
	LOAD4(R10, Z0, Z1, Z2, Z3);     \
	LOAD4(R11, Z4, Z5, Z6, Z7);     \
	LOAD4(R12, Z8, Z9, Z10, Z11);   \
	LOAD4(R13, Z12, Z13, Z14, Z15)

#define LOAD16Z \
	LOAD4Z(R10, Z0, Z1, Z2, Z3);     \
	LOAD4Z(R11, Z4, Z5, Z6, Z7);     \
	LOAD4Z(R12, Z8, Z9, Z10, Z11);   \
	LOAD4Z(R13, Z12, Z13, Z14, Z15)

// TAILFMA accumulates column zp of the block times x[p] (at off(DI)) into Z20 and ends the
// block's sum once AX steps are done.
#define TAILFMA(off, zp) \
	VFMADD231PS.BCST off(DI), zp, Z20; \
	DECQ             AX;               \
	JZ               store


// func kernel16x1AVX512(kc int, a []float32, lda int, x []float32, c []float32, alpha, beta float32, blocks int)
TEXT ·kernel16x1AVX512(SB), NOSPLIT, $0-104
	MOVQ         blocks+96(FP), CX
	MOVQ         a_base+8(FP), SI
	MOVQ         c_base+64(FP), DX
	MOVQ         lda+32(FP), R8
	SHLQ         $2, R8
	LEAQ         (R8)(R8*2), R9
	VBROADCASTSS alpha+88(FP), Z30
	VBROADCASTSS beta+92(FP), Z31
	MOVL         beta+92(FP), R14
	ANDL         $0x7fffffff, R14 // +0 or -0
	// K1 selects the last kc mod 16 steps.
	MOVQ         kc+0(FP), BX
	ANDQ         $15, BX
	MOVQ         BX, CX
	MOVQ         $1, AX
	SHLQ         CX, AX
	DECQ         AX
	KMOVW        AX, K1
	MOVQ         blocks+96(FP), CX

block:
	VPXORD       Z20, Z20, Z20
	MOVQ         SI, R10
	LEAQ         (SI)(R8*4), R11
	LEAQ         (R11)(R8*4), R12
	LEAQ         (R12)(R8*4), R13
	MOVQ         x_base+40(FP), DI
	MOVQ         kc+0(FP), AX
	CMPQ         AX, $16
	JLT          tail

loop:
	LOAD16
	TRANSPOSE16
	VFMADD231PS.BCST 0(DI), Z0, Z20
	VFMADD231PS.BCST 4(DI), Z1, Z20
	VFMADD231PS.BCST 8(DI), Z2, Z20
	VFMADD231PS.BCST 12(DI), Z3, Z20
	VFMADD231PS.BCST 16(DI), Z4, Z20
	VFMADD231PS.BCST 20(DI), Z5, Z20
	VFMADD231PS.BCST 24(DI), Z6, Z20
	VFMADD231PS.BCST 28(DI), Z7, Z20
	VFMADD231PS.BCST 32(DI), Z8, Z20
	VFMADD231PS.BCST 36(DI), Z9, Z20
	VFMADD231PS.BCST 40(DI), Z10, Z20
	VFMADD231PS.BCST 44(DI), Z11, Z20
	VFMADD231PS.BCST 48(DI), Z12, Z20
	VFMADD231PS.BCST 52(DI), Z13, Z20
	VFMADD231PS.BCST 56(DI), Z14, Z20
	VFMADD231PS.BCST 60(DI), Z15, Z20
	ADDQ         $64, R10
	ADDQ         $64, R11
	ADDQ         $64, R12
	ADDQ         $64, R13
	ADDQ         $64, DI
	SUBQ         $16, AX
	CMPQ         AX, $16
	JGE          loop

tail:
	TESTQ        AX, AX
	JZ           store
	LOAD16Z
	TRANSPOSE16
	TAILFMA(0, Z0)
	TAILFMA(4, Z1)
	TAILFMA(8, Z2)
	TAILFMA(12, Z3)
	TAILFMA(16, Z4)
	TAILFMA(20, Z5)
	TAILFMA(24, Z6)
	TAILFMA(28, Z7)
	TAILFMA(32, Z8)
	TAILFMA(36, Z9)
	TAILFMA(40, Z10)
	TAILFMA(44, Z11)
	TAILFMA(48, Z12)
	TAILFMA(52, Z13)
	TAILFMA(56, Z14)

store:
	TESTL        R14, R14
	JZ           zero
	VMULPS       (DX), Z31, Z29
	VFMADD231PS  Z20, Z30, Z29
	VMOVUPS      Z29, (DX)
	JMP          next

zero:
	VMULPS       Z20, Z30, Z20
	VMOVUPS      Z20, (DX)

next:
	LEAQ         (SI)(R8*8), SI
	LEAQ         (SI)(R8*8), SI
	ADDQ         $64, DX
	DECQ         CX
	JNZ          block
	VZEROUPPER
	RET
