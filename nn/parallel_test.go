package nn

import (
	"fmt"
	"testing"
)

// markRange adds 1 to o.work[i] for every i in [lo, hi) and records in o.saved[i] the
// slot that did it.
func markRange(o *op, slot, lo, hi int) {
	for i := lo; i < hi; i++ {
		o.work[i]++
		o.saved[i] = float32(slot)
	}
}

// TestParallelCoversEachUnitOnce runs many back-to-back calls of different sizes and
// grains on 1 to 4 threads and checks that every unit is computed exactly once, by a
// goroutine slot below Threads(): workers that wake up late must not touch later calls.
func TestParallelCoversEachUnitOnce(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 4} {
		tp := NewTape(threads)
		for call := range 300 {
			n, grain := []int{0, 1, 5, 64, 1000}[call%5], []int{1, 3, 100}[call%3]
			where := fmt.Sprintf("threads %d, call %d (n %d, grain %d)", threads, call, n, grain)
			o := &op{work: make([]float32, n), saved: make([]float32, n)}
			tp.parallel(o, n, grain, markRange)
			for i := range n {
				if o.work[i] != 1 {
					t.Fatalf("%s: unit %d computed %v times", where, i, o.work[i])
				}
				if s := int(o.saved[i]); s < 0 || s >= threads {
					t.Fatalf("%s: unit %d computed in slot %d, want below %d", where, i, s, threads)
				}
			}
		}
	}
}
