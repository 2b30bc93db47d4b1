//go:build amd64 && !purego

package nn

// expImplementations lists the portable code and, on CPUs that have AVX2 and FMA, the
// assembly routine.
func expImplementations() []expImpl {
	impls := []expImpl{{"portable", expSubGo}}
	if haveAVX2FMA {
		impls = append(impls, expImpl{"avx2", expSubAVX2})
	}
	return impls
}

// geluImplementations lists the portable GELU kernels and, on CPUs that have AVX2 and
// FMA, or AVX-512, the assembly ones.
func geluImplementations() []geluImpl {
	impls := []geluImpl{{"portable", geluForwardGo, geluBackwardGo}}
	if haveAVX2FMA {
		impls = append(impls, geluImpl{"avx2", geluForwardAVX2, geluBackwardAVX2})
	}
	if haveAVX512 {
		impls = append(impls, geluImpl{"avx512", geluForwardAVX512, geluBackwardAVX512})
	}
	return impls
}
