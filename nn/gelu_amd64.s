//go:build amd64 && !purego

#include "textflag.h"
#include "exp_amd64.h"

// GELU's constants (see activation.go), each stored eight times.
BCAST(geluk<>, 0, $0xbfcc422a)   // k1 = -2√(2/π)
BCAST(geluk<>, 32, $0xbd922279)  // k2 = -2√(2/π)·0.044715
BCAST(geluk<>, 64, $0x3fcc422a)  // b1 = 2√(2/π)
BCAST(geluk<>, 96, $0x3e5b33b6)  // b2 = 6√(2/π)·0.044715
BCAST(geluk<>, 128, $0x49742400) // cap on x² in backward: 1e6
GLOBL geluk<>(SB), RODATA|NOPTR, $160

// GELU8 computes, from the eight x of Y10, Y0 = gelu(x) = x·s and Y11 = s = σ(2u) =
// 1/(1 + e^{-2u}), with -2u = x(k1 + k2·x²). It uses Y1-Y6.
#define GELU8 \
	VMULPS      Y10, Y10, Y0           \ // x²
	VMOVUPS     geluk<>+32(SB), Y11    \
	VFMADD213PS geluk<>+0(SB), Y0, Y11 \ // k1 + k2·x²
	VMULPS      Y11, Y10, Y0           \ // -2u
	EXP8                               \ // e^{-2u}
	VADDPS      expk<>+288(SB), Y0, Y0 \ // 1 + e^{-2u}
	VMOVUPS     expk<>+288(SB), Y11    \
	VDIVPS      Y0, Y11, Y11           \ // s
	VMULPS      Y11, Y10, Y0             // x·s

// GELUDERIV8 computes the derivative d = s + x·s(1-s)(b1 + b2·min(x², 1e6)) into Y4,
// from x in Y10 and s in Y11. It uses Y2, Y3 and Y15 = 1. Forward keeps d for backward,
// which then only multiplies.
#define GELUDERIV8 \
	VMULPS      Y10, Y10, Y2            \ // x²
	VMINPS      geluk<>+128(SB), Y2, Y2 \ // capped
	VMOVUPS     geluk<>+96(SB), Y3      \
	VFMADD213PS geluk<>+64(SB), Y2, Y3  \ // b1 + b2·x²
	VSUBPS      Y11, Y15, Y4            \ // 1 - s
	VMULPS      Y11, Y4, Y4             \ // s(1-s)
	VMULPS      Y10, Y4, Y4             \ // x·s(1-s)
	VFMADD213PS Y11, Y3, Y4               // d

// TAILMASK sets Y8 to a mask of the first CX lanes (CX < 8); it uses Y7.
#define TAILMASK \
	VMOVD        CX, X7                 \
	VPBROADCASTD X7, Y7                 \
	VMOVDQU      expk<>+448(SB), Y8     \
	VPCMPGTD     Y8, Y7, Y8

// func geluForwardAVX2(y, gates, x []float32)
// gates, when not empty, gets GELU's derivative d at each x (GELUDERIV8).
TEXT ·geluForwardAVX2(SB), NOSPLIT, $0-72
	MOVQ    y_base+0(FP), DI
	MOVQ    y_len+8(FP), CX
	MOVQ    gates_base+24(FP), R8
	MOVQ    gates_len+32(FP), R9 // 0: no derivatives to keep
	MOVQ    x_base+48(FP), SI
	VMOVUPS expk<>+288(SB), Y15 // 1

fwd8:
	CMPQ    CX, $8
	JB      fwdtail
	VMOVUPS (SI), Y10
	GELU8
	VMOVUPS Y0, (DI)
	TESTQ   R9, R9
	JZ      fwdnext
	GELUDERIV8
	VMOVUPS Y4, (R8)
	ADDQ    $32, R8

fwdnext:
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  fwd8

fwdtail:
	TESTQ      CX, CX
	JZ         fwddone
	TAILMASK
	VMASKMOVPS (SI), Y8, Y10
	GELU8
	VMASKMOVPS Y0, Y8, (DI)
	TESTQ      R9, R9
	JZ         fwddone
	GELUDERIV8
	VMASKMOVPS Y4, Y8, (R8)

fwddone:
	VZEROUPPER
	RET

// func geluBackwardAVX2(dx, dy, deriv []float32, set bool)
// dx += dy·d (dx taken as 0 with set), with the derivatives forward kept.
TEXT ·geluBackwardAVX2(SB), NOSPLIT, $0-73
	MOVQ    dx_base+0(FP), DI
	MOVQ    dx_len+8(FP), CX
	MOVQ    dy_base+24(FP), DX
	MOVQ    deriv_base+48(FP), R8
	MOVBLZX set+72(FP), R9

bwd8:
	CMPQ        CX, $8
	JB          bwdtail
	VMOVUPS     (R8), Y4
	VMOVUPS     (DX), Y5
	VXORPS      Y6, Y6, Y6
	TESTQ       R9, R9
	JNZ         bwd8set
	VMOVUPS     (DI), Y6

bwd8set:
	VFMADD231PS Y4, Y5, Y6 // dx + dy·d
	VMOVUPS     Y6, (DI)
	ADDQ        $32, R8
	ADDQ        $32, DX
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         bwd8

bwdtail:
	TESTQ       CX, CX
	JZ          bwddone
	TAILMASK
	VMASKMOVPS  (R8), Y8, Y4
	VMASKMOVPS  (DX), Y8, Y5
	VXORPS      Y6, Y6, Y6
	TESTQ       R9, R9
	JNZ         bwdtailset
	VMASKMOVPS  (DI), Y8, Y6

bwdtailset:
	VFMADD231PS Y4, Y5, Y6
	VMASKMOVPS  Y6, Y8, (DI)

bwddone:
	VZEROUPPER
	RET

// The AVX-512 kernels below compute every lane with the instructions of GELU8, EXP8 and
// GELUDERIV8 on zmm registers, so their results are the AVX2 kernels' bit for bit; the
// constants stay in Z16-Z31 and the last, partial block runs under the mask K1.

// GELUCONST16 loads the forward constants into Z16-Z31: the exponential's (EXPCONST16,
// exp_amd64.h) and GELU's k1, k2.
#define GELUCONST16 \
	EXPCONST16                       \
	VBROADCASTSS geluk<>+0(SB), Z30  \ // k1
	VBROADCASTSS geluk<>+32(SB), Z31   // k2

// GELU16 is GELU8 on the sixteen x of Z10: Z0 = gelu(x), Z11 = s.
#define GELU16 \
	VMULPS      Z10, Z10, Z0 \ // x²
	VMOVAPS     Z31, Z11     \
	VFMADD213PS Z30, Z0, Z11 \ // k1 + k2·x²
	VMULPS      Z11, Z10, Z0 \ // -2u
	EXP16                    \
	VADDPS      Z25, Z0, Z0  \ // 1 + e^{-2u}
	VDIVPS      Z0, Z25, Z11 \ // s
	VMULPS      Z11, Z10, Z0   // x·s

// func geluForwardAVX512(y, gates, x []float32)
TEXT ·geluForwardAVX512(SB), NOSPLIT, $0-72
	MOVQ  y_base+0(FP), DI
	MOVQ  y_len+8(FP), CX
	MOVQ  gates_base+24(FP), R8
	MOVQ  gates_len+32(FP), R9 // 0: no gates to keep
	MOVQ  x_base+48(FP), SI
	GELUCONST16
	VBROADCASTSS geluk<>+64(SB), Z12  // b1
	VBROADCASTSS geluk<>+96(SB), Z13  // b2
	VBROADCASTSS geluk<>+128(SB), Z14 // cap on x²
	MOVQ  $0xffff, AX
	KMOVW AX, K1

// Two blocks of 16 at a time, their instructions interleaved (the second block's in
// Z5-Z9, Z13, Z15 and K5-K7), so that the two exponentials' chains of dependent
// instructions overlap; every lane gets the same instructions as in GELU16.
fwd32:
	CMPQ    CX, $32
	JB      fwd32done
	VMOVUPS (SI), Z10
	VMOVUPS 64(SI), Z15
	VMULPS      Z10, Z10, Z0
	VMULPS      Z15, Z15, Z5
	VMOVAPS     Z31, Z11
	VMOVAPS     Z31, Z13
	VFMADD213PS Z30, Z0, Z11
	VFMADD213PS Z30, Z5, Z13
	VMULPS      Z11, Z10, Z0
	VMULPS      Z13, Z15, Z5
	VMULPS       Z16, Z0, Z1
	VMULPS       Z16, Z5, Z6
	VRNDSCALEPS  $0, Z1, Z1
	VRNDSCALEPS  $0, Z6, Z6
	VMOVAPS      Z0, Z2
	VMOVAPS      Z5, Z7
	VFNMADD231PS Z17, Z1, Z2
	VFNMADD231PS Z17, Z6, Z7
	VFNMADD231PS Z18, Z1, Z2
	VFNMADD231PS Z18, Z6, Z7
	VMOVAPS      Z19, Z3
	VMOVAPS      Z19, Z8
	VFMADD213PS  Z20, Z2, Z3
	VFMADD213PS  Z20, Z7, Z8
	VFMADD213PS  Z21, Z2, Z3
	VFMADD213PS  Z21, Z7, Z8
	VFMADD213PS  Z22, Z2, Z3
	VFMADD213PS  Z22, Z7, Z8
	VFMADD213PS  Z23, Z2, Z3
	VFMADD213PS  Z23, Z7, Z8
	VFMADD213PS  Z24, Z2, Z3
	VFMADD213PS  Z24, Z7, Z8
	VFMADD213PS  Z25, Z2, Z3
	VFMADD213PS  Z25, Z7, Z8
	VFMADD213PS  Z25, Z2, Z3
	VFMADD213PS  Z25, Z7, Z8
	VCVTPS2DQ    Z1, Z1
	VCVTPS2DQ    Z6, Z6
	VPSRAD       $1, Z1, Z4
	VPSRAD       $1, Z6, Z9
	VPSUBD       Z4, Z1, Z1
	VPSUBD       Z9, Z6, Z6
	VPADDD       Z26, Z4, Z4
	VPADDD       Z26, Z9, Z9
	VPADDD       Z26, Z1, Z1
	VPADDD       Z26, Z6, Z6
	VPSLLD       $23, Z4, Z4
	VPSLLD       $23, Z9, Z9
	VPSLLD       $23, Z1, Z1
	VPSLLD       $23, Z6, Z6
	VMULPS       Z4, Z3, Z3
	VMULPS       Z9, Z8, Z8
	VMULPS       Z1, Z3, Z3
	VMULPS       Z6, Z8, Z8
	VCMPPS       $0x1e, Z27, Z0, K2
	VCMPPS       $0x1e, Z27, Z5, K5
	VMOVAPS      Z29, K2, Z3
	VMOVAPS      Z29, K5, Z8
	VCMPPS       $0x11, Z28, Z0, K3
	VCMPPS       $0x11, Z28, Z5, K6
	KNOTW        K3, K4
	KNOTW        K6, K7
	VMOVAPS.Z    Z3, K4, Z0
	VMOVAPS.Z    Z8, K7, Z5
	VADDPS      Z25, Z0, Z0
	VADDPS      Z25, Z5, Z5
	VDIVPS      Z0, Z25, Z11
	VDIVPS      Z5, Z25, Z13
	VMULPS      Z11, Z10, Z0
	VMULPS      Z13, Z15, Z5
	VMOVUPS Z0, (DI)
	VMOVUPS Z5, 64(DI)
	TESTQ   R9, R9
	JZ      fwd32next
	VMULPS      Z10, Z10, Z2
	VMULPS      Z15, Z15, Z7
	VMINPS.BCST geluk<>+128(SB), Z2, Z2
	VMINPS.BCST geluk<>+128(SB), Z7, Z7
	VBROADCASTSS geluk<>+96(SB), Z3
	VBROADCASTSS geluk<>+96(SB), Z8
	VFMADD213PS.BCST geluk<>+64(SB), Z2, Z3
	VFMADD213PS.BCST geluk<>+64(SB), Z7, Z8
	VSUBPS      Z11, Z25, Z4
	VSUBPS      Z13, Z25, Z9
	VMULPS      Z11, Z4, Z4
	VMULPS      Z13, Z9, Z9
	VMULPS      Z10, Z4, Z4
	VMULPS      Z15, Z9, Z9
	VFMADD213PS Z11, Z3, Z4
	VFMADD213PS Z13, Z8, Z9
	VMOVUPS Z4, (R8)
	VMOVUPS Z9, 64(R8)
	ADDQ    $128, R8

fwd32next:
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  fwd32

fwd32done:
	VBROADCASTSS geluk<>+96(SB), Z13 // b2 again (the pairs' second s was there)

fwd16:
	CMPQ  CX, $16
	JAE   fwdbody
	TESTQ CX, CX
	JZ    fwd16done
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1
	MOVQ  $16, CX

fwdbody:
	VMOVUPS.Z   (SI), K1, Z10
	GELU16
	VMOVUPS     Z0, K1, (DI)
	TESTQ       R9, R9
	JZ          fwd16next
	VMULPS      Z10, Z10, Z2 // the derivative d, as GELUDERIV8
	VMINPS      Z14, Z2, Z2  // capped x²
	VMOVAPS     Z13, Z3
	VFMADD213PS Z12, Z2, Z3  // b1 + b2·x²
	VSUBPS      Z11, Z25, Z4 // 1 - s
	VMULPS      Z11, Z4, Z4  // s(1-s)
	VMULPS      Z10, Z4, Z4  // x·s(1-s)
	VFMADD213PS Z11, Z3, Z4  // d
	VMOVUPS     Z4, K1, (R8)
	ADDQ        $64, R8

fwd16next:
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  fwd16

fwd16done:
	VZEROUPPER
	RET

// func geluBackwardAVX512(dx, dy, deriv []float32, set bool)
TEXT ·geluBackwardAVX512(SB), NOSPLIT, $0-73
	MOVQ    dx_base+0(FP), DI
	MOVQ    dx_len+8(FP), CX
	MOVQ    dy_base+24(FP), DX
	MOVQ    deriv_base+48(FP), R8
	MOVBLZX set+72(FP), R9 // dx taken as 0, not read
	MOVQ    $0xffff, AX
	KMOVW   AX, K1

bwd16:
	CMPQ  CX, $16
	JAE   bwdbody
	TESTQ CX, CX
	JZ    bwd16done
	MOVQ  $1, AX
	SHLQ  CX, AX
	DECQ  AX
	KMOVW AX, K1
	MOVQ  $16, CX

bwdbody:
	VMOVUPS.Z   (R8), K1, Z4 // d
	VMOVUPS.Z   (DX), K1, Z5 // dy
	VXORPS      Z6, Z6, Z6
	TESTQ       R9, R9
	JNZ         bwdcompute
	VMOVUPS.Z   (DI), K1, Z6 // dx

bwdcompute:
	VFMADD231PS Z4, Z5, Z6 // dx + dy·d
	VMOVUPS     Z6, K1, (DI)
	ADDQ        $64, R8
	ADDQ        $64, DX
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         bwd16

bwd16done:
	VZEROUPPER
	RET
