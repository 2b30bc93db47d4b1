package nn

import (
	"runtime"
	"sync/atomic"
)

// A kernel computes part [lo, hi) of one stage of an op. Kernels write disjoint outputs for
// disjoint ranges and compute each output the same way whatever the range, so an op gives
// bit-identical results on any number of goroutines. slot identifies the goroutine that
// runs the range (0 is the caller, 1..Threads()-1 the workers), for kernels that need
// scratch of their own: a goroutine runs one range at a time.
//
// Kernels are plain functions, not closures, so handing one to a worker allocates nothing.
type kernel func(o *op, slot, lo, hi int)

// chunksPerThread is how many ranges an op is cut into per goroutine, at most. Goroutines
// claim ranges one at a time until none is left, so when the operating system pauses a
// goroutine (the machine is shared), the others take over its share instead of waiting
// for it at the end of the op, and a worker that wakes up late simply finds less to do.
const chunksPerThread = 4

// task invites a worker to take ranges of one parallel call. It carries everything the
// worker needs by value, so that a worker that reads it late, after the call is over,
// touches nothing of a later call: its claims fail on the generation.
type task struct {
	k          kernel
	o          *op
	generation uint32
	n, chunks  int
}

// workers is a set of goroutines that help one tape's ops. They hold no reference to the
// tape, so an unreachable tape is collected and its cleanup closes the task channel, which
// stops them.
type workers struct {
	tasks chan task
	// finished receives, from each worker that took part in a call, the number of ranges
	// it computed, once it has computed them.
	finished chan int
	// claims is generation<<32 | next unclaimed range of the current call.
	claims     atomic.Uint64
	generation uint32 // of the current call; only the tape's goroutine changes it
}

// startWorkers starts n workers in slots 1..n.
func startWorkers(n int) *workers {
	w := &workers{tasks: make(chan task, 4*n), finished: make(chan int, n)}
	for slot := 1; slot <= n; slot++ {
		go w.work(slot)
	}
	return w
}

// work runs ranges of the calls it is invited to until the task channel closes.
func (w *workers) work(slot int) {
	for t := range w.tasks {
		if done := w.runRanges(t, slot); done > 0 {
			w.finished <- done
		}
	}
}

// runRanges claims and runs ranges of call t on goroutine slot until none is left, and
// returns how many it ran.
func (w *workers) runRanges(t task, slot int) int {
	done := 0
	for {
		c, ok := w.claim(t.generation, t.chunks)
		if !ok {
			return done
		}
		t.k(t.o, slot, c*t.n/t.chunks, (c+1)*t.n/t.chunks)
		done++
	}
}

// claim returns the next unclaimed range of call generation, or false when there is none
// left or that call is over.
func (w *workers) claim(generation uint32, chunks int) (int, bool) {
	for {
		s := w.claims.Load()
		c := int(uint32(s))
		if uint32(s>>32) != generation || c >= chunks {
			return 0, false
		}
		if w.claims.CompareAndSwap(s, s+1) {
			return c, true
		}
	}
}

// parallel runs k over [0, n) in ranges of at least grain units (t.grain, when set by
// tests, overrides grain) on up to t.threads goroutines, and returns when all are done.
// The calling goroutine takes ranges too, so an op never waits for a worker to wake up,
// only for the ranges workers have started.
func (t *Tape) parallel(o *op, n, grain int, k kernel) {
	if t.grain > 0 {
		grain = t.grain
	}
	chunks := min(chunksPerThread*t.threads, n/max(grain, 1))
	if t.threads <= 1 || chunks <= 1 {
		if n > 0 {
			k(o, 0, 0, n)
		}
		return
	}
	w := t.workers()
	w.generation++
	w.claims.Store(uint64(w.generation) << 32)
	call := task{k: k, o: o, generation: w.generation, n: n, chunks: chunks}
	for range min(t.threads, chunks) - 1 {
		select {
		case w.tasks <- call:
		default: // the workers are behind on earlier invitations; the caller does the work
		}
	}
	remaining := chunks - w.runRanges(call, 0)
	for remaining > 0 {
		remaining -= <-w.finished
	}
}

// workers returns the tape's workers, starting them on first use.
func (t *Tape) workers() *workers {
	if t.pool == nil {
		t.pool = startWorkers(t.threads - 1)
		runtime.AddCleanup(t, func(tasks chan task) { close(tasks) }, t.pool.tasks)
	}
	return t.pool
}
