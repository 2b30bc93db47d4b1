// Package lora implements LoRA, low-rank adaptation (Hu et al., 2021, arXiv 2106.09685), on
// loralab's transformers: a tuner.Method that freezes a pretrained model and trains, for
// chosen weight matrices W0 (d_out x d_in), a low-rank update
//
//	h = W0 x + s·B·A x,   A: r x d_in,  B: d_out x r,  s = alpha/r        (eq. 3 of the paper)
//
// with A random and B zero, so that the adapted model starts equal to the base model.
//
// # Settings (method.Spec)
//
//   - Targets: any of q, k, v, o (attention projections), fc1, fc2 (MLP) and emb (the token
//     embedding); Layers picks the blocks (nil: all). The embedding is not in a block and
//     is adapted whatever Layers says.
//   - Rank r and Alpha. Alpha 0 means alpha = r, so s = 1. The paper sets alpha to the first
//     r it tries and does not tune it: a rank sweep that follows it fixes alpha (say 8), so
//     that s = alpha/r shrinks as r grows.
//   - Scaling: "standard" s = alpha/r, or "rslora" s = alpha/sqrt(r) (Kalajdzievski, 2023).
//   - Init of A: "kaiming" (default), uniform on ±sqrt(6/((1+a²) fan_in)) with a = sqrt(5),
//     that is ±1/sqrt(fan_in), PyTorch's nn.Linear default, which PEFT uses for lora_A; or
//     "gaussian", N(0, σ²) with σ = 1/r, as PEFT's init_lora_weights="gaussian". A's draw
//     depends only on the seed and the tensor's name, so q's A is the same whether or not v
//     is adapted too. B starts at zero. Or, for Linear targets, A and B from the adapted
//     weight W itself, which is replaced by the frozen residual W − s·B·A so that the model
//     still starts equal to the base: "pissa" (top-r singular triplets), "milora" (bottom-r)
//     or "olora" (QR), each in its own file init_<name>.go.
//   - Dropout on the LoRA input x (not on W0 x), in training passes only, with a mask drawn
//     from the Context's seed and the update's own site: outputs are bit-identical for any
//     thread count.
//
// # Registration and variants
//
// lora.go registers LoRA's kind (Kind: keys, checks, label, formula, PEFT fields) and
// constructor with tuner.Register; a variant that reuses LoRA's update is one file that
// registers its own kind built on Kind and a type built on New (lora_fa.go: LoRA-FA, A
// frozen).
//
// Besides its settings above, LoRA has LoRA+'s lr_ratio (Hayou et al., 2024; lora_plus.go):
// B trains at that multiple of A's learning rate, through tuner.LRScaler. Two variants are
// methods of their own, each in one file: dora (DoRA, Liu et al., 2024; dora.go), a learned
// magnitude per output unit times the direction of W0 + s·B·A, and vera (VeRA, Kopiczko et
// al., 2024; vera.go), frozen random projections shared by all layers and two trainable
// vectors per matrix. Both are mergeable and export to PEFT (use_dora; peft_type VERA).
//
// # Tensors
//
// Each adapted Linear gets A [r, d_in] and B [d_out, r] named after the layer,
// blocks.3.attn.q.lora_A and blocks.3.attn.q.lora_B; its update is a model.Delta whose
// Forward is u = Linear(dropout(x), A), delta = Scale(Linear(u, B), s), never forming B·A.
// The embedding update is a model.RowsHook on the embedded input adding s·B·A[:, id] to the
// row of token id; it stores A transposed, tok_emb.lora_embedding_A [vocab, r], so that the
// columns of A are rows an embedding lookup gathers, and B as tok_emb.lora_embedding_B
// [d, r]. Trainable lists them (embedding first, then the Linears in model order), which is
// what tuner.Save writes and tuner.Load reads.
//
// On the tiny decoder preset (d=128, L=4, vocab 4096) the state a run keeps is 5,407,504
// bytes for full fine-tuning (every base tensor) and 66,976 bytes for LoRA r=8 on q, v
// (1.24%; TestSaveLoad measures both).
//
// # Merging
//
// Merge folds every Linear update into its weight, W ← W0 + s·B·A (one GEMM each), and takes
// the update out of the layer, so a merged model costs what the base costs. It keeps a copy
// of W0, and Unmerge restores that copy: W0 comes back bit for bit, which subtracting s·B·A
// from the rounded sum would not give. The embedding update stays a hook while merged:
// folding it into the token embedding would also change the decoder's tied LM head.
//
// # Several adapters on one base
//
// A Bank holds named adapters on one frozen model. Activate switches the adapter that serves
// whole batches without touching a base weight; a batch with AdapterIDs runs each sequence b
// (rows b*T..(b+1)*T-1) with its own adapter, or the base model for NoAdapter. In such a
// mixed batch each adapter computes its update over all rows and nn.ScaleRows keeps only the
// rows of its sequences, so a sequence gets bit for bit what it gets alone with its adapter.
// A Bank merges its active adapter like a single LoRA.
//
// # PEFT
//
// ExportPEFT writes a folder that Hugging Face PEFT reads: adapter_model.safetensors with
// base_model.model.<module>.lora_A.weight [r, d_in] and .lora_B.weight [d_out, r] (module
// like blocks.3.attn.q; for the embedding base_model.model.tok_emb.lora_embedding_A [r, vocab]
// and lora_embedding_B [d, r]) and adapter_config.json (peft_type LORA, r, lora_alpha,
// target_modules as module suffixes, lora_dropout, bias none, use_rslora, fan_in_fan_out
// false, layers_to_transform, init_lora_weights, task_type, base_model_name_or_path,
// modules_to_save).
// ImportPEFT reads such a folder onto a model, checking every key and shape; Bank.AddPEFT
// adds one to a bank. tuner.ExportRun, the sweep executor's export hook, leaves the adapter in
// each LoRA run's folder for the subspace analysis.
//
// A model imported from Hugging Face (model.Origin) is written under its own module paths,
// so that PEFT loads the adapter onto the checkpoint it came from (peft_layout.go,
// peft_hf.go): RoBERTa's roberta.encoder.layer.3.attention.self.query (target_modules the
// shortest unambiguous suffixes, "query", "value"; full paths where a suffix would also
// match an unadapted module, as output.dense does attention.output.dense), GPT-2's
// transformer.h.3.attn.c_attn with fan_in_fan_out true. GPT-2 fuses q, k and v into c_attn:
// LoRA on n of them is written as one LoRA on c_attn of rank n·r, A stacked and B
// block-structured (B·A is the n updates side by side), with rank_pattern and alpha_pattern
// giving c_attn rank n·r and the scale of the others. Reading, a rank-r c_attn LoRA with a
// dense B is PEFT's usual one: q, k and v share its A; a rank-n·r one must be
// block-structured, and is refused with the offending block otherwise. The model's
// classification head goes into modules_to_save (RoBERTa's classifier.dense and
// classifier.out_proj, saved as base_model.model.classifier.dense.weight and so on; loralab's
// own head.dense and head.out), ImportPEFT loads it back, and base_model_name_or_path is the
// checkpoint's _name_or_path or folder name.
//
// # Speed
//
// Measured side by side on this kind of machine (AMD EPYC, 2 cores shared with other jobs,
// load average 5-7, so the best of five is quoted):
//
//	go test -run '^$' -bench 'TrainStep|Forward' -count 5 ./lora
//
// BenchmarkTrainStep, one AdamW step of the causal-LM loss on 16 x 128 tokens of the
// d=128, L=4, vocab 4096 decoder, 2 threads:
//
//	ft           5,171 tokens/s   (PyTorch 1.13: 2,340; 2.2x)
//	lora_r8_qv   6,869 tokens/s   (PyTorch 1.13: 2,920; 2.4x)   LoRA/FT 1.33
//
// In a pprof profile of the LoRA step, LoRA's own forward (two thin products, Scale and Add
// per adapted matrix) takes 1.5% of the CPU time; the step is bounded by what FT and LoRA
// share: the vocabulary-wide cross-entropy (nn.crossEntropyRows: logSumExp with float64
// math.Exp over 16·128·4096 logits, a quarter of the time), the GEMMs (a third: frozen
// layers still need their input gradients, and the tied LM head is 2048 x 4096 x 128 each
// way) and attention (a sixth). That shared floor is why LoRA gains 1.2-1.3x over FT here
// (PyTorch: 1.25x) rather than more.
//
// BenchmarkForward, one sequence of 128 tokens, evaluation, 2 threads:
//
//	base            6.99 ms
//	lora_merged     6.98 ms   (+0%: merged weights cost what the base costs)
//	lora_unmerged   7.32 ms   (+5%: 8 extra pairs of thin products and adds)
package lora
