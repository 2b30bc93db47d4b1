//go:build openblas && cgo

package gemm

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkGemmOpenBLAS measures the system OpenBLAS (cblas_sgemm) on the cases of
// BenchmarkGemm, with OpenBLAS's default thread count (one per core).
func BenchmarkGemmOpenBLAS(b *testing.B) {
	runBench(b, func(o operands) { openBLASSgemm(o.problem()) })
}

// sliceCPU is how much process CPU time BenchmarkGemmVsOpenBLAS gives one implementation
// before it switches to the other.
const sliceCPU = 20 * time.Millisecond

// BenchmarkGemmVsOpenBLAS compares this package's GEMM (the kernel products use, with
// GOMAXPROCS threads) with OpenBLAS on the cases of BenchmarkGemm, switching between the
// two after every sliceCPU of process CPU time in one process: on a machine shared with
// other jobs the load changes over seconds, and two products timed in alternate slices
// of milliseconds see the same load. An iteration of the benchmark loop is one round, a
// slice of each; the benchmark reports the median over the rounds of OpenBLAS's CPU time
// per product over this package's ("x-OpenBLAS": above 1 where this package is faster)
// and of each one's GFLOPS-per-CPU. -benchtime Nx runs N rounds.
func BenchmarkGemmVsOpenBLAS(b *testing.B) {
	pool := NewPool(runtime.GOMAXPROCS(0))
	defer pool.Close()
	b.Logf("kernel %s, %d threads", pool.Kernel(), pool.Threads())
	for _, bc := range benchCases() {
		b.Run(bc.String(), func(b *testing.B) {
			o := benchOperands(bc)
			ours := func() {
				pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b,
					o.ldb, o.beta, o.c, o.ldc)
			}
			blas := func() { openBLASSgemm(o.problem()) }
			ours() // warm up: packing buffers, OpenBLAS's threads, pages of C
			blas()
			flops := 2 * float64(bc.m) * float64(bc.n) * float64(bc.k)
			var ratio, oursGF, blasGF []float64
			for b.Loop() {
				tOurs, okOurs := cpuPerCall(ours)
				tBLAS, okBLAS := cpuPerCall(blas)
				if !okOurs || !okBLAS {
					b.Skip("process CPU time unavailable")
				}
				ratio = append(ratio, tBLAS/tOurs)
				oursGF = append(oursGF, flops/tOurs/1e9)
				blasGF = append(blasGF, flops/tBLAS/1e9)
			}
			b.ReportMetric(median(ratio), "x-OpenBLAS")
			b.ReportMetric(median(oursGF), "GFLOPS-per-CPU")
			b.ReportMetric(median(blasGF), "OpenBLAS-GFLOPS-per-CPU")
		})
	}
}

// cpuPerCall calls fn until it has used sliceCPU of process CPU time and returns the CPU
// seconds per call.
func cpuPerCall(fn func()) (float64, bool) {
	t0, ok := processCPUTime()
	if !ok {
		return 0, false
	}
	calls := 0
	for {
		fn()
		calls++
		if t, _ := processCPUTime(); t-t0 >= sliceCPU {
			return (t - t0).Seconds() / float64(calls), true
		}
	}
}

// median returns the median of x (the mean of the middle two for an even count).
func median(x []float64) float64 {
	s := slices.Sorted(slices.Values(x))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
