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

// GELUGRAD8 adds dy·d to the eight dx of Y6, with x in Y0, s in Y1, dy in Y5 and
// d = s + x·s(1-s)(b1 + b2·min(x², 1e6)). It uses Y2-Y4 and Y15 = 1.
#define GELUGRAD8 \
	VMULPS      Y0, Y0, Y2              \ // x²
	VMINPS      geluk<>+128(SB), Y2, Y2 \ // capped
	VMOVUPS     geluk<>+96(SB), Y3      \
	VFMADD213PS geluk<>+64(SB), Y2, Y3  \ // b1 + b2·x²
	VSUBPS      Y1, Y15, Y4             \ // 1 - s
	VMULPS      Y1, Y4, Y4              \ // s(1-s)
	VMULPS      Y0, Y4, Y4              \ // x·s(1-s)
	VFMADD213PS Y1, Y3, Y4              \ // d
	VFMADD231PS Y4, Y5, Y6                // dx + dy·d

// TAILMASK sets Y8 to a mask of the first CX lanes (CX < 8); it uses Y7.
#define TAILMASK \
	VMOVD        CX, X7                 \
	VPBROADCASTD X7, Y7                 \
	VMOVDQU      expk<>+448(SB), Y8     \
	VPCMPGTD     Y8, Y7, Y8

// func geluForwardAVX2(y, gates, x []float32)
TEXT ·geluForwardAVX2(SB), NOSPLIT, $0-72
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), CX
	MOVQ gates_base+24(FP), R8
	MOVQ gates_len+32(FP), R9 // 0: no gates to keep
	MOVQ x_base+48(FP), SI

fwd8:
	CMPQ    CX, $8
	JB      fwdtail
	VMOVUPS (SI), Y10
	GELU8
	VMOVUPS Y0, (DI)
	TESTQ   R9, R9
	JZ      fwdnext
	VMOVUPS Y11, (R8)
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
	VMASKMOVPS Y11, Y8, (R8)

fwddone:
	VZEROUPPER
	RET

// func geluBackwardAVX2(dx, dy, x, gates []float32)
TEXT ·geluBackwardAVX2(SB), NOSPLIT, $0-96
	MOVQ    dx_base+0(FP), DI
	MOVQ    dx_len+8(FP), CX
	MOVQ    dy_base+24(FP), DX
	MOVQ    x_base+48(FP), SI
	MOVQ    gates_base+72(FP), R8
	VMOVUPS expk<>+288(SB), Y15 // 1

bwd8:
	CMPQ    CX, $8
	JB      bwdtail
	VMOVUPS (SI), Y0
	VMOVUPS (R8), Y1
	VMOVUPS (DX), Y5
	VMOVUPS (DI), Y6
	GELUGRAD8
	VMOVUPS Y6, (DI)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     bwd8

bwdtail:
	TESTQ      CX, CX
	JZ         bwddone
	TAILMASK
	VMASKMOVPS (SI), Y8, Y0
	VMASKMOVPS (R8), Y8, Y1
	VMASKMOVPS (DX), Y8, Y5
	VMASKMOVPS (DI), Y8, Y6
	GELUGRAD8
	VMASKMOVPS Y6, Y8, (DI)

bwddone:
	VZEROUPPER
	RET
