package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool multiplies matrices on a fixed set of worker goroutines that live as long as the
// Pool, each with its own packing buffers, so that a warmed-up Sgemm call starts no
// goroutine and allocates nothing. The calling goroutine takes chunks of C like the
// workers.
//
// A Pool is safe for concurrent use; calls are serialised. Close stops the workers; a Pool
// that becomes unreachable without Close stops them as well.
type Pool struct {
	threads int
	kern    kernel

	mu  sync.Mutex
	own workspace // the caller's packing buffers
	// sharedB holds the slab of op(B) that the goroutines of a call pack together.
	sharedB []float32
	call    problem
	job     job
	tasks   chan task
	done    sync.WaitGroup
	// pending counts the workers still busy with the current call: the caller spins on
	// it before it blocks in done.Wait.
	pending atomic.Int32
	// release closes tasks if the Pool is collected without Close.
	release runtime.Cleanup
}

// task asks a worker to take chunks of the current call until none is left.
type task struct {
	jb      *job
	pending *atomic.Int32
	done    *sync.WaitGroup
}

// spinRounds bounds how often a waiting goroutine polls (yielding its processor each time)
// before it blocks. Waking a blocked goroutine through the operating system costs tens of
// microseconds, the time of a whole 128 x 128 x 128 product, while back-to-back products
// in a training step follow each other within microseconds. A few hundred rounds are some
// tens of microseconds.
const spinRounds = 500

// NewPool returns a Pool that computes each product with up to threads goroutines
// (the caller's plus threads-1 workers). threads < 1 means 1.
func NewPool(threads int) *Pool {
	return newPool(threads, bestKernel())
}

// newPool returns a Pool that uses the given micro-kernel; tests use it to run the
// portable kernel on CPUs that have the assembly one.
func newPool(threads int, kern kernel) *Pool {
	threads = max(threads, 1)
	p := &Pool{threads: threads, kern: kern}
	if threads > 1 {
		tasks := make(chan task, threads-1)
		for range threads - 1 {
			go worker(tasks)
		}
		p.tasks = tasks
		// Workers hold only the channel, not the Pool, so an abandoned Pool can be
		// collected and its workers released.
		p.release = runtime.AddCleanup(p, func(ch chan task) { close(ch) }, tasks)
	}
	return p
}

// worker helps with one call per task, taking chunks of C in packing buffers of its own,
// until the channel closes.
func worker(tasks <-chan task) {
	var ws workspace
	for {
		t, ok := receive(tasks)
		if !ok {
			return
		}
		ws.work(t.jb)
		t.pending.Add(-1)
		t.done.Done()
	}
}

// receive returns the next task, polling for a while before it blocks; ok is false once
// the channel is closed.
func receive(tasks <-chan task) (t task, ok bool) {
	for range spinRounds {
		select {
		case t, ok = <-tasks:
			return t, ok
		default:
			runtime.Gosched()
		}
	}
	t, ok = <-tasks
	return t, ok
}

// Threads is the number of goroutines a product may use.
func (p *Pool) Threads() int { return p.threads }

// Kernel names the micro-kernel in use: "avx512", "avx2-fma" or "portable".
func (p *Pool) Kernel() string { return p.kern.name }

// Close stops the workers. Sgemm on a closed Pool runs on the calling goroutine only.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tasks == nil {
		return
	}
	p.release.Stop()
	close(p.tasks)
	p.tasks = nil
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C like the package-level Sgemm, with the
// Pool's goroutines. The result is bit-identical for any number of threads.
func (p *Pool) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	pr := problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	pr.validate()
	if m == 0 || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if openBLASBuilt {
		openBLASSgemm(&pr)
		return
	}
	p.run(&pr)
}

// packedSgemm is Sgemm with this package's packed kernels whatever the build tags, for
// tests and benchmarks.
func (p *Pool) packedSgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	pr := problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
		b: b, ldb: ldb, beta: beta, c: c, ldc: ldc}
	pr.validate()
	if m == 0 || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.run(&pr)
}

// run computes a validated, non-empty product with the packed kernels: the caller and
// the workers take chunks from one job. The caller holds p.mu.
func (p *Pool) run(pr *problem) {
	if pr.k == 0 || pr.alpha == 0 {
		scaleC(pr)
		return
	}
	threads := p.threads
	if p.tasks == nil {
		threads = 1
	}
	p.call = *pr
	p.job.start(&p.call, p.kern, threads, &p.sharedB)
	helpers := p.job.sched.workers - 1
	if helpers == 0 {
		// A serial product: no hand-over to the workers, and nothing to wait for.
		p.own.work(&p.job)
		p.dropCall()
		return
	}
	p.done.Add(helpers)
	p.pending.Store(int32(helpers))
	for range helpers {
		p.tasks <- task{jb: &p.job, pending: &p.pending, done: &p.done}
	}
	p.own.work(&p.job)
	for i := 0; i < spinRounds && p.pending.Load() != 0; i++ {
		runtime.Gosched()
	}
	p.done.Wait()
	p.dropCall()
}

// dropCall drops the references of the finished call to the caller's slices.
func (p *Pool) dropCall() {
	p.call = problem{}
	p.job.pr, p.job.sharedB, p.job.rowPr = nil, nil, problem{}
}
