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
// Hu et al. 2021 eq. 3); a Block's AfterAttn and AfterMLP hooks transform a sublayer's output
// before the residual add (adapters); Model.EmbedHooks and Block.OutHooks transform whole
// hidden-state matrices (prefix-embedding and prefix-layer tuning replace the slot rows named
// in the Batch). Every Delta and hook receives the Context of the pass.
//
// The package also holds decoding with a KV cache (greedy and beam search), masked-LM and
// causal-LM pretraining with an on-disk cache, loralab checkpoints (model.safetensors with
// the config in its metadata, plus the tokenizer) and import of local Hugging Face GPT-2 and
// RoBERTa folders.
package model
