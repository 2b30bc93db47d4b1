// Constants and the EXP8 (AVX2) and EXP16 (AVX-512) macros of the vector exponential, for
// the assembly files that include this one. The constants are file-local (<>): each including file has its copy.

// Each constant is stored eight times (32 bytes), so that instructions read it as a
// memory operand. See exp.go for the method.
#define BCAST(name, off, v) \
	DATA name+(off+0)(SB)/4, v; \
	DATA name+(off+4)(SB)/4, v; \
	DATA name+(off+8)(SB)/4, v; \
	DATA name+(off+12)(SB)/4, v; \
	DATA name+(off+16)(SB)/4, v; \
	DATA name+(off+20)(SB)/4, v; \
	DATA name+(off+24)(SB)/4, v; \
	DATA name+(off+28)(SB)/4, v

BCAST(expk<>, 0, $0x3fb8aa3b)   // log2(e)
BCAST(expk<>, 32, $0x3f317200)  // ln2Hi
BCAST(expk<>, 64, $0x35bfbe8e)  // ln2Lo
BCAST(expk<>, 96, $0x39500d01)  // 1/7!
BCAST(expk<>, 128, $0x3ab60b61) // 1/6!
BCAST(expk<>, 160, $0x3c088889) // 1/5!
BCAST(expk<>, 192, $0x3d2aaaab) // 1/4!
BCAST(expk<>, 224, $0x3e2aaaab) // 1/3!
BCAST(expk<>, 256, $0x3f000000) // 1/2
BCAST(expk<>, 288, $0x3f800000) // 1
BCAST(expk<>, 320, $127)        // exponent bias (int32)
BCAST(expk<>, 352, $0x42b17217) // expMax
BCAST(expk<>, 384, $0xc2aeac4f) // expMin
BCAST(expk<>, 416, $0x7f800000) // +Inf
DATA expk<>+448(SB)/4, $0       // lane numbers 0..7, for the tail mask
DATA expk<>+452(SB)/4, $1
DATA expk<>+456(SB)/4, $2
DATA expk<>+460(SB)/4, $3
DATA expk<>+464(SB)/4, $4
DATA expk<>+468(SB)/4, $5
DATA expk<>+472(SB)/4, $6
DATA expk<>+476(SB)/4, $7
GLOBL expk<>(SB), RODATA|NOPTR, $480

// EXP8 replaces the eight floats of Y0 by their exponentials; it uses Y1-Y6.
#define EXP8 \
	VMULPS       expk<>+0(SB), Y0, Y1   \ // t = x·log2e
	VROUNDPS     $0, Y1, Y1             \ // k = round to nearest even
	VMOVAPS      Y0, Y2                 \
	VFNMADD231PS expk<>+32(SB), Y1, Y2  \ // r = x - k·ln2Hi (exact product)
	VFNMADD231PS expk<>+64(SB), Y1, Y2  \ // r -= k·ln2Lo
	VMOVUPS      expk<>+96(SB), Y3      \ // p = 1/7!
	VFMADD213PS  expk<>+128(SB), Y2, Y3 \ // p = p·r + 1/6!
	VFMADD213PS  expk<>+160(SB), Y2, Y3 \ // ... 1/5!
	VFMADD213PS  expk<>+192(SB), Y2, Y3 \ // ... 1/4!
	VFMADD213PS  expk<>+224(SB), Y2, Y3 \ // ... 1/3!
	VFMADD213PS  expk<>+256(SB), Y2, Y3 \ // ... 1/2
	VFMADD213PS  expk<>+288(SB), Y2, Y3 \ // ... 1
	VFMADD213PS  expk<>+288(SB), Y2, Y3 \ // ... 1: p = e^r
	VCVTPS2DQ    Y1, Y1                 \ // k as int32 (exact: k is integral)
	VPSRAD       $1, Y1, Y4             \ // k1 = k>>1
	VPSUBD       Y4, Y1, Y1             \ // k2 = k - k1
	VPADDD       expk<>+320(SB), Y4, Y4 \
	VPADDD       expk<>+320(SB), Y1, Y1 \
	VPSLLD       $23, Y4, Y4            \ // 2^k1
	VPSLLD       $23, Y1, Y1            \ // 2^k2
	VMULPS       Y4, Y3, Y3             \
	VMULPS       Y1, Y3, Y3             \ // p·2^k1·2^k2
	VCMPPS       $0x1e, expk<>+352(SB), Y0, Y5 \ // x > expMax (ordered: false for NaN)
	VBLENDVPS    Y5, expk<>+416(SB), Y3, Y3    \ // -> +Inf
	VCMPPS       $0x11, expk<>+384(SB), Y0, Y6 \ // x < expMin (ordered)
	VANDNPS      Y3, Y6, Y0                      // -> 0; result in Y0

// EXPCONST16 loads the exponential's constants into Z16-Z29, for EXP16.
#define EXPCONST16 \
	VBROADCASTSS expk<>+0(SB), Z16   \ // log2e
	VBROADCASTSS expk<>+32(SB), Z17  \ // ln2Hi
	VBROADCASTSS expk<>+64(SB), Z18  \ // ln2Lo
	VBROADCASTSS expk<>+96(SB), Z19  \ // 1/7!
	VBROADCASTSS expk<>+128(SB), Z20 \ // 1/6!
	VBROADCASTSS expk<>+160(SB), Z21 \ // 1/5!
	VBROADCASTSS expk<>+192(SB), Z22 \ // 1/4!
	VBROADCASTSS expk<>+224(SB), Z23 \ // 1/3!
	VBROADCASTSS expk<>+256(SB), Z24 \ // 1/2
	VBROADCASTSS expk<>+288(SB), Z25 \ // 1
	VBROADCASTSS expk<>+320(SB), Z26 \ // 127
	VBROADCASTSS expk<>+352(SB), Z27 \ // expMax
	VBROADCASTSS expk<>+384(SB), Z28 \ // expMin
	VBROADCASTSS expk<>+416(SB), Z29   // +Inf

// EXP16 is EXP8 on the sixteen floats of Z0; it uses Z1-Z4 and K2-K4.
#define EXP16 \
	VMULPS       Z16, Z0, Z1  \ // t = x·log2e
	VRNDSCALEPS  $0, Z1, Z1   \ // k = round to nearest even (as VROUNDPS $0)
	VMOVAPS      Z0, Z2       \
	VFNMADD231PS Z17, Z1, Z2  \ // r = x - k·ln2Hi
	VFNMADD231PS Z18, Z1, Z2  \ // r -= k·ln2Lo
	VMOVAPS      Z19, Z3      \
	VFMADD213PS  Z20, Z2, Z3  \
	VFMADD213PS  Z21, Z2, Z3  \
	VFMADD213PS  Z22, Z2, Z3  \
	VFMADD213PS  Z23, Z2, Z3  \
	VFMADD213PS  Z24, Z2, Z3  \
	VFMADD213PS  Z25, Z2, Z3  \
	VFMADD213PS  Z25, Z2, Z3  \ // p = e^r
	VCVTPS2DQ    Z1, Z1       \
	VPSRAD       $1, Z1, Z4   \ // k1 = k>>1
	VPSUBD       Z4, Z1, Z1   \ // k2 = k - k1
	VPADDD       Z26, Z4, Z4  \
	VPADDD       Z26, Z1, Z1  \
	VPSLLD       $23, Z4, Z4  \
	VPSLLD       $23, Z1, Z1  \
	VMULPS       Z4, Z3, Z3   \
	VMULPS       Z1, Z3, Z3   \ // p·2^k1·2^k2
	VCMPPS       $0x1e, Z27, Z0, K2 \ // x > expMax (ordered)
	VMOVAPS      Z29, K2, Z3  \ // -> +Inf
	VCMPPS       $0x11, Z28, Z0, K3 \ // x < expMin (ordered)
	KNOTW        K3, K4       \
	VMOVAPS.Z    Z3, K4, Z0     // -> 0; result in Z0
