//go:build amd64 && !purego

#include "textflag.h"

// The vector kernels of kernels.go. Every kernel computes each element with the
// operations of its Go loop, in the same order, one rounding per operation (no FMA), so
// the results are the Go loop's bit for bit.
//
// The AVX2 kernels take slices whose length is a multiple of 8 (their Go wrappers in
// kernels_amd64.go finish the rest with the Go loop). The AVX-512 kernels take any
// length: 16 elements at a time under the mask K1, which is all ones until the last,
// partial block (loads there read only the lanes of the mask, and so do stores).

// TAIL16 is the loop head of the AVX-512 kernels: with CX elements left, it ends the
// loop at done when none are left, runs a full block with K1 all ones when 16 or more are,
// and otherwise sets K1 to the first CX lanes and CX to 16 (so that the block is the last).
#define TAIL16(body, done) \
	CMPQ  CX, $16 \
	JAE   body    \
	TESTQ CX, CX  \
	JZ    done    \
	MOVQ  $1, AX  \
	SHLQ  CX, AX  \
	DECQ  AX      \
	KMOVW AX, K1  \
	MOVQ  $16, CX

#define ALLONES \
	MOVQ  $0xffff, AX \
	KMOVW AX, K1

// func addToAVX2(y, x []float32)
TEXT ·addToAVX2(SB), NOSPLIT, $0-48
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+24(FP), SI

add32:
	CMPQ    CX, $32
	JB      add8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	VADDPS  (SI), Y0, Y0
	VADDPS  32(SI), Y1, Y1
	VADDPS  64(SI), Y2, Y2
	VADDPS  96(SI), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, SI
	SUBQ    $32, CX
	JMP     add32

add8:
	CMPQ    CX, $8
	JB      adddone
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     add8

adddone:
	VZEROUPPER
	RET

// func addColSumsAVX512(y, x []float32, stride, rows int)
// Column blocks of 64 (four accumulators), then of 16 under K1; each accumulator starts
// from y and adds the rows in order.
TEXT ·addColSumsAVX512(SB), NOSPLIT, $0-64
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ stride+48(FP), R8
	SHLQ $2, R8           // row stride in bytes
	MOVQ rows+56(FP), R9
	ALLONES

cols64:
	CMPQ    CX, $64
	JB      cols16
	VMOVUPS (DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	MOVQ    SI, R10
	MOVQ    R9, R11

rows64:
	VADDPS (R10), Z0, Z0
	VADDPS 64(R10), Z1, Z1
	VADDPS 128(R10), Z2, Z2
	VADDPS 192(R10), Z3, Z3
	ADDQ   R8, R10
	DECQ   R11
	JNZ    rows64
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     cols64

cols16:
	TAIL16(colsbody, colsdone)

colsbody:
	VMOVUPS.Z (DI), K1, Z0
	MOVQ      SI, R10
	MOVQ      R9, R11

rows16:
	VMOVUPS.Z (R10), K1, Z1
	VADDPS    Z1, Z0, Z0
	ADDQ      R8, R10
	DECQ      R11
	JNZ       rows16
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       cols16

colsdone:
	VZEROUPPER
	RET

// func axpyAVX2(y []float32, a float32, x []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	VBROADCASTSS a+24(FP), Y15
	MOVQ         x_base+32(FP), SI

axpy16:
	CMPQ    CX, $16
	JB      axpy8
	VMULPS  (SI), Y15, Y0
	VMULPS  32(SI), Y15, Y1
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     axpy16

axpy8:
	CMPQ    CX, $8
	JB      axpydone
	VMULPS  (SI), Y15, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     axpy8

axpydone:
	VZEROUPPER
	RET

// func axpyAVX512(y []float32, a float32, x []float32)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	VBROADCASTSS a+24(FP), Z15
	MOVQ         x_base+32(FP), SI
	ALLONES

axpy16:
	TAIL16(axpybody, axpydone)

axpybody:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DI), K1, Z1
	VMULPS    Z0, Z15, Z0
	VADDPS    Z0, Z1, Z1
	VMOVUPS   Z1, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       axpy16

axpydone:
	VZEROUPPER
	RET

// func scaleToAVX2(y []float32, a float32, x []float32)
TEXT ·scaleToAVX2(SB), NOSPLIT, $0-56
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	VBROADCASTSS a+24(FP), Y15
	MOVQ         x_base+32(FP), SI

scale8:
	CMPQ    CX, $8
	JB      scaledone
	VMULPS  (SI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     scale8

scaledone:
	VZEROUPPER
	RET

// func scaleToAVX512(y []float32, a float32, x []float32)
TEXT ·scaleToAVX512(SB), NOSPLIT, $0-56
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	VBROADCASTSS a+24(FP), Z15
	MOVQ         x_base+32(FP), SI
	ALLONES

scale16:
	TAIL16(scalebody, scaledone)

scalebody:
	VMOVUPS.Z (SI), K1, Z0
	VMULPS    Z0, Z15, Z0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       scale16

scaledone:
	VZEROUPPER
	RET

// func adamWAVX2(p, g, m, v []float32, c *adamWConsts)
TEXT ·adamWAVX2(SB), NOSPLIT, $0-104
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         v_base+72(FP), R9
	MOVQ         c+96(FP), AX
	VBROADCASTSS 0(AX), Y7   // β₁
	VBROADCASTSS 4(AX), Y8   // 1-β₁
	VBROADCASTSS 8(AX), Y9   // β₂
	VBROADCASTSS 12(AX), Y10 // 1-β₂
	VBROADCASTSS 16(AX), Y11 // c1
	VBROADCASTSS 20(AX), Y12 // c2
	VBROADCASTSS 24(AX), Y13 // η
	VBROADCASTSS 28(AX), Y14 // shrink
	VBROADCASTSS 32(AX), Y15 // ε
	VBROADCASTSS 36(AX), Y6  // gscale

adam8:
	CMPQ    CX, $8
	JB      adamdone
	VMULPS  (SI), Y6, Y0  // g·gscale
	VMULPS  (R8), Y7, Y1  // β₁m
	VMULPS  Y0, Y8, Y2    // (1-β₁)g
	VADDPS  Y2, Y1, Y1    // m
	VMOVUPS Y1, (R8)
	VMULPS  (R9), Y9, Y3  // β₂v
	VMULPS  Y0, Y10, Y4   // (1-β₂)g
	VMULPS  Y0, Y4, Y4    // (1-β₂)g·g
	VADDPS  Y4, Y3, Y3    // v
	VMOVUPS Y3, (R9)
	VDIVPS  Y11, Y1, Y1   // m̂ = m/c1
	VMULPS  Y1, Y13, Y1   // η·m̂
	VDIVPS  Y12, Y3, Y3   // v̂ = v/c2
	VSQRTPS Y3, Y3
	VADDPS  Y15, Y3, Y3   // √v̂ + ε
	VDIVPS  Y3, Y1, Y1    // η·m̂/(√v̂ + ε)
	VMULPS  (DI), Y14, Y2 // p·shrink
	VSUBPS  Y1, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     adam8

adamdone:
	VZEROUPPER
	RET

// func adamWAVX512(p, g, m, v []float32, c *adamWConsts)
TEXT ·adamWAVX512(SB), NOSPLIT, $0-104
	MOVQ         p_base+0(FP), DI
	MOVQ         p_len+8(FP), CX
	MOVQ         g_base+24(FP), SI
	MOVQ         m_base+48(FP), R8
	MOVQ         v_base+72(FP), R9
	MOVQ         c+96(FP), AX
	VBROADCASTSS 0(AX), Z16  // β₁
	VBROADCASTSS 4(AX), Z17  // 1-β₁
	VBROADCASTSS 8(AX), Z18  // β₂
	VBROADCASTSS 12(AX), Z19 // 1-β₂
	VBROADCASTSS 16(AX), Z20 // c1
	VBROADCASTSS 20(AX), Z21 // c2
	VBROADCASTSS 24(AX), Z22 // η
	VBROADCASTSS 28(AX), Z23 // shrink
	VBROADCASTSS 32(AX), Z24 // ε
	VBROADCASTSS 36(AX), Z25 // gscale
	MOVL         40(AX), R10 // zeroSkip
	VXORPS       Z26, Z26, Z26
	ALLONES

adam16:
	TAIL16(adambody, adamdone)

adambody:
	VMOVUPS.Z (SI), K1, Z0 // g
	VMULPS    Z0, Z25, Z0  // g·gscale
	VMOVUPS.Z (R8), K1, Z1
	VMOVUPS.Z (R9), K1, Z3
	VMOVUPS.Z (DI), K1, Z5
	TESTL     R10, R10
	JZ        adamfull
	VCMPPS    $4, Z26, Z0, K2 // g ≠ 0 (or NaN)
	VPORD     Z1, Z3, Z6
	VPTESTMD  Z6, Z6, K3      // m or v not +0
	KORTESTW  K2, K3
	JNZ       adamfull
	VMULPS    Z5, Z23, Z5     // all zero: p·shrink, m and v stay +0
	VMOVUPS   Z5, K1, (DI)
	JMP       adamnext

adamfull:
	VMULPS    Z1, Z16, Z1  // β₁m
	VMULPS    Z0, Z17, Z2  // (1-β₁)g
	VADDPS    Z2, Z1, Z1   // m
	VMOVUPS   Z1, K1, (R8)
	VMULPS    Z3, Z18, Z3  // β₂v
	VMULPS    Z0, Z19, Z4  // (1-β₂)g
	VMULPS    Z0, Z4, Z4   // (1-β₂)g·g
	VADDPS    Z4, Z3, Z3   // v
	VMOVUPS   Z3, K1, (R9)
	VDIVPS    Z20, Z1, Z1  // m̂ = m/c1
	VMULPS    Z1, Z22, Z1  // η·m̂
	VDIVPS    Z21, Z3, Z3  // v̂ = v/c2
	VSQRTPS   Z3, Z3
	VADDPS    Z24, Z3, Z3  // √v̂ + ε
	VDIVPS    Z3, Z1, Z1   // η·m̂/(√v̂ + ε)
	VMULPS    Z5, Z23, Z5  // p·shrink
	VSUBPS    Z1, Z5, Z5
	VMOVUPS   Z5, K1, (DI)

adamnext:
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $16, CX
	JMP  adam16

adamdone:
	VZEROUPPER
	RET

// Dropout's hash (dropout.go): for element i, z = seed + (i+1)·γ, then SplitMix64's
// finaliser; the element is kept if z>>40 ≥ threshold.
DATA dropk<>+0(SB)/8, $0x0000000000000000 // k·γ for lanes k = 0..7
DATA dropk<>+8(SB)/8, $0x9e3779b97f4a7c15
DATA dropk<>+16(SB)/8, $0x3c6ef372fe94f82a
DATA dropk<>+24(SB)/8, $0xdaa66d2c7ddf743f
DATA dropk<>+32(SB)/8, $0x78dde6e5fd29f054
DATA dropk<>+40(SB)/8, $0x1715609f7c746c69
DATA dropk<>+48(SB)/8, $0xb54cda58fbbee87e
DATA dropk<>+56(SB)/8, $0x538454127b096493
DATA dropk<>+64(SB)/8, $0xf1bbcdcbfa53e0a8 // 8γ
DATA dropk<>+72(SB)/8, $0xe3779b97f4a7c150 // 16γ
DATA dropk<>+80(SB)/8, $0xbf58476d1ce4e5b9
DATA dropk<>+88(SB)/8, $0x94d049bb133111eb
GLOBL dropk<>(SB), RODATA|NOPTR, $96

// DROPSETUP loads the hash state: Z20 and Z21 hold z of the block's elements 0-7 and
// 8-15, Z22 = 16γ, Z23 and Z24 the multipliers, Z25 the threshold, Z26 the scale.
#define DROPSETUP \
	MOVQ         lo+56(FP), AX          \
	INCQ         AX                     \
	MOVQ         $0x9e3779b97f4a7c15, BX \
	IMULQ        BX, AX                 \
	ADDQ         seed+48(FP), AX        \
	VPBROADCASTQ AX, Z20                \
	VPADDQ       dropk<>+0(SB), Z20, Z20 \
	VPBROADCASTQ dropk<>+64(SB), Z21    \
	VPADDQ       Z20, Z21, Z21          \
	VPBROADCASTQ dropk<>+72(SB), Z22    \
	VPBROADCASTQ dropk<>+80(SB), Z23    \
	VPBROADCASTQ dropk<>+88(SB), Z24    \
	VPBROADCASTQ threshold+64(FP), Z25  \
	VBROADCASTSS scale+72(FP), Z26

// HASH8 sets the mask k to the lanes of z (eight indices' hash inputs) that are kept.
// It uses Z27 and Z28.
#define HASH8(z, k) \
	VPSRLQ  $30, z, Z27       \
	VPXORQ  z, Z27, Z27       \
	VPMULLQ Z23, Z27, Z27     \
	VPSRLQ  $27, Z27, Z28     \
	VPXORQ  Z28, Z27, Z27     \
	VPMULLQ Z24, Z27, Z27     \
	VPSRLQ  $31, Z27, Z28     \
	VPXORQ  Z28, Z27, Z27     \
	VPSRLQ  $40, Z27, Z27     \
	VPCMPUQ $5, Z25, Z27, k     // z>>40 ≥ threshold (5: not less than)

// KEEP16 sets K3 to the kept lanes of the block among those of K1, and steps z on.
#define KEEP16 \
	HASH8(Z20, K2)        \
	HASH8(Z21, K3)        \
	KUNPCKBW K2, K3, K3   \
	KANDW    K1, K3, K3   \
	VPADDQ   Z22, Z20, Z20 \
	VPADDQ   Z22, Z21, Z21

// func dropoutAVX512(y, x []float32, seed uint64, lo int, threshold uint64, scale float32)
TEXT ·dropoutAVX512(SB), NOSPLIT, $0-76
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	DROPSETUP
	ALLONES

drop16:
	TAIL16(dropbody, dropdone)

dropbody:
	KEEP16
	VMOVUPS.Z (SI), K3, Z0
	VMULPS.Z  Z26, Z0, K3, Z0 // kept: x·scale; dropped: 0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       drop16

dropdone:
	VZEROUPPER
	RET

// func dropoutGradAVX512(dx, dy []float32, seed uint64, lo int, threshold uint64, scale float32, set bool)
TEXT ·dropoutGradAVX512(SB), NOSPLIT, $0-77
	MOVQ    dx_base+0(FP), DI
	MOVQ    dx_len+8(FP), CX
	MOVQ    dy_base+24(FP), SI
	MOVBLZX set+76(FP), R9
	DROPSETUP
	ALLONES

dgrad16:
	TAIL16(dgradbody, dgraddone)

dgradbody:
	KEEP16
	VMOVUPS.Z (SI), K3, Z0
	VMULPS    Z26, Z0, Z0
	TESTQ     R9, R9
	JNZ       dgradset
	VMOVUPS.Z (DI), K3, Z1
	VADDPS    Z0, Z1, Z1
	VMOVUPS   Z1, K3, (DI) // only the kept elements change
	JMP       dgradnext

dgradset:
	VXORPS  Z1, Z1, Z1
	VADDPS  Z0, Z1, Z1   // 0 + dy·scale kept, 0 + 0 dropped
	VMOVUPS Z1, K1, (DI) // every element is written

dgradnext:
	ADDQ $64, DI
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  dgrad16

dgraddone:
	VZEROUPPER
	RET

// ADD2D adds the two float64 of x (an X register) to the sum in X15, lane 0 first.
// It uses X6.
#define ADD2D(x) \
	VADDSD    x, X15, X15 \
	VPERMILPD $1, x, X6   \
	VADDSD    X6, X15, X15

// ADD4D adds the four float64 of y (X register x is its low half) to X15 in order.
// It uses X5 and X6.
#define ADD4D(y, x) \
	ADD2D(x)                 \
	VEXTRACTF128 $1, y, X5   \
	ADD2D(X5)

// SQUARES8 adds the squares of the eight float32 of X register x (as float64) to X15 in
// order. It uses Y3-Y6.
#define SQUARES8(y, x) \
	VCVTPS2PD    x, Y3    \
	VMULPD       Y3, Y3, Y3 \
	ADD4D(Y3, X3)         \
	VEXTRACTF128 $1, y, X4 \
	VCVTPS2PD    X4, Y4    \
	VMULPD       Y4, Y4, Y4 \
	ADD4D(Y4, X4)

// func sumSquaresAVX2(sum float64, g []float32) float64
TEXT ·sumSquaresAVX2(SB), NOSPLIT, $0-40
	VMOVSD sum+0(FP), X15
	MOVQ   g_base+8(FP), SI
	MOVQ   g_len+16(FP), CX
	VXORPS Y7, Y7, Y7

sq8:
	CMPQ      CX, $8
	JB        sqdone
	VMOVUPS   (SI), Y0
	VCMPPS    $4, Y7, Y0, Y1 // x ≠ 0 (or NaN)
	VMOVMSKPS Y1, AX
	TESTL     AX, AX
	JZ        sqnext         // all zero: their squares would add nothing
	SQUARES8(Y0, X0)

sqnext:
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  sq8

sqdone:
	VMOVSD X15, ret+32(FP)
	VZEROUPPER
	RET

// func sumSquaresAVX512(sum float64, g []float32) float64
TEXT ·sumSquaresAVX512(SB), NOSPLIT, $0-40
	VMOVSD sum+0(FP), X15
	MOVQ   g_base+8(FP), SI
	MOVQ   g_len+16(FP), CX
	VXORPS Z7, Z7, Z7
	ALLONES

sq16:
	TAIL16(sqbody, sqdone)

sqbody:
	VMOVUPS.Z (SI), K1, Z0  // lanes past the end are 0 and add nothing
	VCMPPS    $4, Z7, Z0, K2 // x ≠ 0 (or NaN)
	KORTESTW  K2, K2
	JZ        sqnext
	SQUARES8(Y0, X0)
	VEXTRACTF64X4 $1, Z0, Y2
	SQUARES8(Y2, X2)

sqnext:
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  sq16

sqdone:
	VMOVSD X15, ret+32(FP)
	VZEROUPPER
	RET

// func layerNormRowAVX2(y, x, g, b []float32, m, s float32)
TEXT ·layerNormRowAVX2(SB), NOSPLIT, $0-104
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         g_base+48(FP), R8
	MOVQ         b_base+72(FP), R9
	VBROADCASTSS m+96(FP), Y14
	VBROADCASTSS s+100(FP), Y15

ln8:
	CMPQ    CX, $8
	JB      lndone
	VMOVUPS (SI), Y0
	VSUBPS  Y14, Y0, Y0  // x-m
	VMULPS  Y15, Y0, Y0  // ·s
	VMULPS  (R8), Y0, Y0 // ·g
	VADDPS  (R9), Y0, Y0 // +b
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     ln8

lndone:
	VZEROUPPER
	RET

// func layerNormRowAVX512(y, x, g, b []float32, m, s float32)
TEXT ·layerNormRowAVX512(SB), NOSPLIT, $0-104
	MOVQ         y_base+0(FP), DI
	MOVQ         y_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         g_base+48(FP), R8
	MOVQ         b_base+72(FP), R9
	VBROADCASTSS m+96(FP), Z14
	VBROADCASTSS s+100(FP), Z15
	ALLONES

ln16:
	TAIL16(lnbody, lndone)

lnbody:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (R8), K1, Z1
	VMOVUPS.Z (R9), K1, Z2
	VSUBPS    Z14, Z0, Z0 // x-m
	VMULPS    Z15, Z0, Z0 // ·s
	VMULPS    Z1, Z0, Z0  // ·g
	VADDPS    Z2, Z0, Z0  // +b
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, R8
	ADDQ      $64, R9
	SUBQ      $16, CX
	JMP       ln16

lndone:
	VZEROUPPER
	RET

// func layerNormGradRowAVX2(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool)
TEXT ·layerNormGradRowAVX2(SB), NOSPLIT, $0-113
	MOVQ         dx_base+0(FP), DI
	MOVQ         dx_len+8(FP), CX
	MOVQ         dy_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	MOVQ         g_base+72(FP), R8
	MOVBLZX      set+112(FP), R9
	VXORPS       Y11, Y11, Y11
	VBROADCASTSS m+96(FP), Y12
	VBROADCASTSS s+100(FP), Y13
	VBROADCASTSS meanG+104(FP), Y14
	VBROADCASTSS meanGX+108(FP), Y15

lng8:
	CMPQ    CX, $8
	JB      lngdone
	VMOVUPS (DX), Y0
	VMULPS  (R8), Y0, Y0 // dy·g
	VSUBPS  Y14, Y0, Y0  // - meanG
	VMOVUPS (SI), Y1
	VSUBPS  Y12, Y1, Y1  // x-m
	VMULPS  Y13, Y1, Y1  // ·s
	VMULPS  Y15, Y1, Y1  // ·meanGX
	VSUBPS  Y1, Y0, Y0
	VMULPS  Y13, Y0, Y0  // ·s
	VMOVAPS Y11, Y2      // set: dx = 0 + ...
	TESTQ   R9, R9
	JNZ     lngadd
	VMOVUPS (DI), Y2

lngadd:
	VADDPS  Y0, Y2, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     lng8

lngdone:
	VZEROUPPER
	RET

// func layerNormGradRowAVX512(dx, dy, x, g []float32, m, s, meanG, meanGX float32, set bool)
TEXT ·layerNormGradRowAVX512(SB), NOSPLIT, $0-113
	MOVQ         dx_base+0(FP), DI
	MOVQ         dx_len+8(FP), CX
	MOVQ         dy_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	MOVQ         g_base+72(FP), R8
	MOVBLZX      set+112(FP), R9
	VBROADCASTSS m+96(FP), Z12
	VBROADCASTSS s+100(FP), Z13
	VBROADCASTSS meanG+104(FP), Z14
	VBROADCASTSS meanGX+108(FP), Z15
	ALLONES

lng16:
	TAIL16(lngbody, lngdone)

lngbody:
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z (R8), K1, Z2
	VMOVUPS.Z (SI), K1, Z1
	VXORPS    Z3, Z3, Z3  // set: dx = 0 + ...
	TESTQ     R9, R9
	JNZ       lngcompute
	VMOVUPS.Z (DI), K1, Z3

lngcompute:
	VMULPS    Z2, Z0, Z0  // dy·g
	VSUBPS    Z14, Z0, Z0 // - meanG
	VSUBPS    Z12, Z1, Z1 // x-m
	VMULPS    Z13, Z1, Z1 // ·s
	VMULPS    Z15, Z1, Z1 // ·meanGX
	VSUBPS    Z1, Z0, Z0
	VMULPS    Z13, Z0, Z0 // ·s
	VADDPS    Z0, Z3, Z3
	VMOVUPS   Z3, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, DX
	ADDQ      $64, SI
	ADDQ      $64, R8
	SUBQ      $16, CX
	JMP       lng16

lngdone:
	VZEROUPPER
	RET

// func layerNormGainGradRowAVX2(dg, dy, x []float32, m, s float32)
TEXT ·layerNormGainGradRowAVX2(SB), NOSPLIT, $0-80
	MOVQ         dg_base+0(FP), DI
	MOVQ         dg_len+8(FP), CX
	MOVQ         dy_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	VBROADCASTSS m+72(FP), Y14
	VBROADCASTSS s+76(FP), Y15

lgg8:
	CMPQ    CX, $8
	JB      lggdone
	VMOVUPS (SI), Y0
	VSUBPS  Y14, Y0, Y0  // x-m
	VMULPS  (DX), Y0, Y0 // dy·(x-m)
	VMULPS  Y15, Y0, Y0  // ·s
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, DX
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     lgg8

lggdone:
	VZEROUPPER
	RET

// func layerNormGainGradRowAVX512(dg, dy, x []float32, m, s float32)
TEXT ·layerNormGainGradRowAVX512(SB), NOSPLIT, $0-80
	MOVQ         dg_base+0(FP), DI
	MOVQ         dg_len+8(FP), CX
	MOVQ         dy_base+24(FP), DX
	MOVQ         x_base+48(FP), SI
	VBROADCASTSS m+72(FP), Z14
	VBROADCASTSS s+76(FP), Z15
	ALLONES

lgg16:
	TAIL16(lggbody, lggdone)

lggbody:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VMOVUPS.Z (DI), K1, Z2
	VSUBPS    Z14, Z0, Z0 // x-m
	VMULPS    Z1, Z0, Z0  // dy·(x-m)
	VMULPS    Z15, Z0, Z0 // ·s
	VADDPS    Z0, Z2, Z2
	VMOVUPS   Z2, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, DX
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       lgg16

lggdone:
	VZEROUPPER
	RET

// func addAVX2(y, a, b []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX

sum8:
	CMPQ    CX, $8
	JB      sumdone
	VMOVUPS (SI), Y0
	VADDPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     sum8

sumdone:
	VZEROUPPER
	RET

// func addAVX512(y, a, b []float32)
TEXT ·addAVX512(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	ALLONES

sum64:
	CMPQ    CX, $64
	JB      sum16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VADDPS  (DX), Z0, Z0
	VADDPS  64(DX), Z1, Z1
	VADDPS  128(DX), Z2, Z2
	VADDPS  192(DX), Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, SI
	ADDQ    $256, DX
	SUBQ    $64, CX
	JMP     sum64

sum16:
	TAIL16(sumbody, sumdone)

sumbody:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VADDPS    Z1, Z0, Z0
	VMOVUPS   Z0, K1, (DI)
	ADDQ      $64, DI
	ADDQ      $64, SI
	ADDQ      $64, DX
	SUBQ      $16, CX
	JMP       sum16

sumdone:
	VZEROUPPER
	RET

// func sumSquaresAnyOrderAVX512(g []float32) float64
// Σ float64(g[i])² over a multiple of 32 elements, in 32 float64 partial sums (four
// registers of eight lanes) reduced at the end: an order of its own, not sumSquares's.
TEXT ·sumSquaresAnyOrderAVX512(SB), NOSPLIT, $0-32
	MOVQ   g_base+0(FP), SI
	MOVQ   g_len+8(FP), CX
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z2, Z2, Z2
	VXORPD Z3, Z3, Z3

anysq32:
	CMPQ        CX, $32
	JB          anysqdone
	VCVTPS2PD   (SI), Z4
	VCVTPS2PD   32(SI), Z5
	VCVTPS2PD   64(SI), Z6
	VCVTPS2PD   96(SI), Z7
	VFMADD231PD Z4, Z4, Z0 // the square is exact: one rounding, as a separate add
	VFMADD231PD Z5, Z5, Z1
	VFMADD231PD Z6, Z6, Z2
	VFMADD231PD Z7, Z7, Z3
	ADDQ        $128, SI
	SUBQ        $32, CX
	JMP         anysq32

anysqdone:
	VADDPD        Z1, Z0, Z0
	VADDPD        Z3, Z2, Z2
	VADDPD        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0
	VMOVSD        X0, ret+24(FP)
	VZEROUPPER
	RET

// func addRowsAVX512(x []float32, y []float32, stride, rows int)
// Adds x to rows r = 0..rows-1 of y, y[r*stride : r*stride+len(x)] (addTo row by row),
// a block of columns of x at a time, kept in registers while the rows go by.
TEXT ·addRowsAVX512(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ y_base+24(FP), DI
	MOVQ stride+48(FP), R8
	SHLQ $2, R8            // row stride in bytes
	MOVQ rows+56(FP), R9
	ALLONES

arcols64:
	CMPQ    CX, $64
	JB      arcols16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	MOVQ    DI, R10
	MOVQ    R9, R11

arrows64:
	VADDPS  (R10), Z0, Z4
	VADDPS  64(R10), Z1, Z5
	VADDPS  128(R10), Z2, Z6
	VADDPS  192(R10), Z3, Z7
	VMOVUPS Z4, (R10)
	VMOVUPS Z5, 64(R10)
	VMOVUPS Z6, 128(R10)
	VMOVUPS Z7, 192(R10)
	ADDQ    R8, R10
	DECQ    R11
	JNZ     arrows64
	ADDQ    $256, DI
	ADDQ    $256, SI
	SUBQ    $64, CX
	JMP     arcols64

arcols16:
	TAIL16(arbody, ardone)

arbody:
	VMOVUPS.Z (SI), K1, Z0
	MOVQ      DI, R10
	MOVQ      R9, R11

arrows16:
	VMOVUPS.Z (R10), K1, Z4
	VADDPS    Z0, Z4, Z4
	VMOVUPS   Z4, K1, (R10)
	ADDQ      R8, R10
	DECQ      R11
	JNZ       arrows16
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       arcols16

ardone:
	VZEROUPPER
	RET
