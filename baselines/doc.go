// Package baselines implements the fine-tuning baselines of the LoRA paper (Hu et al., 2021,
// Section 5.1) as tuner.Methods. Each registers its kind and constructor (tuner.Register)
// from its file — subset.go, adapters.go, prefix.go, headonly.go — and is built by
// name with tuner.New:
//
//	head_only     the linear probe: the base frozen, only the task head trains
//	ft            full fine-tuning: every base tensor trains
//	fttop2        only the last two transformer blocks train (Li & Liang, 2021)
//	bitfit        only the biases train, LayerNorm biases included (Zaken et al., 2021)
//	prefix_embed  l_p prefix and l_i infix trainable input embeddings
//	prefix_layer  trainable activations at the slot positions of every layer's input
//	adapter_h     Houlsby et al. (2019): adapters after attention and after the MLP,
//	              the block's LayerNorms trainable
//	adapter_l     Lin et al. (2020): one adapter with its own LayerNorm after the MLP
//	adapter_p     Pfeiffer et al. (2021): one adapter after the MLP, LayerNorms frozen
//	adapter_d     AdapterDrop (Rücklé et al., 2020): adapter_h without adapters in the
//	              lowest Spec.DropK blocks
//
// Every method freezes the whole base model when applied and then unfreezes or adds only
// what it trains, so that tuner.Count's actual trainable count equals the paper's formula
// (method.PaperParams): the tests check the equality on encoders and decoders of several
// shapes.
//
// # Adapters
//
// An adapter is a bottleneck with a residual connection, applied to a sublayer's output h
// [N, d] before it joins the residual stream:
//
//	adapter(h) = h + W_up act(W_down LN(h) + b_down) + b_up
//
// with W_down [r, d], b_down [r], W_up [d, r], b_up [d]: 2dr + r + d parameters, the
// paper's count. LN is present in adapter_l only (a new LayerNorm on the adapter input,
// 2d more parameters, the paper's L_LN). The nonlinearity act is the model's own (GELU in
// the presets); the adapter papers use ReLU or similar, and a smooth one keeps small
// bottlenecks from dying.
//
// W_down is drawn from N(0, 0.02²), like the base model's weights; W_up and both biases
// start at zero, so that a freshly applied adapter is the identity and the adapted model
// starts exactly equal to the pretrained one (Houlsby et al. start near the identity for
// the same reason). With W_up = 0 the first gradient reaches only W_up and b_up; W_down
// and b_down learn from the second step on.
//
// # Prefix methods
//
// The trainer lays every input out with l_p prefix slots after the first token and l_i
// infix slots before the separator (see model.Batch.Slots); a slot holds a placeholder
// token. prefix_embed replaces the embedded input at the slot rows by rows of a trainable
// table P [l_p + l_i, d]; prefix_layer does so at the input of every block, with one table
// per block.
//
// The paper counts prefix_layer as L d (l_p + l_i): L layers of activations. A model of L
// blocks has L + 1 hidden states (the embedded input and the output of each block), but
// the last block's output at a slot row feeds nothing except that row's own final state,
// which no loss reads. So the L trainable tables are the inputs of the L blocks: table 0
// replaces the embedded input (a Model.EmbedHook) and table i, for i >= 1, replaces the
// output of block i-1 (a Block.OutHook). Every block then attends to trainable keys and
// values at the slot positions, which is what prefix-layer tuning trains (Li & Liang,
// 2021), and the actual count equals the formula.
//
// Prefix tables start from activations of real tokens, which Li & Liang found trains
// better than random vectors: the base model is run once on l_p + l_i tokens drawn
// uniformly from the vocabulary by the Apply seed, and row j of table i is the input of
// block i at position j of that sequence (for prefix_embed only table 0, the embedded
// token j: token plus position embedding, and the embedding LayerNorm for the encoder).
// The replaced rows skip embedding dropout: EmbedHooks run after it.
//
// # Merging
//
// ft, fttop2 and bitfit change base tensors in place and have nothing to merge: Merge and
// Unmerge return nil. Adapters and prefixes add computation that cannot be folded into
// the base weights: they return tuner.ErrCannotMerge, and their inference pays for it
// (the latency study, paper Table 1).
package baselines
