package gemm

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestPoolSteadyStateAllocatesNothing checks that a warmed-up Pool multiplies without
// allocating, on the split (multi-threaded) path and the serial one.
func TestPoolSteadyStateAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sz := range []struct{ m, n, k int }{{200, 150, 300}, {16, 768, 8}, {300, 8, 300}, {12, 64, 40}} {
		o := newOperands(rng, false, true, sz.m, sz.n, sz.k, 0, 1, 0)
		pool := NewPool(2)
		call := func() {
			pool.packedSgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
				o.beta, o.c, o.ldc)
		}
		call()
		if allocs := testing.AllocsPerRun(20, call); allocs != 0 {
			t.Errorf("%dx%dx%d: %v allocations per call, want 0", sz.m, sz.n, sz.k, allocs)
		}
		pool.Close()
	}
}

// TestPoolClose checks that a closed Pool still computes (on the calling goroutine) and
// that Close can be called twice.
func TestPoolClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	o := newOperands(rng, true, false, 90, 100, 120, 0, 1, 0)
	want, bound := reference(o)
	pool := NewPool(3)
	pool.Close()
	pool.Close()
	got := slices.Clone(o.c)
	pool.Sgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb, o.beta, got, o.ldc)
	checkAgainst(t, o, got, want, bound)
}

// TestPoolConcurrentCalls runs one Pool from several goroutines at once (run with -race).
func TestPoolConcurrentCalls(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(15, uint64(g)))
			o := newOperands(rng, g%2 == 0, g/2 == 0, 60+g, 70, 80, 1, 1, 0.5)
			want, bound := reference(o)
			got := slices.Clone(o.c)
			for range 3 {
				copy(got, o.c)
				pool.Sgemm(o.transA, o.transB, o.m, o.n, o.k, o.alpha, o.a, o.lda, o.b, o.ldb,
					o.beta, got, o.ldc)
			}
			checkAgainst(t, o, got, want, bound)
		})
	}
	wg.Wait()
}

// TestAbandonedPoolReleasesWorkers checks that the workers of a Pool that is dropped
// without Close exit once the Pool is collected.
func TestAbandonedPoolReleasesWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		pool := NewPool(5)
		o := newOperands(rand.New(rand.NewPCG(16, 17)), false, false, 120, 120, 120, 0, 1, 0)
		pool.Sgemm(false, false, o.m, o.n, o.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c, o.ldc)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the Pool: workers leaked", runtime.NumGoroutine(), before)
		}
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}
