//go:build amd64 && !purego

#include "textflag.h"
#include "exp_amd64.h"

// func expSubAVX2(dst, src []float32, shift float32) float32
TEXT ·expSubAVX2(SB), NOSPLIT, $0-60
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         src_base+24(FP), SI
	VBROADCASTSS shift+48(FP), Y15
	VXORPS       Y14, Y14, Y14 // eight partial sums

loop8:
	CMPQ    CX, $8
	JB      tail
	VMOVUPS (SI), Y0
	VSUBPS  Y15, Y0, Y0
	EXP8
	VMOVUPS Y0, (DI)
	VADDPS  Y0, Y14, Y14
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     loop8

tail:
	TESTQ        CX, CX
	JZ           reduce
	VMOVD        CX, X7
	VPBROADCASTD X7, Y7
	VMOVDQU      expk<>+448(SB), Y8
	VPCMPGTD     Y8, Y7, Y8 // lane < CX
	VMASKMOVPS   (SI), Y8, Y0
	VSUBPS       Y15, Y0, Y0
	EXP8
	VMASKMOVPS   Y0, Y8, (DI)
	VANDPS       Y8, Y0, Y0
	VADDPS       Y0, Y14, Y14

reduce:
	VEXTRACTF128 $1, Y14, X1
	VADDPS       X1, X14, X0 // lane i + lane i+4
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0  // (0+4)+(2+6), (1+5)+(3+7)
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0
	VMOVSS       X0, ret+56(FP)
	VZEROUPPER
	RET
