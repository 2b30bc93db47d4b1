//go:build amd64 && !purego

#include "textflag.h"

// The two passes of meanVariance over four rows at once: each row keeps its own four
// float64 partial sums (lane j of its ymm accumulator sums the elements j, j+4, j+8...,
// the variables s0..s3 of meanVariance), so every sum is computed with the same
// operations in the same order as the Go loop (no FMA), and the four rows' chains of
// additions run side by side instead of one after the other.

// func sumRows4AVX(x *float32, d int, sums *[16]float64)
// x holds 4 adjacent rows of d floats, d > 0 a multiple of 4; sums[4r+j] is lane j of row r.
TEXT ·sumRows4AVX(SB), NOSPLIT, $0-24
	MOVQ   x+0(FP), SI
	MOVQ   d+8(FP), DX
	MOVQ   sums+16(FP), DI
	SHLQ   $2, DX              // bytes per row
	LEAQ   (SI)(DX*1), R10
	LEAQ   (R10)(DX*1), R11
	LEAQ   (R11)(DX*1), R12
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX

sumloop:
	VCVTPS2PD (SI)(AX*1), Y4
	VCVTPS2PD (R10)(AX*1), Y5
	VCVTPS2PD (R11)(AX*1), Y6
	VCVTPS2PD (R12)(AX*1), Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $16, AX
	CMPQ      AX, DX
	JB        sumloop

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func sqDevRows4AVX(x *float32, d int, mean *[4]float64, sums *[16]float64)
// As sumRows4AVX, of (float64(x) - mean[r])² (a subtraction, a product, a sum: no FMA).
TEXT ·sqDevRows4AVX(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         d+8(FP), DX
	MOVQ         mean+16(FP), R8
	MOVQ         sums+24(FP), DI
	SHLQ         $2, DX
	LEAQ         (SI)(DX*1), R10
	LEAQ         (R10)(DX*1), R11
	LEAQ         (R11)(DX*1), R12
	VBROADCASTSD (R8), Y8
	VBROADCASTSD 8(R8), Y9
	VBROADCASTSD 16(R8), Y10
	VBROADCASTSD 24(R8), Y11
	VXORPD       Y0, Y0, Y0
	VXORPD       Y1, Y1, Y1
	VXORPD       Y2, Y2, Y2
	VXORPD       Y3, Y3, Y3
	XORQ         AX, AX

sqloop:
	VCVTPS2PD (SI)(AX*1), Y4
	VCVTPS2PD (R10)(AX*1), Y5
	VCVTPS2PD (R11)(AX*1), Y6
	VCVTPS2PD (R12)(AX*1), Y7
	VSUBPD    Y8, Y4, Y4
	VSUBPD    Y9, Y5, Y5
	VSUBPD    Y10, Y6, Y6
	VSUBPD    Y11, Y7, Y7
	VMULPD    Y4, Y4, Y4
	VMULPD    Y5, Y5, Y5
	VMULPD    Y6, Y6, Y6
	VMULPD    Y7, Y7, Y7
	VADDPD    Y4, Y0, Y0
	VADDPD    Y5, Y1, Y1
	VADDPD    Y6, Y2, Y2
	VADDPD    Y7, Y3, Y3
	ADDQ      $16, AX
	CMPQ      AX, DX
	JB        sqloop

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET
