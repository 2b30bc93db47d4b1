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

// ROWMASK16 sets K1 to the lanes of the next block of a row (CX elements left): all 16,
// or, for the last, partial block, the first CX, after which CX is 16. It jumps to done
// when nothing is left.
#define ROWMASK16(body, done) \
	CMPQ  CX, $16 \
	JAE   body    \
	TESTQ CX, CX  \
	JZ    done    \
	MOVQ  $1, AX  \
	SHLQ  CX, AX  \
	DECQ  AX      \
	KMOVW AX, K1  \
	MOVQ  $16, CX

// HIDE16 sets the lanes of Z0 whose padding byte (at DX, R9 ≠ 0 when there is padding)
// is true to -Inf (Z5) and advances DX, then continues at label next; it uses Z1 and K5.
#define HIDE16(next) \
	TESTQ       R9, R9        \
	JZ          next          \
	VPMOVZXBD.Z (DX), K1, Z1  \
	VPTESTMD    Z1, Z1, K5    \
	VMOVAPS     Z5, K5, Z0    \
	ADDQ        $16, DX

// func softmaxVisibleAVX512(row []float32, padding []bool)
//
// softmaxVisible (attention.go) in one pass per step, 16 lanes at a time: the maximum
// over the keys padding does not hide (NaN ignored, as the Go loop's v > mx does), then
// e = exp(x - max) with EXP16 (EXP8's results), summed in eight lanes by index mod 8
// (the lower half of a block, then the upper) and reduced as expSubAVX2 does, then
// row·(1/sum). A row that sees nothing is cleared.
TEXT ·softmaxVisibleAVX512(SB), NOSPLIT, $0-48
	MOVQ         row_base+0(FP), DI
	MOVQ         row_len+8(FP), BX
	MOVQ         padding_base+24(FP), R8
	MOVQ         padding_len+32(FP), R9 // 0: nothing hidden
	MOVL         $0xff800000, AX
	VPBROADCASTD AX, Z5                 // -Inf
	VMOVAPS      Z5, Z6                 // running maximum

	MOVQ  DI, SI
	MOVQ  R8, DX
	MOVQ  BX, CX
	MOVQ  $0xffff, AX
	KMOVW AX, K1

smmax:
	ROWMASK16(smmaxbody, smmaxdone)

smmaxbody:
	VMOVAPS Z5, Z0
	VMOVUPS (SI), K1, Z0 // lanes past the row stay -Inf
	HIDE16(smmaxvisible)

smmaxvisible:
	VMAXPS  Z6, Z0, Z6   // x > max ? x : max (max when x is NaN)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     smmax

smmaxdone:
	VEXTRACTF64X4 $1, Z6, Y0
	VMAXPS        Y0, Y6, Y6
	VEXTRACTF128  $1, Y6, X0
	VMAXPS        X0, X6, X6
	VPERMILPS     $0x4e, X6, X0
	VMAXPS        X0, X6, X6
	VPERMILPS     $0xb1, X6, X0
	VMAXPS        X0, X6, X6 // every lane: the maximum
	VUCOMISS      X5, X6
	JEQ           smclear    // nothing visible

	VBROADCASTSS X6, Z7 // shift
	EXPCONST16
	VXORPS       Y8, Y8, Y8 // eight partial sums
	MOVQ         DI, SI
	MOVQ         R8, DX
	MOVQ         BX, CX
	MOVQ         $0xffff, AX
	KMOVW        AX, K1

smexp:
	ROWMASK16(smexpbody, smexpdone)

smexpbody:
	VMOVUPS.Z     (SI), K1, Z0
	HIDE16(smexpvisible)

smexpvisible:
	VSUBPS        Z7, Z0, Z0
	EXP16
	VMOVAPS.Z     Z0, K1, Z0   // lanes past the row add 0
	VMOVUPS       Z0, K1, (SI)
	VADDPS        Y0, Y8, Y8   // elements 16i..16i+7
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y8, Y8   // elements 16i+8..16i+15
	ADDQ          $64, SI
	SUBQ          $16, CX
	JMP           smexp

smexpdone:
	VEXTRACTF128 $1, Y8, X1
	VADDPS       X1, X8, X0 // lane i + lane i+4
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0 // (0+4)+(2+6), (1+5)+(3+7)
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0 // the sum
	MOVL         $0x3f800000, AX
	VMOVD        AX, X1
	VDIVSS       X0, X1, X1 // 1/sum
	VBROADCASTSS X1, Z1
	MOVQ         DI, SI
	MOVQ         BX, CX
	MOVQ         $0xffff, AX
	KMOVW        AX, K1

smscale:
	ROWMASK16(smscalebody, smdone)

smscalebody:
	VMOVUPS.Z (SI), K1, Z0
	VMULPS    Z0, Z1, Z0
	VMOVUPS   Z0, K1, (SI)
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       smscale

smclear:
	VXORPS Z0, Z0, Z0
	MOVQ   DI, SI
	MOVQ   BX, CX
	MOVQ   $0xffff, AX
	KMOVW  AX, K1

smclear16:
	ROWMASK16(smclearbody, smdone)

smclearbody:
	VMOVUPS Z0, K1, (SI)
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     smclear16

smdone:
	VZEROUPPER
	RET
