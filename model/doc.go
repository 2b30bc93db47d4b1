// Package model builds the two transformer families loralab studies, on package nn:
//
//   - the encoder, post-LN and bidirectional like RoBERTa: LNEmb(tok + pos), then per block
//     x = LN1(x + Attn(x)), x = LN2(x + MLP(x)), and a classification head on the first
//     token, logits = Out(tanh(Dense(h0)));
//   - the decoder, pre-LN and causal like GPT-2: x = tok + pos, then per block
//     x = x + Attn(LN1(x)), x = x + MLP(LN2(x)), a final LNF, and an LM head tied to the token
//     embedding, logits = h TokEmb^T.
//
// Fine-tuning methods (packages lora and baselines) plug into a Model through its exported
// fields: a Linear computes y = x W^T + b + sum of its Deltas' outputs (LoRA's h = W0 x + B A x,
// Hu et al. 2021 eq. 3), rescaled by its Scales at their sites (input columns, weight rows or
// the whole output: (IA)³'s vectors, DoRA's magnitude); a Block's AfterAttn and AfterMLP hooks transform a sublayer's output
// before the residual add (adapters); Model.EmbedHooks and Block.OutHooks transform whole
// hidden-state matrices (prefix-embedding and prefix-layer tuning replace the slot rows named
// in the Batch). Every Delta, Scale and hook receives the Context of the pass. The matrices a
// method may adapt are listed once, with their module paths and shapes, in package
// model/target; Block.Matrix finds them.
//
// The package also holds
//
//   - decoding with a KV cache (Model.NewCache, Model.ForwardCached): Model.Generate, greedy
//     or beam search with a length penalty log P / |y|^alpha, a no-repeat n-gram rule over
//     the generated tokens, eos and a token budget, batched over left-padded prompts;
//   - Pretrain: masked-LM (encoder; 15% of tokens, 80% mask / 10% random / 10% kept,
//     special tokens never chosen) or causal-LM (decoder) training with AdamW, a
//     document-level held-out split scored against a unigram baseline, cached on disk under a
//     hash of everything that fixes the result. Encoder windows are framed as RoBERTa's (<s>,
//     then documents each closed by </s>), so the classification token is trained; decoder
//     documents are separated by the end-of-text token. Pretrainer takes it one step at a
//     time and saves and loads its whole state (weights, AdamW moments, sampler, step), so
//     that a resumed run continues bit-identically
//   - held-out windows (HeldOutSet): the split's windows with their targets, rebuilt from the
//     corpus (NewHeldOutSet) or read from the model folder that carries them (ReadHeldOut of
//     heldout.safetensors, written by Save, WriteHeldOut and Pretrainer.SaveHeldOut), to
//     score a base and its fine-tuned versions on text the base never trained on (forgetting);
//   - checkpoints (Save, SaveAs for F16, Load: model.safetensors with the config in its
//     metadata, config.json for readers, tokenizer.json; arch.ModelFiles lists the files that
//     identify a folder's model), import of local Hugging Face GPT-2 and RoBERTa folders (ImportGPT2,
//     ImportRoBERTa, Open for any of the three) and LMScore, the mean next-token NLL of a text.
//
// Determinism: the same config and seed give bit-identical training on any number of
// threads, because every nn op is thread-count independent and dropout masks derive from
// (Context.Seed, layer, site) through SubSeed.
//
// Throughput (BenchmarkDecoderTrain: decoder d=128 L=4 h=4 vocab 4096, batch 16 x 128
// tokens, full fine-tuning AdamW step, AMD EPYC, 2 cores shared with other jobs): about
// 3,950 tokens/s, against 2,340 for PyTorch 1.13 on the same shape. The profile is nn's: the
// GEMM micro-kernel and packing take about half the time, the log-sum-exp of the
// cross-entropy over the 4096-token vocabulary a fifth; this package's own code does not
// show.
package model
