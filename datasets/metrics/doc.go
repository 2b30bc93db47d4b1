// Package metrics implements the evaluation metrics of the LoRA paper (Hu et al., 2021), each
// a small function over already-tokenized input whose doc comment gives its definition.
//
// Classification and regression, as GLUE scores the tasks of LoRA Table 2 (and the
// classification and regression tasks built here from real text):
//
//   - Accuracy: fraction of correct predictions (SST-2, MNLI, QNLI, QQP, RTE, MRPC).
//   - F1, MacroF1: harmonic mean of precision and recall for one class, or its mean over
//     classes (MRPC and QQP report F1 next to accuracy).
//   - MatthewsCorr: Matthews correlation, robust to unbalanced classes (CoLA).
//   - Pearson, Spearman: linear and rank correlation of predicted and gold scores (STS-B).
//
// Generation, as the E2E NLG challenge scores the data-to-text outputs of LoRA Table 3
// (BLEU, NIST, METEOR, ROUGE-L, CIDEr), and for the sequence-generation tasks built here
// (a word's phonemes from its spelling):
//
//   - ExactMatch: fraction of outputs equal to a reference.
//   - ErrorRate: edit distance over reference length (character, phoneme or word error rate).
//   - BLEU: geometric mean of clipped n-gram precisions, n = 1..4, with a brevity penalty.
//   - NIST: n-gram matches up to n = 5 weighted by their information in the references.
//   - METEOR: unigram F-measure weighted to recall, matching exact words then Porter stems,
//     with a penalty for fragmented matches.
//   - RougeL: F-measure of the longest common subsequence.
//   - CIDErD: TF-IDF-weighted n-gram cosine similarity to the references, with a length penalty.
//
// Generation metrics take hyps[i], the tokens of the i-th output, and refs[i], the token
// sequences of its references (at least one). Tokenize splits text the way the E2E scripts
// do. Scores are fractions in [0, 1] where the paper prints percentages (BLEU, ROUGE-L,
// accuracy...); NIST and CIDEr-D are on their own scales.
//
// Every metric returns an error, never panics, on bad input: inputs of different lengths
// (wrapping ErrLengthMismatch, with both lengths in the message), no examples (ErrEmpty), or
// values it cannot score (ErrInvalid). Results are deterministic: sums run in the order of
// the input, never in map order, so a score is bit-identical from run to run.
package metrics
