package gemm

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// microKernel computes one mr x nr tile of C, or its first rows rows, from an mr x kc
// panel of A and a kc x nr panel of B:
//
//	C[i][j] = alpha * sum_{p<kc} A[i][p] * B[p][j] + beta * C[i][j]   (i < rows, j < nr)
//
// where A[i][p] is a[i*aRow+p*aStep], B[p][j] is b[p*bStep+j] and C[i][j] is c[i*ldc+j].
// mr is the kernel's own tile height (kernel.mr). A packed panel has aRow = 1, aStep = mr
// and bStep = nr; the strides also let the kernel
// read a caller's matrix in place when packing would cost more than it saves. The sum runs
// in increasing p, and the arithmetic of an element depends neither on rows nor on the
// strides. When beta is zero, C is not read, so NaN or Inf in the old C does not leak into
// the result (as in BLAS). Callers guarantee kc >= 1, 1 <= rows <= mr, all mr rows of the A
// panel and all nr columns of the B panel in bounds, and len(c) >= (rows-1)*ldc+nr.
type microKernel func(kc int, a []float32, aRow, aStep int, b []float32, bStep int,
	c []float32, ldc, rows int, alpha, beta float32)

// stripKernel computes panels tiles of C side by side, a strip mr rows high: tile t is the
// microKernel product of the same A panel with the B panel b[t*bPanel:], stored into
// c[t*nr:], with the arithmetic of microKernel. One call per strip instead of one per
// tile saves the call and set-up of every tile after the first, which is most of the time
// of a tile when kc is small (LoRA's rank-8 products). The last tile stores only its first
// lastCols columns (1 <= lastCols <= nr), so that a strip ends at the right edge of C
// without a scratch tile. Callers guarantee panels >= 1 and the microKernel conditions
// for every tile, except that c needs only lastCols values in the last tile's rows.
type stripKernel func(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int,
	c []float32, ldc, rows int, alpha, beta float32, panels, lastCols int)

// rowKernel computes a C of one row, cols values wide: C[j] = alpha * sum_{p<kc} A[p] *
// B[p][j] + beta * C[j], where A[p] is a[p*aStep] and B[p][j] is b[p*bStep+j], with the
// arithmetic of microKernel (so the result is the one the tiles would give). It reads
// both operands in place: a matrix-vector product uses each value of B once, and
// packing would only copy it. Callers guarantee kc >= 1 and cols >= 1.
type rowKernel func(kc int, a []float32, aStep int, b []float32, bStep int, c []float32,
	alpha, beta float32, cols int)

// colKernel computes a C of one column, 16*blocks adjacent values, from as many rows of a
// row-major A (row stride lda) and a vector x of kc adjacent values: C[i] = alpha *
// sum_{p<kc} A[i][p] * x[p] + beta * C[i], with the arithmetic of microKernel (so the
// result is the one the tiles would give). It reads A in place: a matrix-vector product
// uses each value of A once. Callers guarantee kc >= 1 and blocks >= 1.
type colKernel func(kc int, a []float32, lda int, x []float32, c []float32,
	alpha, beta float32, blocks int)

// pairKernel computes the first rows (1 <= rows <= 8) rows and cols (17 <= cols <= 32)
// columns of an 8 x 32 block of C from eight rows of A (all eight in bounds, with the
// strides of microKernel) and two B panels side by side, the second bPanel values after
// the first: C[i][j] as microKernel computes it, with B[p][j] for j >= 16 read from the
// second panel. It serves A read in place with aRow > 1, whose values of one step of p
// are not adjacent: each broadcast value of A then serves two panels. Callers guarantee
// kc >= 1, and c holds cols values in each of the rows.
type pairKernel func(kc int, a []float32, aRow, aStep int, b []float32, bStep, bPanel int,
	c []float32, ldc, rows int, alpha, beta float32, cols int)

// kernel is a micro-kernel with its tile height mr (packing of A follows it) and the name
// benchmarks, tests and the environment variable LORALAB_GEMM_KERNEL know it by. strip,
// row and col, when not nil, are the same kernel over a strip of tiles, over a single row
// and over a single column of a row-major A.
type kernel struct {
	name string
	mr   int
	// halfRows, when not 0, is a tile height up to which the kernel reads only halfRows
	// rows of the A panel (it runs half its accumulators).
	halfRows int
	run      microKernel
	strip    stripKernel
	row      rowKernel
	col      colKernel
	// pair, when not nil, computes blocks of 8 x 32 for A read in place (see pairKernel);
	// the strip form then runs only the strips' odd last panel. It needs a strip form
	// and halfRows = 8.
	pair pairKernel
}

// portableKernel runs everywhere; see kernelPortable.
var portableKernel = kernel{name: "portable", mr: 6, run: kernelPortable}

// EnvKernel names the environment variable that forces a micro-kernel by name ("avx512",
// "avx2-fma" or "portable") instead of the fastest one the CPU supports: to compare
// kernels on one machine, or to run a slower kernel's code path. Naming a kernel that
// this build or CPU cannot run makes the first product panic.
const EnvKernel = "LORALAB_GEMM_KERNEL"

// candidate is a micro-kernel of this build and whether this CPU can run it; missing says
// why not.
type candidate struct {
	kernel
	ok      bool
	missing string
}

// candidates lists the micro-kernels of this build, fastest first; the portable one,
// last, runs everywhere.
func candidates() []candidate {
	return append(archKernels(), candidate{kernel: portableKernel, ok: true})
}

// bestKernel is the kernel every product uses: the one EnvKernel names, or else the
// first of candidates that this CPU can run. It is chosen once per process.
var bestKernel = sync.OnceValue(func() kernel {
	k, err := chooseKernel(os.Getenv(EnvKernel))
	if err != nil {
		panic(err)
	}
	return k
})

// chooseKernel returns the kernel called name, or the fastest one this CPU can run when
// name is empty.
func chooseKernel(name string) (kernel, error) {
	var names []string
	for _, c := range candidates() {
		switch {
		case name == "" && c.ok, name == c.name && c.ok:
			return c.kernel, nil
		case name == c.name:
			return kernel{}, fmt.Errorf("gemm: %s=%s: %s", EnvKernel, name, c.missing)
		}
		names = append(names, c.name)
	}
	return kernel{}, fmt.Errorf("gemm: %s=%s: no such kernel in this build (have %s)",
		EnvKernel, name, strings.Join(names, ", "))
}
