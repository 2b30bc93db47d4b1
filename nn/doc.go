// Package nn is loralab's small neural-network engine: float32 tensors, a reverse-mode
// tape of fused ops with hand-written backward passes, the AdamW and SGD optimizers,
// learning-rate schedules and gradient clipping. Models (package model), LoRA (package
// lora) and the paper's baselines are built from these ops; matrix products go to
// package nn/gemm.
//
// # Tensors
//
// A Tensor is a dense row-major []float32 with a shape. A batch of sequences is stored as
// [Batch*T, D] with the T rows of each sequence adjacent. Parameters are Tensors with
// Trainable set; the first op that records a backward for one gives it its Grad buffer,
// and an optimizer gives it its state at its first step. A frozen parameter
// (SetTrainable(false)) has neither and costs no gradient work: Linear with a frozen weight
// skips the dW product, Embedding with a frozen table records no backward at all.
//
// # The tape
//
// Each op on a Tape computes its output at once and appends an op record (inputs, output,
// scalars and what backward needs) to a slice of values that the tape reuses; the record's
// backward is a plain function, never a closure. Backward(loss) sets d(loss) = 1 and runs
// the records in reverse. Which tensors get gradients follows one rule: a tensor needs a
// gradient if it is Trainable or it is an activation computed from one that does; an op
// none of whose inputs needs a gradient records no backward and its output has no Grad.
// Backward adds (+=) into parameter gradients, so micro-batches accumulate until the
// caller clears them (ZeroGrads); activation gradients are zeroed by the tape.
//
// Activations, their gradients and the buffers ops save for backward (LayerNorm
// statistics, attention probabilities, GELU's gate σ(2u), the maximum and the sum of
// exponentials of each row of logits) come from
// arenas that hand out buffers in request order; Reset takes them all back, so a step that repeats the
// previous step's graph reuses the same memory. A warmed-up training step of a two-layer
// decoder (embedding, pre-LN blocks with attention, MLP and dropout, cross-entropy, AdamW)
// allocates nothing: 0 allocs/op on 1 and 2 threads, measured with testing.AllocsPerRun
// in TestWarmStepAllocatesNothing. At the training shape (BenchmarkTrainStep, d=128,
// 4 layers, batch 16×128, vocabulary 4096) a heap profile of warm steps shows no
// allocation from this package either. Buffers are sized on first use and kept: after
// a step with longer sequences the tape holds the larger buffers. Tensors returned by
// ops are valid until the next Reset.
//
// # Memory
//
// A training step holds the weights; a gradient and two AdamW moments per trainable value
// (none for a frozen one); and the tape's buffers, which Tape.Memory reports and `runexp
// bench train` prints by use: activations (every op output), activation gradients (one per
// activation that a trainable tensor flows into), what ops save for backward, and scratch.
// With a small trainable set the tape is nearly everything. Per block of a pre-LN decoder
// on N = B·T tokens it keeps:
//
//	activations  10·N·d + 2·N·d_ff   LN1's output (Q, K, V read it: their dW, LoRA's dA),
//	                                  Q, K, V (attention backward), the attention output
//	                                  (O's input), O's output and the residual sum (LN2's
//	                                  input), LN2's output (FC1's input), FC1's output
//	                                  (GELU's input), GELU's output (FC2's input), FC2's
//	                                  output and the second residual sum
//	gradients    the same again, for every activation downstream of a trainable tensor
//	saved        N·d_ff + B·h·T² + 4·N   GELU's gate σ(2u), the attention probabilities,
//	                                  both LayerNorms' mean and 1/σ per row
//
// and, once, the embeddings' 3·N·d and the language-model head's N·V logits. At the d=128,
// L=4, V=4096, 16×128 shape that is 76 MiB of activations, 64 MiB saved (32 of them
// logits, 16 gates, 16 probabilities) and, for LoRA, 72 MiB of activation gradients,
// against 6 MiB of weights.
//
// What is not kept: a frozen tensor's gradient and moments; LoRA's update, which its
// target layer adds inside its own product (LinearLowRank) instead of as three more
// activations with gradients per target; the gradient of the logits, which
// LinearCrossEntropy writes over the logits themselves (at the GPT-2-small shape, batch
// 4×128, that is 103 MB); dropout masks, recomputed from their hash in backward; and,
// in a pass without gradients, every activation of a block once the block has run
// (Tape.Release), so that evaluation and the latency study hold one block at a time.
// Not taken, because they would cost time or touch shared kernels: recomputing GELU's gate
// from its input (one more exponential per element in backward), reusing an activation's
// gradient buffer once its producer's backward has run, and dropping outputs that only a
// frozen weight's skipped dW would read.
//
// Measured with `runexp bench train --method {lora,ft} --rank 8 --targets q,v --threads 2`
// (decoder, AdamW), this package and its callers at commit bb582b5 ("before") and with the
// changes above, each shape and method run by both builds one after the other, two rounds
// (peak RSS in MB, the same in both rounds within 0.5 MB; the breakdown is the new build's
// JSON, in MB: weights / gradients / optimizer state / activations / their gradients /
// saved / workspace):
//
//	d=128 L=4 V=4096, 16×128     LoRA 249 (before 331), FT 279 (before 312)
//	    LoRA   5.9 / 0.1 / 0.1 / 80.2 / 75.0 / 67.3 / 0.6
//	    FT     5.8 / 5.8 / 11.6 / 79.7 / 79.7 / 67.3 / 0.6
//	d=256 L=6 V=8192, 16×128     LoRA 662 (before 877), FT 755 (before 822)
//	    LoRA   28.6 / 0.2 / 0.4 / 235.7 / 225.2 / 142.9 / 0.9
//	    FT     28.4 / 28.4 / 56.8 / 234.9 / 234.9 / 142.9 / 0.9
//	GPT-2 small (d=768 L=12 V=50257), 4×128   LoRA 1,438 (before 1,767), FT 2,931 (before 3,044)
//	    LoRA   498.9 / 1.2 / 2.4 / 346.4 / 338.6 / 216.3 / 2.0
//	    FT     497.8 / 497.8 / 995.5 / 346.0 / 346.0 / 216.3 / 2.0
//
// LoRA now peaks below FT at every shape, and at d=256 below PyTorch 1.13 on the same
// machine (849 MB LoRA, 897 MB FT). The rest of the peak RSS over the breakdown's total
// (20-35 MB) is the Go runtime and heap. Speed did not drop: in a second run of the same
// kind (load average 3.2-3.6 on the 2 cores, so wall times are about half the quiet ones)
// the CPU time per step, which the load moves much less than wall time, was before -> after:
// d=128 LoRA 424 -> 387 and 402 -> 393 ms, FT 604 -> 605 and 622 -> 585 ms; d=256 LoRA
// 1,545 -> 1,463 and 1,547 -> 1,507 ms, FT 2,420 -> 2,405 and 2,287 -> 2,401 ms; GPT-2
// small LoRA 7,603 -> 7,529 ms, FT 10,870 -> 11,277 ms (one round). LoRA/FT in tokens/s
// after: 1.55 and 1.49 at d=128, 1.67 and 1.65 at d=256, 1.53 at GPT-2 small.
//
// # Threads and determinism
//
// Ops split their work over up to Threads() goroutines: the calling goroutine and workers
// the tape owns. An op is cut into up to four ranges per goroutine (rows, elements,
// (sequence, head) pairs, or columns), which goroutines claim one at a time; the caller
// claims too, so it never waits for a worker to wake up, only for ranges a worker has
// started, and a goroutine the operating system pauses leaves its unclaimed share to the
// others. Matrix products of whole activations go to a gemm.Pool on Threads goroutines;
// attention heads use one single-threaded pool per goroutine. Every kernel partitions its
// outputs, never a sum: rows for row-wise ops, (sequence, head) pairs for attention,
// columns for bias, LayerNorm-gain and embedding gradients (each goroutine walks all rows
// in order for its columns). So a result never depends on how work was split, and
// outputs and gradients are bit-identical for any thread count (TestThreadsBitIdentical
// compares 1, 2 and 3). Dropout draws its mask from a hash of (seed, element index), not
// from a shared generator, and the vector exponential gives an element the same value
// wherever it falls in a range.
//
// # Ops and their equations
//
// Forward and backward (dy is the output gradient; every input gradient is accumulated):
//
//	Linear(x [N,in], W [out,in], b [out])  y = x Wᵀ + b
//	    dx += dy W,  dW += dyᵀ x,  db += Σ_rows dy
//	LinearLowRank(x, W, b, u [N,r], B [out,r], s)  y = x Wᵀ + b + s·u Bᵀ  (LoRA's target layer)
//	    Linear's gradients, plus du += s·dy B, dB += s·dyᵀ u
//	Add(a, b)  y = a + b;  da += dy, db += dy
//	Scale(x, s)  y = s·x;  dx += s·dy
//	ScaleRows(x, s)  y_r = s_r·x_r (s constant);  dx_r += s_r·dy_r
//	Embedding(E [V,D], ids)  y_i = E[ids_i];  dE[ids_i] += dy_i
//	GatherRows(x, rows)  y_i = x[rows_i];  dx[rows_i] += dy_i
//	LayerNorm(x, g, b, ε)  x̂ = (x-μ)/√(σ²+ε) per row, y = g⊙x̂ + b
//	    dx += (ĝ - mean(ĝ) - x̂·mean(ĝ⊙x̂))/√(σ²+ε) with ĝ = dy⊙g;  dg += Σ dy⊙x̂;  db += Σ dy
//	GELU(x)  y = x/2·(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³)  (GPT-2's
//	    approximation); with s = σ(2u): dx += dy·(s + 2x·s(1-s)·√(2/π)(1 + 3·0.044715x²))
//	Tanh(x)  y = tanh x;  dx += dy(1-y²)
//	ReLU(x)  y = max(0,x);  dx += dy·[y>0]
//	Dropout(x, p, seed)  y = x·m/(1-p), m_i = [hash(seed,i) ≥ p];  dx += dy·m/(1-p)
//	Attention(Q, K, V)  per sequence and head: P = softmax(QKᵀ/√d_h + M), O = P V
//	    M = -∞ where causal (key j > TK-TQ+i) or padding hides a key; a row that sees
//	    nothing gives P = 0, O = 0. Causal products skip the masked keys, 32 queries at a
//	    time: a block of queries multiplies only the keys its last query sees.
//	    dV += Pᵀ dO, dP = dO Vᵀ, dS = P⊙(dP - rowsum(P⊙dP)), dQ += dS K/√d_h, dK += dSᵀ Q/√d_h
//	ConcatSeq, SliceSeq, TileBatch, SetRows  move rows; backward routes each output row's
//	    gradient to its source row (TileBatch sums the batch copies in order; rows that
//	    SetRows replaced get none)
//	CrossEntropy(x [N,V], t, ignore, ε)  lse = log Σ_v e^{x_v}, over counted rows c:
//	    L = 1/c Σ_rows (1-ε)(lse - x_t) + ε(lse - mean_v x_v)
//	    dx_v += dL/c·(softmax(x)_v - (1-ε)[v=t] - ε/V), softmax(x)_v = e^{x_v - m}/Σ
//	    recomputed from the row's saved maximum m and 1/Σ (no N×V buffer)
//	LinearCrossEntropy(x, W, t, ignore, ε)  CrossEntropy(x Wᵀ, t, ignore, ε) in one op (a
//	    language model's head): dlogits overwrites the logits it keeps, then dx += dlogits W,
//	    dW += dlogitsᵀ x
//	MSE(pred, target)  L = mean (pred - target)²;  dpred += dL·2(pred - target)/n
//
// MatMul and MatMulAdd multiply without recording (e.g. merging LoRA weights).
//
// # Optimizers and schedules
//
// AdamW decays weights separately from the adaptive step (θ ← θ - ηλθ, then the
// bias-corrected Adam step), with per-group LRScale and WeightDecay; which parameters get
// no decay (biases, norms) is the caller's grouping. SGD has optional momentum and L2
// decay. Schedule gives linear warmup then linear, cosine or constant decay.
// ClipGradNorm rescales gradients to a maximum global L2 norm and returns the norm before
// clipping.
//
// Shape mismatches panic with a message that names the op and both shapes; nothing
// broadcasts.
//
// # Speed
//
// Softmaxes (attention, cross-entropy) use a float32 exponential over slices (exp.go), and
// GELU kernels built on it (activation.go): AVX2/FMA assembly on amd64 CPUs that have it,
// portable Go otherwise (and under the purego build tag). The exponential is within
// 1.25 ulp of math.Exp over the whole float32 range, exactly 0 below the normal range,
// and more than 10 times faster than math.Exp per element.
//
// Measured on the shared 2-core AMD EPYC (AVX2, FMA) while other work kept a load
// average of 2.5 to 6, at the shape of the PyTorch comparison in DESIGN.md (decoder
// d=128, 4 layers, 4 heads, vocabulary 4096, batch 16 × 128 tokens, AdamW): this package
// before and after the vector exponential, the cross-entropy, GELU and causal-attention
// rework and the range-claiming scheduler, the rest of the tree the same, the two builds
// run alternately (medians of 3 or 4 runs; wall times move by ±30% with the load, CPU
// times by a few per cent):
//
//	go test -run '^$' -bench 'TrainStep$|CrossEntropy|GELU|AttentionCausal' -benchtime 5x ./nn/
//	    CPU time per training step: 349 -> 237 ms on 1 thread, 359 -> 251 ms on 2;
//	    per op, forward and backward, 1 thread: cross-entropy 90 -> 18 ms, GELU 23.3 ->
//	    2.9 ms (inputs of N(0,1), where math.Tanh is slowest), causal attention 12.3 ->
//	    7.5 ms
//	go test -run '^$' -bench DecoderTrain -benchtime 5x ./model/
//	    1 thread: 3,310 -> 5,030 tokens/s (×1.52); 2 threads: 2,980 -> 4,630 (×1.56)
//	go run ./cmd/runexp bench train --method ft --threads 2 --steps 6   (before the GELU
//	    assembly, in a quieter hour: load 2.5-3)
//	    5,980 -> 8,130 tokens/s (×1.36; PyTorch on 2 threads: 2,340);
//	    1 thread: 6,170 -> 8,710 (×1.41)
//	go run ./cmd/runexp bench train --method lora --rank 8 --targets q,v --threads 2 --steps 6
//	    7,410 -> 11,720 tokens/s (×1.58; PyTorch on 2 threads: 2,920);
//	    1 thread: 7,440 -> 12,280 (×1.65)
//
// About two thirds of a step's CPU time is now in package gemm's kernels and packing.
//
// The exponential has no AVX-512 version; the AVX2 code runs on AVX-512 CPUs. On the
// Intel Xeon of package gemm's figures (AVX-512), a CPU profile of `runexp bench
// train` at the shape above (LoRA r=8 and FT, 15 steps each, 2 threads, load average 14
// to 21) put 5.7% of the CPU time in the exponential (expSubAVX2), 2.3% in GELU forward
// and 1.6% in its backward, against 61% in package gemm (17% in its packing). 16 lanes
// would change the softmax sums that the AVX2 code adds in 8, so results would then
// depend on the CPU. GELU, which sums nothing, has since gained AVX-512 kernels that give
// the AVX2 kernels' results bit for bit (see Vector kernels).
//
// Two threads and one: on this machine a process rarely gets both cores (Linux shares CPU
// time between sessions before threads, and other sessions are busy), so a second thread
// mostly adds work: at the figures above 2 threads were 5-10% slower than 1, with 6-7%
// more CPU time per step (237 -> 251 ms). Little of that is in this package: its ops never
// spin, the caller claims ranges like the workers, a worker that wakes late finds nothing
// left instead of holding up the op, and the joins of a step's 130 parallel ops waited
// 4 ms in all. The rest is inside the GEMM on two goroutines (CPU profiles of 1 and 2
// threads): 6% more time in its kernel, likely two goroutines taking turns on one core's
// caches, and op(B) packed once per goroutine. Where both cores are free the products
// split as before.
//
// # Vector kernels
//
// The element-wise loops outside the matrix products run in a small kernel table
// (kernels.go): AdamW's update; y += x, y += a·x and y = a·x (Add, Scale, ScaleRows,
// bias and bias-gradient rows, embedding and row-routing gradients, softmax rows,
// clipping's rescale); dropout's mask with its hash, forward and backward; clipping's sum
// of squares; and LayerNorm's row loops (y = (x-μ)·s·g + b, the input gradient once its
// two row sums are known, the gain gradient). Each has a portable Go loop, the
// reference, and amd64 assembly (kernels_amd64.s): AVX2 on 8 lanes (the last len mod 8
// elements go through the Go loop; dropout stays in Go, AVX2 having no 64-bit multiply)
// and AVX-512 on 16 lanes with the last block under a mask (dropout hashes 8 indices per
// VPMULLQ, so it needs AVX-512DQ). GELU's AVX-512 kernels (gelu_amd64.s) are the AVX2
// ones' instructions on 16 lanes. The variant is chosen once at start-up from the CPU's
// features (golang.org/x/sys/cpu): AVX-512F and DQ, else AVX2, else Go; the purego build
// tag, or another architecture, keeps only the Go loops.
//
// Every variant gives the Go loop's results bit for bit: the same operations in the
// same order on every element, each rounded (no fused multiply-add; the Go loops write
// float32(a*b) where they add a product, which stops a GOAMD64=v3 build from fusing it,
// so v1 and v3 builds agree too, as they now do for LayerNorm's row sums), AdamW's
// √ in float32 (float32(math.Sqrt(float64(v))) is the correctly rounded float32 square
// root, as VSQRTPS is), and dropout's SplitMix64 stream unchanged. Sums keep their
// order: clipping adds the squares one at a time in index order as before, and skips
// blocks of zeros (adding +0 to a sum of squares changes nothing; an embedding table's
// gradient is mostly zero rows). TestKernel* run every variant the CPU supports against
// the Go loops on lengths 0 to 1031 around the vector widths, at unaligned starts, with
// zeros, -0 and subnormals among the values, and check that nothing past a slice is
// written; they log the variants they skip. Training is unchanged to the byte: a sweep
// of FT and LoRA r=8 (models/encoder, embedded-cls, 30 steps, dropout and clipping on)
// run by runexp built before and after wrote identical checkpoints, adapters, metrics
// and tables.
//
// Measured at the main job's shape (encoder d=128, 4 layers, vocabulary 8192, batch
// 16×32, 2 threads), runexp and the nn test binary built at commit 5740442 and at
// commit a4ab924 (these kernels), each command run by the two builds in turn, three
// rounds, load average 2.3-2.6, medians:
//
//	runexp bench train --arch encoder --vocab 8192 --seq 32 --batch 16 --threads 2 \
//	    --steps 60 --warmup 5 --method ft           wall 30.9 -> 23.0 ms (×0.74),
//	                                                CPU 44.4 -> 35.7 ms (×0.80)
//	    --method lora --rank 8 --targets q,v        wall ×0.92 (median of the rounds'
//	                                                ratios; two main rounds were
//	                                                disturbed), CPU 24.7 -> 23.2 ms (×0.94)
//	go test -run '^$' -bench 'TrainStep$' -benchtime 8x ./nn/   (decoder, 16×128, FT;
//	    two rounds)   1 thread 176 -> 154 ms (×0.88), 2 threads 128 -> 110 ms (×0.86)
//
// An earlier, quieter run (before addColSums; load 2.2-2.3) gave FT 30.3 -> 23.0 ms
// (×0.76) and LoRA 15.6 -> 14.8 ms (×0.95). Per kernel (BenchmarkKernels, 64 Ki values,
// Go -> AVX-512): AdamW ×9.5, dropout ×3.6, y += x ×7, LayerNorm row ×6.6; GELU forward
// ×1.5 and backward ×3 over AVX2; clipping's sum of squares gains only where blocks are
// zero (its additions are a chain, as before).
//
// A CPU profile of the FT step afterwards: 58% in package gemm, 7% in AdamW (reading
// and writing four arrays of 1.9 M values: memory-bound), 4% clearing activation
// gradients (runtime.memclr), 4% in y += x.
//
// # Outside the products, for the quick job
//
// The main job (experiments/quick.yaml: an encoder of d 128, 4 layers, sequences of at
// most 32, batch 16, 11 runs of 1280 steps, two runs at a time on one thread each) spent a
// third of its CPU time outside package gemm. What was cut there, each change giving the
// same bits as before (checked by the kernel tests against the previous code path, and by
// the quick job itself: every run's checkpoint and metrics file identical, byte for byte):
//
//   - Stale activation gradients are written, not cleared and added into, by every op
//     that writes its input's gradient whole: LayerNorm, GELU and Dropout (their
//     gradient kernels take dx as 0 without reading it: 0 + contribution, the bits of
//     clearing and adding), Attention when each sequence and head is one query block
//     (beta 0 in its products), besides Linear and Add. An input that only an Add
//     consumes (Tensor.uses) shares the Add's output gradient instead of a copy, and
//     GELU, Dropout and LayerNorm write a single-use input's gradient over their output
//     gradient, in place (op.inPlace; LayerNorm's gain and bias gradients, which read dy,
//     come first), so that the output gradient's buffer afterwards holds the input's.
//     runtime.memclr fell from 2.9% of the job's CPU time to 0.5%, runtime.memmove from
//     2.1% to 0.9%.
//   - Attention: the softmax of a row is one AVX-512 kernel (hide padding, maximum,
//     exp-subtract summed in expSubAVX2's lane order, scale), 1.45x; its backward takes
//     four rows at a time (the four float64 dot-product chains side by side), 1.5x; the
//     four per-head products that read B by rows (P V, Pᵀ dO, dS K, dSᵀ Q) multiply in
//     place with gemm's AVX-512 arithmetic (headMatmul: an fma chain in p order, then
//     alpha·acc or fma(acc, alpha, beta·C)), without packing 32 x 32 operands:
//     BenchmarkAttentionShort 0.54 -> 0.39 ms of CPU.
//   - GELU: forward keeps the derivative d instead of σ(2u) (it has σ at hand and
//     computes d with backward's instructions), so backward reads dy and d and
//     multiplies; the AVX-512 forward interleaves two blocks so the two exponentials'
//     dependency chains overlap (about 1.15x).
//   - LayerNorm's input-gradient row sums run four rows at a time (4 x 4 blocks
//     transposed so each row's two float64 chains keep their order): 2.1x.
//   - Add's forward is one pass (y = a + b); Linear's bias is one kernel call per range of
//     rows (addRows), not one per row.
//   - AdamW applies clipping's rescale itself (StepScaled; g·scale is the float32
//     product scaleTo made), and updates a block whose g, m and v are all zero (an
//     embedding row no batch has reached) as p·shrink, the full update's exact result
//     for such a block (adamWZeroSkip lists the conditions on the constants).
//   - Clipping: ClipScale sums the squares in parallel lanes with a rounding bound and
//     runs ClipGradNorm's ordered chain (one dependent float64 addition per gradient)
//     only when a float32 rounding boundary of the factor, or the limit, falls inside
//     the bound's interval, which is rare: the factor and the decision are monotone in
//     the sum.
//
// Measured with the quick job from an empty data cache, runexp built at commit 53d5c2e
// and at commit 5dd63db run one after the other under /work/bench-quiet.sh (load average
// 1.2-2.0): wall 137.4 -> 123.3 s, CPU (user + sys) 268.1 -> 241.7 s (-9.8%); the tables,
// and every run's checkpoint, metrics.jsonl and result.json metrics, identical. In CPU
// profiles of the whole job, before -> after (seconds): memclr 7.8 -> 1.3, memmove 5.7 ->
// 2.1, clipping 9.7 -> 1.5, attention's softmax 11.3 -> 4.0, LayerNorm's input gradient
// 6.0 -> 4.1, GELU forward 9.1 -> 7.0 and backward 7.6 -> 5.0, AdamW with clipping's
// rescale 12.4 -> 9.5; outside package gemm 95.9 -> 77.4 s of 269.4 -> 243.8.
package nn
