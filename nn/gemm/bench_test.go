package gemm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// benchCase is one benchmarked product; names follow <case>_<M>x<N>x<K>.
type benchCase struct {
	transA, transB bool
	m, n, k        int
}

func (bc benchCase) String() string {
	return fmt.Sprintf("%s_%dx%dx%d", transName(bc.transA, bc.transB), bc.m, bc.n, bc.k)
}

// benchCases are the shapes of the transformer: a square block, a projection of a
// 1024-token batch at d=768, a batch of 2048 tokens at d=256, and a LoRA down-projection.
func benchCases() []benchCase {
	var cases []benchCase
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
		for _, sz := range [][3]int{{128, 128, 128}, {1024, 768, 768}, {2048, 256, 256}, {16, 768, 8}} {
			cases = append(cases, benchCase{tr[0], tr[1], sz[0], sz[1], sz[2]})
		}
	}
	return cases
}

// benchOperands returns random A, B and C of the case's shapes with tight strides.
func benchOperands(bc benchCase) operands {
	return newOperands(rand.New(rand.NewPCG(7, 8)), bc.transA, bc.transB, bc.m, bc.n, bc.k, 0, 1, 0)
}

// runBench times fn on each case and reports GFLOPS (2mnk flops per product per second of
// wall time) and, where the process CPU time can be read, GFLOPS-per-CPU (flops per second
// of CPU time used by all threads, spinning included): on a machine shared with other
// jobs, the wall-time figure depends on the load, the CPU-time one much less.
func runBench(b *testing.B, fn func(o operands)) {
	for _, bc := range benchCases() {
		b.Run(bc.String(), func(b *testing.B) {
			o := benchOperands(bc)
			fn(o) // warm up: packing buffers, pages of C
			cpu0, cpuOK := processCPUTime()
			b.ResetTimer()
			for b.Loop() {
				fn(o)
			}
			flops := 2 * float64(bc.m) * float64(bc.n) * float64(bc.k) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			if cpu1, ok := processCPUTime(); ok && cpuOK && cpu1 > cpu0 {
				b.ReportMetric(flops/(cpu1-cpu0).Seconds()/1e9, "GFLOPS-per-CPU")
			}
		})
	}
}

// BenchmarkGemm measures this package's packed GEMM with GOMAXPROCS threads.
func BenchmarkGemm(b *testing.B) {
	pool := NewPool(runtime.GOMAXPROCS(0))
	defer pool.Close()
	b.Logf("kernel %s, %d threads", pool.Kernel(), pool.Threads())
	runBench(b, func(o operands) {
		pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
			o.beta, o.c, o.ldc)
	})
}

// BenchmarkGemmPortable measures the packed GEMM with the portable Go micro-kernel, which
// other CPUs and purego builds use.
func BenchmarkGemmPortable(b *testing.B) {
	pool := newPool(runtime.GOMAXPROCS(0), portableKernel)
	defer pool.Close()
	runBench(b, func(o operands) {
		pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
			o.beta, o.c, o.ldc)
	})
}

// BenchmarkGemmGonum measures gonum's native blas32 on the same cases, for comparison.
func BenchmarkGemmGonum(b *testing.B) {
	trans := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	runBench(b, func(o operands) {
		rowsA, colsA := o.m, o.k
		if o.transA {
			rowsA, colsA = o.k, o.m
		}
		rowsB, colsB := o.k, o.n
		if o.transB {
			rowsB, colsB = o.n, o.k
		}
		blas32.Gemm(trans(o.transA), trans(o.transB), o.alpha,
			blas32.General{Rows: rowsA, Cols: colsA, Stride: o.lda, Data: o.a},
			blas32.General{Rows: rowsB, Cols: colsB, Stride: o.ldb, Data: o.b},
			o.beta, blas32.General{Rows: o.m, Cols: o.n, Stride: o.ldc, Data: o.c})
	})
}
