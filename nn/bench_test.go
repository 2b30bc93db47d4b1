package nn

import (
	"fmt"
	"testing"
	"time"
)

// Benchmarks at the training shape of the reproduction: d = 128, sequences of 128 tokens,
// batch 16, 4 heads. Each runs forward and backward of one op, or a whole training step,
// on a tape with 1 and with 2 threads, and reports the CPU time of the process per op
// next to the wall time: on a shared machine the CPU time varies much less with load, and
// the two together show what a second thread costs and gains.
const (
	benchD, benchT, benchB, benchHeads, benchVocab = 128, 128, 16, 4, 4096
)

// benchThreads are the thread counts every benchmark runs with.
var benchThreads = []int{1, 2}

// forThreads runs body as one sub-benchmark per thread count. body calls its start
// function just before its b.Loop, where the CPU time reported as cpu-ns/op begins.
func forThreads(b *testing.B, body func(b *testing.B, threads int, start func())) {
	for _, threads := range benchThreads {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			var cpu0 time.Duration
			ok0 := false
			body(b, threads, func() { cpu0, ok0 = cpuTime() })
			if cpu1, ok1 := cpuTime(); ok0 && ok1 && b.N > 0 {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// benchOp measures forward+backward of the graph build makes from fresh trainable leaves.
func benchOp(b *testing.B, leaves []*Tensor, build func(tp *Tape) *Tensor) {
	forThreads(b, func(b *testing.B, threads int, start func()) {
		tp := NewTape(threads)
		var seed []float32
		start()
		for b.Loop() {
			tp.Reset()
			y := build(tp)
			if len(seed) != y.Len() {
				seed = make([]float32, y.Len())
				for i := range seed {
					seed[i] = 1 / float32(len(seed))
				}
			}
			tp.backwardFrom(y, seed)
		}
		for _, l := range leaves {
			l.ZeroGrad()
		}
	})
}

func BenchmarkLinear128x128(b *testing.B) {
	rng := newRand(1)
	x, w, bias := randLeaf(rng, "x", 1, benchB*benchT, benchD), randLeaf(rng, "w", 0.1, benchD, benchD), randLeaf(rng, "b", 0.1, benchD)
	benchOp(b, []*Tensor{x, w, bias}, func(tp *Tape) *Tensor { return tp.Linear(x, w, bias) })
}

func BenchmarkLinearFrozen128x512(b *testing.B) {
	rng := newRand(1)
	x, w := randLeaf(rng, "x", 1, benchB*benchT, benchD), randLeaf(rng, "w", 0.1, 4*benchD, benchD)
	w.SetTrainable(false)
	benchOp(b, []*Tensor{x}, func(tp *Tape) *Tensor { return tp.Linear(x, w, nil) })
}

func BenchmarkAttentionCausal(b *testing.B) {
	rng := newRand(1)
	q, k, v := randLeaf(rng, "q", 1, benchB*benchT, benchD), randLeaf(rng, "k", 1, benchB*benchT, benchD), randLeaf(rng, "v", 1, benchB*benchT, benchD)
	spec := AttnSpec{Batch: benchB, Heads: benchHeads, TQ: benchT, TK: benchT, Causal: true}
	benchOp(b, []*Tensor{q, k, v}, func(tp *Tape) *Tensor { return tp.Attention(q, k, v, spec) })
}

// BenchmarkAttentionShort is the quick job's attention: an encoder (not causal) over 16
// sequences of 32 with padding, d = 128 in 4 heads.
func BenchmarkAttentionShort(b *testing.B) { benchAttentionShort(b, 32) }

// BenchmarkAttentionShort23 is BenchmarkAttentionShort with batches padded to 23.
func BenchmarkAttentionShort23(b *testing.B) { benchAttentionShort(b, 23) }

func benchAttentionShort(b *testing.B, seq int) {
	const batch = 16
	rng := newRand(1)
	q, k, v := randLeaf(rng, "q", 1, batch*seq, benchD), randLeaf(rng, "k", 1, batch*seq, benchD), randLeaf(rng, "v", 1, batch*seq, benchD)
	mask := make([]bool, batch*seq)
	for i := range mask {
		mask[i] = i%seq >= seq-3
	}
	spec := AttnSpec{Batch: batch, Heads: benchHeads, TQ: seq, TK: seq, KeyMask: mask}
	benchOp(b, []*Tensor{q, k, v}, func(tp *Tape) *Tensor { return tp.Attention(q, k, v, spec) })
}

func BenchmarkLayerNorm(b *testing.B) {
	rng := newRand(1)
	x, g, bias := randLeaf(rng, "x", 1, benchB*benchT, benchD), randLeaf(rng, "g", 1, benchD), randLeaf(rng, "b", 1, benchD)
	benchOp(b, []*Tensor{x, g, bias}, func(tp *Tape) *Tensor { return tp.LayerNorm(x, g, bias, 1e-5) })
}

func BenchmarkGELU(b *testing.B) {
	x := randLeaf(newRand(1), "x", 1, benchB*benchT, 4*benchD)
	benchOp(b, []*Tensor{x}, func(tp *Tape) *Tensor { return tp.GELU(x) })
}

func BenchmarkDropout(b *testing.B) {
	x := randLeaf(newRand(1), "x", 1, benchB*benchT, benchD)
	benchOp(b, []*Tensor{x}, func(tp *Tape) *Tensor { return tp.Dropout(x, 0.1, 7) })
}

func BenchmarkCrossEntropy(b *testing.B) {
	logits := randLeaf(newRand(1), "logits", 1, benchB*benchT, benchVocab)
	_, targets := randomTokens(2, benchVocab, benchB, benchT)
	benchOp(b, []*Tensor{logits}, func(tp *Tape) *Tensor { return tp.CrossEntropy(logits, targets, -1, 0.1) })
}

func BenchmarkEmbedding(b *testing.B) {
	table := randLeaf(newRand(1), "table", 1, benchVocab, benchD)
	ids, _ := randomTokens(2, benchVocab, benchB, benchT)
	benchOp(b, []*Tensor{table}, func(tp *Tape) *Tensor { return tp.Embedding(table, ids) })
}

// BenchmarkTrainStep is a whole step (forward, backward, AdamW) of a 4-layer decoder at the
// training shape, full fine-tuning; tokens/s = 16·128 / (ns/op·1e-9).
func BenchmarkTrainStep(b *testing.B) { benchTrainStep(b, false) }

// BenchmarkTrainStepFrozenMatrices trains only the vectors (biases, LayerNorm), as BitFit
// does: every weight-gradient product is skipped.
func BenchmarkTrainStepFrozenMatrices(b *testing.B) { benchTrainStep(b, true) }

func benchTrainStep(b *testing.B, freezeMatrices bool) {
	m := newTestModel(1, benchVocab, benchT, benchD, benchHeads, 4)
	ids, targets := randomTokens(2, benchVocab, benchB, benchT)
	var params []*Tensor
	for _, p := range m.params() {
		if freezeMatrices && len(p.Shape) == 2 {
			p.SetTrainable(false)
			continue
		}
		params = append(params, p)
	}
	opt := NewAdamW([]ParamGroup{{Params: params, WeightDecay: 0.01}})
	forThreads(b, func(b *testing.B, threads int, start func()) {
		tp := NewTape(threads)
		trainStep(tp, m, opt, ids, targets, benchB, nil) // warm-up: fills the arenas
		ZeroGrads(params)
		start()
		for b.Loop() {
			trainStep(tp, m, opt, ids, targets, benchB, nil)
			ZeroGrads(params)
		}
		b.ReportMetric(float64(benchB*benchT*b.N)/b.Elapsed().Seconds(), "tokens/s")
	})
}
