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
// 1024-token batch at d=768, a batch of 2048 tokens at d=256, and a LoRA down-projection;
// then the six products of a LoRA layer (x A^T, h B^T and their gradients) at d=768 for a
// batch of 2048 tokens and ranks 1, 8 and 64: thin in n, in k, or in m; then the
// products of attention.
func benchCases() []benchCase {
	var cases []benchCase
	for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
		for _, sz := range [][3]int{{128, 128, 128}, {1024, 768, 768}, {2048, 256, 256}, {16, 768, 8}} {
			cases = append(cases, benchCase{tr[0], tr[1], sz[0], sz[1], sz[2]})
		}
	}
	const d, tokens = 768, 2048
	for _, r := range []int{1, 8, 64} {
		cases = append(cases,
			benchCase{false, true, tokens, r, d},  // h = x A^T
			benchCase{false, true, tokens, d, r},  // y = h B^T
			benchCase{false, false, tokens, d, r}, // dx = dh A
			benchCase{false, false, tokens, r, d}, // dh = dy B
			benchCase{true, false, r, d, tokens},  // dA = dh^T x
			benchCase{true, false, d, r, tokens},  // dB = dy^T h
		)
	}
	// Attention, per head and block of query rows (package nn): scores q K^T (NT, m rows
	// by keys by dh), the output P V (NN, m by dh by keys) and the gradients of V and K,
	// P^T dO (TN, keys by dh by m), for a block of 32 queries against 128 keys with heads
	// of 32 and 64, the first causal block (32 keys), and a sequence of 24 tokens.
	for _, sz := range [][3]int{{32, 128, 32}, {32, 128, 64}, {32, 32, 32}, {24, 24, 32}} {
		rows, keys, dh := sz[0], sz[1], sz[2]
		cases = append(cases,
			benchCase{false, true, rows, keys, dh},
			benchCase{false, false, rows, dh, keys},
			benchCase{true, false, keys, dh, rows},
		)
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

// BenchmarkGemm measures this package's packed GEMM with GOMAXPROCS threads and the
// kernel products use (the fastest this CPU runs, or the one EnvKernel names).
func BenchmarkGemm(b *testing.B) {
	benchKernel(b, bestKernel())
}

// BenchmarkGemmAVX512, BenchmarkGemmAVX2 and BenchmarkGemmPortable measure the packed GEMM
// with one micro-kernel each, so that one run compares them; a kernel this CPU cannot run
// is skipped with the reason.
func BenchmarkGemmAVX512(b *testing.B)   { benchNamedKernel(b, "avx512") }
func BenchmarkGemmAVX2(b *testing.B)     { benchNamedKernel(b, "avx2-fma") }
func BenchmarkGemmPortable(b *testing.B) { benchNamedKernel(b, "portable") }

// benchNamedKernel runs benchKernel with the kernel called name, or skips b.
func benchNamedKernel(b *testing.B, name string) {
	for _, c := range candidates() {
		if c.name != name {
			continue
		}
		if !c.ok {
			b.Skipf("kernel %s: %s", name, c.missing)
		}
		benchKernel(b, c.kernel)
		return
	}
	b.Skipf("kernel %s: not in this build", name)
}

// benchKernel measures the packed GEMM with the given kernel and GOMAXPROCS threads.
func benchKernel(b *testing.B, kern kernel) {
	pool := newPool(runtime.GOMAXPROCS(0), kern)
	defer pool.Close()
	b.Logf("kernel %s, %d threads", pool.Kernel(), pool.Threads())
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
