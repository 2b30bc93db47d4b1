//go:build amd64 && !purego

#include "textflag.h"

// kernel1xNAVX512 computes one row of C, cols values wide, from one row of op(A) (a,
// aStep values apart) and kc rows of op(B) (b, bStep values apart): a matrix-vector
// product, for which the 16-row kernel would waste fifteen of its sixteen rows. Each
// element gets the micro-kernel's arithmetic: one fused multiply-add per p in increasing
// order into an accumulator that starts at zero, then C = alpha*sum (beta = 0) or
// alpha*sum + beta*C with beta*C rounded first.
//
// Columns go in blocks of 128 (eight ZMM accumulators, eight independent chains of
// FMAs; each step reads 512 contiguous bytes of a row of B and prefetches the same bytes
// eight rows down, a stride the hardware prefetchers do not follow), then 16 at a time,
// then the last cols mod 16 under a mask. Register use:
//   CX  columns left, DI B at the current block, DX C at the current block
//   R10 op(A)[0][p], R9 B[p][block], R8 B[p+8][block], AX steps left
//   R11, BX  the strides of A and B in bytes, R12 zero iff beta is zero
//   Z0..Z7  accumulators, Z16 the broadcast value of A, Z30 alpha, Z31 beta, Z29 scratch

// func kernel1xNAVX512(kc int, a []float32, aStep int, b []float32, bStep int, c []float32, alpha, beta float32, cols int)
TEXT ·kernel1xNAVX512(SB), NOSPLIT, $0-112
	MOVQ         cols+104(FP), CX
	MOVQ         b_base+40(FP), DI
	MOVQ         c_base+72(FP), DX
	MOVQ         aStep+32(FP), R11
	SHLQ         $2, R11
	MOVQ         bStep+64(FP), BX
	SHLQ         $2, BX
	VBROADCASTSS alpha+96(FP), Z30
	VBROADCASTSS beta+100(FP), Z31
	MOVL         beta+100(FP), R12
	ANDL         $0x7fffffff, R12 // +0 or -0

block8:
	CMPQ         CX, $128
	JLT          block1
	VPXORD       Z0, Z0, Z0
	VPXORD       Z1, Z1, Z1
	VPXORD       Z2, Z2, Z2
	VPXORD       Z3, Z3, Z3
	VPXORD       Z4, Z4, Z4
	VPXORD       Z5, Z5, Z5
	VPXORD       Z6, Z6, Z6
	VPXORD       Z7, Z7, Z7
	MOVQ         kc+0(FP), AX
	MOVQ         a_base+8(FP), R10
	MOVQ         DI, R9
	LEAQ         (DI)(BX*8), R8

loop8:
	VBROADCASTSS (R10), Z16
	PREFETCHT0   0(R8)
	PREFETCHT0   64(R8)
	PREFETCHT0   128(R8)
	PREFETCHT0   192(R8)
	PREFETCHT0   256(R8)
	PREFETCHT0   320(R8)
	PREFETCHT0   384(R8)
	PREFETCHT0   448(R8)
	VFMADD231PS  0(R9), Z16, Z0
	VFMADD231PS  64(R9), Z16, Z1
	VFMADD231PS  128(R9), Z16, Z2
	VFMADD231PS  192(R9), Z16, Z3
	VFMADD231PS  256(R9), Z16, Z4
	VFMADD231PS  320(R9), Z16, Z5
	VFMADD231PS  384(R9), Z16, Z6
	VFMADD231PS  448(R9), Z16, Z7
	ADDQ         R11, R10
	ADDQ         BX, R9
	ADDQ         BX, R8
	DECQ         AX
	JNZ          loop8

	TESTL        R12, R12
	JZ           zero8
	VMULPS       0(DX), Z31, Z29
	VFMADD231PS  Z0, Z30, Z29
	VMOVUPS      Z29, 0(DX)
	VMULPS       64(DX), Z31, Z29
	VFMADD231PS  Z1, Z30, Z29
	VMOVUPS      Z29, 64(DX)
	VMULPS       128(DX), Z31, Z29
	VFMADD231PS  Z2, Z30, Z29
	VMOVUPS      Z29, 128(DX)
	VMULPS       192(DX), Z31, Z29
	VFMADD231PS  Z3, Z30, Z29
	VMOVUPS      Z29, 192(DX)
	VMULPS       256(DX), Z31, Z29
	VFMADD231PS  Z4, Z30, Z29
	VMOVUPS      Z29, 256(DX)
	VMULPS       320(DX), Z31, Z29
	VFMADD231PS  Z5, Z30, Z29
	VMOVUPS      Z29, 320(DX)
	VMULPS       384(DX), Z31, Z29
	VFMADD231PS  Z6, Z30, Z29
	VMOVUPS      Z29, 384(DX)
	VMULPS       448(DX), Z31, Z29
	VFMADD231PS  Z7, Z30, Z29
	VMOVUPS      Z29, 448(DX)
	JMP          next8

zero8:
	VMULPS       Z0, Z30, Z0
	VMOVUPS      Z0, 0(DX)
	VMULPS       Z1, Z30, Z1
	VMOVUPS      Z1, 64(DX)
	VMULPS       Z2, Z30, Z2
	VMOVUPS      Z2, 128(DX)
	VMULPS       Z3, Z30, Z3
	VMOVUPS      Z3, 192(DX)
	VMULPS       Z4, Z30, Z4
	VMOVUPS      Z4, 256(DX)
	VMULPS       Z5, Z30, Z5
	VMOVUPS      Z5, 320(DX)
	VMULPS       Z6, Z30, Z6
	VMOVUPS      Z6, 384(DX)
	VMULPS       Z7, Z30, Z7
	VMOVUPS      Z7, 448(DX)

next8:
	ADDQ         $512, DI
	ADDQ         $512, DX
	SUBQ         $128, CX
	JMP          block8

block1:
	CMPQ         CX, $16
	JLT          tail
	VPXORD       Z0, Z0, Z0
	MOVQ         kc+0(FP), AX
	MOVQ         a_base+8(FP), R10
	MOVQ         DI, R9

loop1:
	VBROADCASTSS (R10), Z16
	VFMADD231PS  (R9), Z16, Z0
	ADDQ         R11, R10
	ADDQ         BX, R9
	DECQ         AX
	JNZ          loop1

	TESTL        R12, R12
	JZ           zero1
	VMULPS       (DX), Z31, Z29
	VFMADD231PS  Z0, Z30, Z29
	VMOVUPS      Z29, (DX)
	JMP          next1

zero1:
	VMULPS       Z0, Z30, Z0
	VMOVUPS      Z0, (DX)

next1:
	ADDQ         $64, DI
	ADDQ         $64, DX
	SUBQ         $16, CX
	JMP          block1

	// The last cols < 16 columns: K1 selects them, and masked-off lanes of B and C are
	// neither read nor written.
tail:
	TESTQ        CX, CX
	JZ           done
	MOVQ         $1, AX
	SHLQ         CX, AX
	DECQ         AX
	KMOVW        AX, K1
	VPXORD       Z0, Z0, Z0
	MOVQ         kc+0(FP), AX
	MOVQ         a_base+8(FP), R10
	MOVQ         DI, R9

looptail:
	VBROADCASTSS (R10), Z16
	VMOVUPS.Z    (R9), K1, Z17
	VFMADD231PS  Z17, Z16, Z0
	ADDQ         R11, R10
	ADDQ         BX, R9
	DECQ         AX
	JNZ          looptail

	TESTL        R12, R12
	JZ           zerotail
	VMOVUPS.Z    (DX), K1, Z29
	VMULPS       Z29, Z31, Z29
	VFMADD231PS  Z0, Z30, Z29
	VMOVUPS      Z29, K1, (DX)
	JMP          done

zerotail:
	VMULPS       Z0, Z30, Z0
	VMOVUPS      Z0, K1, (DX)

done:
	VZEROUPPER
	RET
