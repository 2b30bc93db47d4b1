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
// Trainable set and a Grad buffer; a frozen parameter (SetTrainable(false)) has no Grad
// and costs no gradient work: Linear with a frozen weight skips the dW product entirely.
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
// statistics, attention probabilities, GELU's tanh, softmax of the logits) come from
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
// # Threads and determinism
//
// Ops split their work over up to Threads() goroutines of a worker pool the tape owns;
// matrix products use gemm.Pool, one for whole activations and one single-threaded pool
// per worker for attention heads. Every kernel partitions its outputs, never a sum: rows
// for row-wise ops, (sequence, head) pairs for attention, columns for bias, LayerNorm-gain
// and embedding gradients (each goroutine walks all rows in order for its columns). So a
// result never depends on how work was split, and outputs and gradients are bit-identical
// for any thread count (TestThreadsBitIdentical compares 1, 2 and 3). Dropout draws its
// mask from a hash of (seed, element index), not from a shared generator.
//
// # Ops and their equations
//
// Forward and backward (dy is the output gradient; every input gradient is accumulated):
//
//	Linear(x [N,in], W [out,in], b [out])  y = x Wᵀ + b
//	    dx += dy W,  dW += dyᵀ x,  db += Σ_rows dy
//	Add(a, b)  y = a + b;  da += dy, db += dy
//	Scale(x, s)  y = s·x;  dx += s·dy
//	ScaleRows(x, s)  y_r = s_r·x_r (s constant);  dx_r += s_r·dy_r
//	Embedding(E [V,D], ids)  y_i = E[ids_i];  dE[ids_i] += dy_i
//	GatherRows(x, rows)  y_i = x[rows_i];  dx[rows_i] += dy_i
//	LayerNorm(x, g, b, ε)  x̂ = (x-μ)/√(σ²+ε) per row, y = g⊙x̂ + b
//	    dx += (ĝ - mean(ĝ) - x̂·mean(ĝ⊙x̂))/√(σ²+ε) with ĝ = dy⊙g;  dg += Σ dy⊙x̂;  db += Σ dy
//	GELU(x)  y = x/2·(1 + τ), τ = tanh(√(2/π)(x + 0.044715x³))  (GPT-2's approximation)
//	    dx += dy·(½(1+τ) + ½x(1-τ²)·√(2/π)(1 + 3·0.044715x²))
//	Tanh(x)  y = tanh x;  dx += dy(1-y²)
//	ReLU(x)  y = max(0,x);  dx += dy·[y>0]
//	Dropout(x, p, seed)  y = x·m/(1-p), m_i = [hash(seed,i) ≥ p];  dx += dy·m/(1-p)
//	Attention(Q, K, V)  per sequence and head: P = softmax(QKᵀ/√d_h + M), O = P V
//	    M = -∞ where causal (key j > TK-TQ+i) or padding hides a key; a row that sees
//	    nothing gives P = 0, O = 0.
//	    dV += Pᵀ dO, dP = dO Vᵀ, dS = P⊙(dP - rowsum(P⊙dP)), dQ += dS K/√d_h, dK += dSᵀ Q/√d_h
//	ConcatSeq, SliceSeq, TileBatch, SetRows  move rows; backward routes each output row's
//	    gradient to its source row (TileBatch sums the batch copies in order; rows that
//	    SetRows replaced get none)
//	CrossEntropy(x [N,V], t, ignore, ε)  lse = log Σ_v e^{x_v}, over counted rows c:
//	    L = 1/c Σ_rows (1-ε)(lse - x_t) + ε(lse - mean_v x_v)
//	    dx_v += dL/c·(softmax(x)_v - (1-ε)[v=t] - ε/V)
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
package nn
