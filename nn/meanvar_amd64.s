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

// TRANSPOSE4D transposes the 4×4 float64 matrix whose rows are a, b, c, d (ymm) into
// column registers c0..c3 (lane r of cj is row r's element j); it uses Y8-Y11.
#define TRANSPOSE4D(ra, rb, rc, rd, k0, k1, k2, k3) \
	VUNPCKLPD  rb, ra, Y8         \ // a0 b0 a2 b2
	VUNPCKHPD  rb, ra, Y9         \ // a1 b1 a3 b3
	VUNPCKLPD  rd, rc, Y10        \ // c0 d0 c2 d2
	VUNPCKHPD  rd, rc, Y11        \ // c1 d1 c3 d3
	VPERM2F128 $0x20, Y10, Y8, k0 \ // a0 b0 c0 d0
	VPERM2F128 $0x20, Y11, Y9, k1 \
	VPERM2F128 $0x31, Y10, Y8, k2 \
	VPERM2F128 $0x31, Y11, Y9, k3

// LNGRADROW computes, for the four columns at AX of the rows at SI (dy) and DX (x),
// float64(dy·g) into rgh and float64(dy·g)·float64((x-m)·s) into rp, the terms of
// layerNormInputGrad's two row sums; the row's four m, then four s, are at msoff(R9).
#define LNGRADROW(msoff, rgh, rp) \
	VMOVUPS   (SI)(AX*1), X14        \
	VMULPS    (R8)(AX*1), X14, X14   \ // dy·g (float32)
	VMOVUPS   (DX)(AX*1), X15        \
	VSUBPS    msoff(R9), X15, X15    \ // x-m
	VMULPS    msoff+16(R9), X15, X15 \ // ·s
	VCVTPS2PD X14, rgh               \
	VCVTPS2PD X15, rp                \
	VMULPD    rgh, rp, rp              // exact

// func layerNormGradSums4AVX(dy, x, gain *float32, d int, ms *[32]float32, sums *[8]float64)
// dy and x hold 4 adjacent rows of d floats each, d > 0 a multiple of 4, gain d floats; ms
// holds, for row r, m_r four times at 32r and s_r four times at 32r+16. sums[r] gets
// Σ_j float64(dy·g) and sums[4+r] Σ_j float64(dy·g)·float64((x-m)·s) of row r, each
// added in column order from 0, as layerNormInputGrad's loop does, with the four rows'
// chains side by side (a 4×4 block is computed row-wise, then transposed).
TEXT ·layerNormGradSums4AVX(SB), NOSPLIT, $0-48
	MOVQ   dy+0(FP), SI
	MOVQ   x+8(FP), DX
	MOVQ   gain+16(FP), R8
	MOVQ   d+24(FP), CX
	MOVQ   ms+32(FP), R9
	MOVQ   sums+40(FP), DI
	SHLQ   $2, CX           // bytes per row
	LEAQ   (CX)(CX*2), R11  // three rows
	VXORPD Y12, Y12, Y12    // Σ gh of the four rows
	VXORPD Y13, Y13, Y13    // Σ gh·x̂
	XORQ   AX, AX

lngsloop:
	LNGRADROW(0, Y0, Y4)
	ADDQ      CX, SI
	ADDQ      CX, DX
	LNGRADROW(32, Y1, Y5)
	ADDQ      CX, SI
	ADDQ      CX, DX
	LNGRADROW(64, Y2, Y6)
	ADDQ      CX, SI
	ADDQ      CX, DX
	LNGRADROW(96, Y3, Y7)
	SUBQ      R11, SI
	SUBQ      R11, DX
	TRANSPOSE4D(Y0, Y1, Y2, Y3, Y0, Y1, Y2, Y3)
	VADDPD    Y0, Y12, Y12
	VADDPD    Y1, Y12, Y12
	VADDPD    Y2, Y12, Y12
	VADDPD    Y3, Y12, Y12
	TRANSPOSE4D(Y4, Y5, Y6, Y7, Y4, Y5, Y6, Y7)
	VADDPD    Y4, Y13, Y13
	VADDPD    Y5, Y13, Y13
	VADDPD    Y6, Y13, Y13
	VADDPD    Y7, Y13, Y13
	ADDQ      $16, AX
	CMPQ      AX, CX
	JB        lngsloop

	VMOVUPD Y12, (DI)
	VMOVUPD Y13, 32(DI)
	VZEROUPPER
	RET
