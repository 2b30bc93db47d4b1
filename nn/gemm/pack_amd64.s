//go:build amd64 && !purego

#include "textflag.h"

// The packing routines of the AVX-512 kernels: 64-byte moves (ZMM), no bounds checks; the
// Go wrappers in pack_amd64.go check the lengths.

// UNPACK4, SHUF4 and TRANSPOSE16 are those of col_avx512_amd64.s: TRANSPOSE16 transposes
// the 16 x 16 block in Z0..Z15 (row i in Zi) so that Zp holds column p; Z16..Z19 scratch.
#define UNPACK4(r0, r1, r2, r3) \
	VUNPCKLPS r1, r0, Z16;  \
	VUNPCKHPS r1, r0, Z17;  \
	VUNPCKLPS r3, r2, Z18;  \
	VUNPCKHPS r3, r2, Z19;  \
	VUNPCKLPD Z18, Z16, r0; \
	VUNPCKHPD Z18, Z16, r1; \
	VUNPCKLPD Z19, Z17, r2; \
	VUNPCKHPD Z19, Z17, r3

#define SHUF4(r0, r1, r2, r3) \
	VSHUFF32X4 $0x44, r1, r0, Z16;  \
	VSHUFF32X4 $0xEE, r1, r0, Z17;  \
	VSHUFF32X4 $0x44, r3, r2, Z18;  \
	VSHUFF32X4 $0xEE, r3, r2, Z19;  \
	VSHUFF32X4 $0x88, Z18, Z16, r0; \
	VSHUFF32X4 $0xDD, Z18, Z16, r1; \
	VSHUFF32X4 $0x88, Z19, Z17, r2; \
	VSHUFF32X4 $0xDD, Z19, Z17, r3

#define TRANSPOSE16 \
	UNPACK4(Z0, Z1, Z2, Z3);     \
	UNPACK4(Z4, Z5, Z6, Z7);     \
	UNPACK4(Z8, Z9, Z10, Z11);   \
	UNPACK4(Z12, Z13, Z14, Z15); \
	SHUF4(Z0, Z4, Z8, Z12);      \
	SHUF4(Z1, Z5, Z9, Z13);      \
	SHUF4(Z2, Z6, Z10, Z14);     \
	SHUF4(Z3, Z7, Z11, Z15)

#define LOAD4(base, r0, r1, r2, r3) \
	VMOVUPS (base), r0;       \
	VMOVUPS (base)(R8*1), r1; \
	VMOVUPS (base)(R8*2), r2; \
	VMOVUPS (base)(R9*1), r3

// func packTrans16AVX512(dst []float32, src []float32, ld, blocks int)
//
// For b < blocks, p < 16 and r < 16: dst[256*b+16*p+r] = src[r*ld+16*b+p]. Sixteen rows of
// src (ld values apart) become 16*blocks rows of 16 values: a 16-row panel of a row-major
// A, or a 16-column panel of B^T, packed for the kernel. Per block: sixteen 64-byte loads,
// the transpose in registers, sixteen 64-byte stores.
TEXT ·packTrans16AVX512(SB), NOSPLIT, $0-64
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ ld+48(FP), R8
	SHLQ $2, R8
	LEAQ (R8)(R8*2), R9
	MOVQ blocks+56(FP), CX
	TESTQ CX, CX
	JZ   done
	MOVQ SI, R10
	LEAQ (SI)(R8*4), R11
	LEAQ (R11)(R8*4), R12
	LEAQ (R12)(R8*4), R13

block:
	LOAD4(R10, Z0, Z1, Z2, Z3)
	LOAD4(R11, Z4, Z5, Z6, Z7)
	LOAD4(R12, Z8, Z9, Z10, Z11)
	LOAD4(R13, Z12, Z13, Z14, Z15)
	TRANSPOSE16
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VMOVUPS Z8, 512(DI)
	VMOVUPS Z9, 576(DI)
	VMOVUPS Z10, 640(DI)
	VMOVUPS Z11, 704(DI)
	VMOVUPS Z12, 768(DI)
	VMOVUPS Z13, 832(DI)
	VMOVUPS Z14, 896(DI)
	VMOVUPS Z15, 960(DI)
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	ADDQ $64, R13
	ADDQ $1024, DI
	DECQ CX
	JNZ  block

done:
	VZEROUPPER
	RET

// func copyPanels16AVX512(dst []float32, src []float32, ld, depth, panels int)
//
// For p < depth, q < panels and x < 16: dst[16*depth*q+16*p+x] = src[p*ld+16*q+x]: the
// full 16-wide panels of a row-major B, or of A^T for the 16-row panels of A. Four panels
// at a time, all of depth: 256 bytes of each source row, written to four sequential
// streams (one stream per panel of the whole width would touch a page per panel for
// every source row); then the panels left over one at a time.
TEXT ·copyPanels16AVX512(SB), NOSPLIT, $0-72
	MOVQ  dst_base+0(FP), DI
	MOVQ  src_base+24(FP), SI
	MOVQ  ld+48(FP), R8
	SHLQ  $2, R8
	MOVQ  depth+56(FP), DX
	MOVQ  DX, R9
	SHLQ  $6, R9 // bytes between panels of dst
	LEAQ  (R9)(R9*2), R13
	MOVQ  panels+64(FP), BX
	TESTQ DX, DX
	JZ    cdone
	MOVQ  BX, AX
	SHRQ  $2, AX
	JZ    ones

fours:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ DX, CX

four:
	VMOVUPS (R11), Z0
	VMOVUPS 64(R11), Z1
	VMOVUPS 128(R11), Z2
	VMOVUPS 192(R11), Z3
	VMOVUPS Z0, (R12)
	VMOVUPS Z1, (R12)(R9*1)
	VMOVUPS Z2, (R12)(R9*2)
	VMOVUPS Z3, (R12)(R13*1)
	ADDQ    R8, R11
	ADDQ    $64, R12
	DECQ    CX
	JNZ     four
	ADDQ    $256, SI
	LEAQ    (DI)(R9*4), DI
	DECQ    AX
	JNZ     fours

ones:
	ANDQ $3, BX
	JZ   cdone

onepanel:
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ DX, CX

one:
	VMOVUPS (R11), Z0
	VMOVUPS Z0, (R12)
	ADDQ    R8, R11
	ADDQ    $64, R12
	DECQ    CX
	JNZ     one
	ADDQ    $64, SI
	ADDQ    R9, DI
	DECQ    BX
	JNZ     onepanel

cdone:
	VZEROUPPER
	RET
