package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMicroKernel checks each kernel on its own: the tile it stores matches a float64
// dot product of the packed panels, rows beyond the requested count and columns beyond nr
// are left alone, and beta = 0 ignores the old C.
func TestMicroKernel(t *testing.T) {
	const ldc = nr + 5
	sentinel := float32(math.Inf(1))
	for _, kern := range kernels(t) {
		mr := kern.mr
		for _, depth := range []int{1, 3, 4, 9, 256} {
			for rows := 1; rows <= mr; rows++ {
				for _, beta := range []float32{0, 1, -0.5} {
					name := fmt.Sprintf("%s/kc=%d/rows=%d/beta=%g", kern.name, depth, rows, beta)
					t.Run(name, func(t *testing.T) {
						rng := rand.New(rand.NewPCG(uint64(depth), uint64(rows)))
						a := randomSlice(rng, depth*mr)
						b := randomSlice(rng, depth*nr)
						c := make([]float32, mr*ldc)
						old := randomSlice(rng, mr*ldc)
						for i := range c {
							c[i] = old[i]
							if i/ldc >= rows || i%ldc >= nr || beta == 0 {
								c[i] = sentinel
							}
						}
						const alpha = 1.25
						kern.run(depth, a, 1, mr, b, nr, c, ldc, rows, alpha, beta)
						for i := range mr {
							for j := range ldc {
								got := c[i*ldc+j]
								if i >= rows || j >= nr {
									if got != sentinel {
										t.Fatalf("C[%d][%d] outside the tile changed to %g", i, j, got)
									}
									continue
								}
								var sum, abs float64
								for p := range depth {
									x := float64(a[p*mr+i]) * float64(b[p*nr+j])
									sum += x
									abs += math.Abs(x)
								}
								want := alpha * sum
								if beta != 0 {
									want += float64(beta) * float64(old[i*ldc+j])
								}
								tol := float64(depth+3) / (1 << 23) * (alpha*abs + math.Abs(float64(beta*old[i*ldc+j])))
								if math.Abs(float64(got)-want) > tol {
									t.Fatalf("C[%d][%d] = %g, want %g (tolerance %.3g)", i, j, got, want, tol)
								}
							}
						}
					})
				}
			}
		}
	}
}

// BenchmarkMicroKernel measures each kernel alone on packed panels that stay in L1 (one
// goroutine, kc = 256, beta = 1), in GFLOPS of wall and of CPU time: the ceiling of what the blocked product can
// reach with it.
func BenchmarkMicroKernel(b *testing.B) {
	for _, kern := range kernels(b) {
		b.Run(kern.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a := randomSlice(rng, kc*kern.mr)
			bp := randomSlice(rng, kc*nr)
			c := randomSlice(rng, kern.mr*nr)
			cpu0, cpuOK := processCPUTime()
			for b.Loop() {
				kern.run(kc, a, 1, kern.mr, bp, nr, c, nr, kern.mr, 1, 1)
			}
			flops := 2 * float64(kc*kern.mr*nr) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOPS")
			if cpu1, ok := processCPUTime(); ok && cpuOK && cpu1 > cpu0 {
				b.ReportMetric(flops/(cpu1-cpu0).Seconds()/1e9, "GFLOPS-per-CPU")
			}
		})
	}
}

// TestChooseKernel checks the names EnvKernel accepts: empty picks the first kernel this
// CPU runs, a supported name picks that kernel, and an unknown or unsupported name is an
// error that names the variable and says why.
func TestChooseKernel(t *testing.T) {
	cands := candidates()
	var first kernel
	for _, c := range cands {
		if c.ok {
			first = c.kernel
			break
		}
	}
	if k, err := chooseKernel(""); err != nil || k.name != first.name {
		t.Errorf(`chooseKernel("") = %q, %v; want %q`, k.name, err, first.name)
	}
	for _, c := range cands {
		k, err := chooseKernel(c.name)
		switch {
		case c.ok && (err != nil || k.name != c.name || k.mr != c.mr):
			t.Errorf("chooseKernel(%q) = %q (mr %d), %v; want the kernel", c.name, k.name, k.mr, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), c.missing)):
			t.Errorf("chooseKernel(%q) = %v; want an error saying %q", c.name, err, c.missing)
		}
	}
	_, err := chooseKernel("avx1024")
	if err == nil || !strings.Contains(err.Error(), EnvKernel) || !strings.Contains(err.Error(), "no such kernel") {
		t.Errorf(`chooseKernel("avx1024") = %v; want "no such kernel" naming %s`, err, EnvKernel)
	}
}
