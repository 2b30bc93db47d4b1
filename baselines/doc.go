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
//	adapter_l     Lin et al. (2020): one adapter with its own LayerNorm on each block's
//	              output, after the MLP's residual add
//	adapter_p     Pfeiffer et al. (2021): one adapter on each block's output, no
//	              LayerNorm trained
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
// An adapter is a bottleneck with a residual connection on a hidden-state matrix h [N, d]:
//
//	adapter(h) = h + W_up act(W_down LN(h) + b_down) + b_up
//
// with W_down [r, d], b_down [r], W_up [d, r], b_up [d]: 2dr + r + d parameters, the
// paper's count. LN is present in adapter_l only (a new LayerNorm on the adapter input,
// 2d more parameters, the paper's L_LN). The variants differ in where they put it and in
// act:
//
//   - adapter_h and adapter_d put one on the attention output and one on the MLP output,
//     each before its sublayer joins the residual stream (Houlsby et al.), with the
//     model's own nonlinearity (GELU in the presets);
//   - adapter_l and adapter_p put one on the output of every block, after the MLP's
//     residual add (and, in the post-LN encoder, after LN2), with a ReLU, as their sources
//     do. The LoRA paper's AdapterL sits after the MLP and a LayerNorm, and it counts
//     AdapterP as a close variant: here the two differ only in adapter_l's LayerNorm.
//
// W_down is drawn from N(0, 0.02²), like the base model's weights; W_up and both biases
// start at zero, so that a freshly applied adapter is the identity and the adapted model
// starts exactly equal to the pretrained one (Houlsby et al. start near the identity for
// the same reason). With W_up = 0 the first gradient reaches only W_up and b_up; W_down
// and b_down learn from the second step on.
//
// # Fidelity of adapter_l and adapter_p to their sources
//
// Lin et al.'s released GPT-2 code adds, at the end of every block, after x + MLP(LN2(x)),
// h + W_D ReLU(W_E LN(h)) with a LayerNorm of the adapter's own and biases in both
// projections. adapter_l computes exactly this on the decoder, and the same on the block
// output of the encoder, which Lin et al. do not treat.
//
// Pfeiffer et al. chose one adapter after the feed-forward sublayer, with a ReLU and no
// LayerNorm of its own (their configuration as the AdapterHub library ships it). With s =
// x + FFN(x), the adapter reads the sublayer's output after its residual add and the
// block's LayerNorm, its skip connection carries FFN(x), and the block's (frozen)
// LayerNorm is applied again after it: LN2(s + δ(LN2(s))) in a post-LN block, where δ is
// the bottleneck W_up ReLU(W_down · + b_down) + b_up, and s + δ(s) in a pre-LN block, which
// has no LayerNorm there. adapter_p computes s + δ(s) on the decoder, exactly. On the
// encoder it computes LN2(s) + δ(LN2(s)): the adapter reads the same input and its update
// joins the residual stream, but after LN2 instead of before a second application of it.
// The exact form needs the MLP's residual input inside a hook, which the model's hooks do
// not pass (a hook on the MLP output would see FFN(x) only, not LN2(s)); we keep the input
// exact and leave the update unnormalised. The parameter count is the same either way.
//
// Both sources draw W_up like W_down, from N(0, 0.02²) (Lin et al. initialise new modules
// as GPT-2's; AdapterHub's default initialisation does the same), so their adapters start
// near, not at, the identity. We start W_up at zero, as for the other adapters, so that
// every method's step-0 model is the pretrained one.
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
