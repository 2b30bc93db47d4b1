package nn

import "runtime"

// A kernel computes part [lo, hi) of one stage of an op. Kernels write disjoint outputs for
// disjoint ranges and compute each output the same way whatever the range, so an op gives
// bit-identical results on any number of goroutines. part is the index of the range, below
// Tape.Threads(), for kernels that need per-goroutine scratch.
//
// Kernels are plain functions, not closures, so handing one to a worker allocates nothing.
type kernel func(o *op, part, lo, hi int)

// task is one range of a kernel sent to a worker.
type task struct {
	k      kernel
	o      *op
	part   int
	lo, hi int
}

// workers is a set of goroutines that run tasks for one tape. They hold no reference to the
// tape, so an unreachable tape is collected and its cleanup closes the task channel, which
// stops them.
type workers struct {
	tasks chan task
	done  chan struct{}
}

func startWorkers(n int) *workers {
	w := &workers{tasks: make(chan task, n), done: make(chan struct{}, n)}
	for range n {
		go work(w.tasks, w.done)
	}
	return w
}

func work(tasks <-chan task, done chan<- struct{}) {
	for t := range tasks {
		t.k(t.o, t.part, t.lo, t.hi)
		done <- struct{}{}
	}
}

// parallel runs k over [0, n) in up to t.threads contiguous parts, each of at least grain
// units (t.grain, when set by tests, overrides grain), and returns when all parts are done.
func (t *Tape) parallel(o *op, n, grain int, k kernel) {
	parts := t.threads
	if t.grain > 0 {
		grain = t.grain
	}
	if grain < 1 {
		grain = 1
	}
	if maxParts := (n + grain - 1) / grain; parts > maxParts {
		parts = maxParts
	}
	if parts <= 1 {
		if n > 0 {
			k(o, 0, 0, n)
		}
		return
	}
	if t.pool == nil {
		t.pool = startWorkers(t.threads - 1)
		runtime.AddCleanup(t, func(tasks chan task) { close(tasks) }, t.pool.tasks)
	}
	for p := 1; p < parts; p++ {
		t.pool.tasks <- task{k: k, o: o, part: p, lo: p * n / parts, hi: (p + 1) * n / parts}
	}
	k(o, 0, 0, n/parts)
	for p := 1; p < parts; p++ {
		<-t.pool.done
	}
}
