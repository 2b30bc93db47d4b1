// Package pretrain runs a pretraining recipe to a model folder: the work behind
// `runexp pretrain FILE.yaml`.
//
// A Recipe names the model shape, the corpus (a datasets task of kind corpus, of which only
// the train split is read: see package datasets for why that keeps every task's validation
// and test documents out of pretraining), the budget in steps or tokens, the optimiser
// settings and the output folder. Run trains with model.Pretrainer and
//
//   - checkpoints the whole training state (weights, AdamW moments, sampler, step) to
//     OUT/resume/state.safetensors every few minutes, atomically, and on Ctrl-C; running the
//     same recipe again resumes from it and continues bit-identically, so a kill loses at
//     most one checkpoint interval;
//   - evaluates the held-out loss, perplexity and masked-LM (or next-token) accuracy every
//     eval interval, into OUT/curve.csv and the figure OUT/curve.png / .svg;
//   - keeps the model at chosen fractions of the run as full model folders under
//     OUT/checkpoints/ (the base-strength study fine-tunes from them), each with a
//     stats.json of its point of the run, corpus and data seed, and the run's held-out
//     windows;
//   - writes OUT as a model folder: config.json, model.safetensors (F32 or F16),
//     tokenizer.json, heldout.safetensors (model.HeldOutFile: the leading held-out windows
//     of the split with their targets, those its held-out evaluation reads and more if they
//     predict fewer than 16,384 tokens, with which a sweep measures forgetting on a base
//     read from the folder) and stats.json (steps, tokens seen, wall time, sessions with
//     load averages, tokens/s, held-out perplexity against the unigram's), stats.json
//     last, so that its presence marks a finished run.
//
// ReadProvenance reads back from such a folder the corpus and the data seed of its split;
// Provenance.Leak says when a task drawn from the corpus's source, split with another seed,
// may hold documents the base was pretrained on (the preflight of model: {from: DIR}).
//
// Progress shows as a bar with ETA on a terminal and as plain lines otherwise.
package pretrain
