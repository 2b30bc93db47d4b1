// Package analysis turns the folders of a finished sweep into what the LoRA paper shows:
// comparison tables over seeds (Tables 2-6), subspace-similarity heatmaps (Section 7.2,
// Figures 3-4 and 6-7), the amplification study (Section 7.3, Table 7), plots of quality
// against rank and against the number of trainable parameters (Figure 2), learning curves,
// and a report.md that links them all. Beyond the paper, it measures what the update ΔW
// looks like and costs: forgetting of the base's pretraining text, the effective rank of ΔW,
// intruder dimensions of W + ΔW (formulas in package spectral), and Table 7 at the steps a
// run kept.
//
// The package only reads what runs leave behind (package record: result.json,
// metrics.jsonl, adapter_model.safetensors, checkpoint.safetensors and the kept steps
// under checkpoints/); it never trains. Every analysis of ΔW reads the fine-tuned weight less
// the base weight: plain LoRA's as s·B·A of its saved factors, any other method's (LoRA
// initialised from W, whose frozen weight is a residual; DoRA, VeRA, (IA)³, FT) by
// rebuilding the method on the base weights and merging it (package analysis/merge, passed
// as Options.Merge). Report is the entry point the sweep runner and `runexp report DIR` call:
//
//	spec, err := analysis.ParseSpec(yamlOfTheAnalysisSection) // Spec{} = the defaults
//	err = analysis.Report("results/quick", spec, os.Stdout)
//
// writes into the sweep folder
//
//	report.md                 the sweep, run counts, the command, every table and figure
//	report.html               the same as one self-contained page: tables sortable by click,
//	                          figures inline (SVG), a method filter, CSV export, and a Pareto
//	                          view of every run (metric against parameters, time or bytes)
//	tables/main.{md,csv,tex}  one row per method setting, one column per task: mean ± std,
//	                          95 % confidence interval, the learning rate chosen on
//	                          validation when several were searched, † for runs that predict
//	                          one class, a chance row; bold only where a paired test holds
//	tables/vs_lora.md         the best LoRA setting against each method, paired by seed
//	tables/<name>.*           one task under several metrics (Spec.Tables: paper Table 3)
//	tables/amplification.*    Table 7, when the spec asks for it
//	tables/forgetting.*, update_rank.*, intruders.*, amplification_steps.*
//	                          the update analyses, when the spec asks for them
//	tables/cost.*             seconds per step and memory per setting, when asked for
//	tables/base_strength.{md,csv}, figures/base_strength_<task>.*
//	                          on the base axis (model: {from: [DIR, ...]}): each setting's
//	                          metric and the LoRA − FT gap (confidence interval over seeds,
//	                          paired by seed) against the bases' pretraining tokens
//	tables/subspace_*.csv     phi(i, j) and its random baseline, per layer and matrix
//	figures/*.png, *.svg      heatmaps, metric vs rank, metric vs parameters (with the chance
//	                          line), validation metric vs learning rate, loss curves
//
// The analyses that read runs rather than the table (subspace, seed pairs, amplification,
// forgetting, update rank, intruders) read only the runs at the learning rate chosen for
// their setting and task, the runs the table reports; a run selector that matches none of
// them, or two at its lowest seed, is a note saying why.
// A sweep on the base axis never mixes its bases: the runs are aggregated per base (the
// learning rate chosen on each), and the comparison table, the comparison with LoRA, the
// metric tables and the figures of the sweep come once per base, their files named after
// the base's folder (tables/main_<base>.md, ...).
//
// Each part (Aggregate, BuildTable, Similarity, RandomSimilarity, Amplify, LinePlot,
// SaveHeatmaps, LoadSweep, LoadAdapter) is usable on its own.
//
// # Statistics
//
// Seeds are few (3 to 5), so every table cell gives mean ± sample standard deviation and a
// 95 % confidence interval from Student's t (MeanCI). Two settings are compared seed by seed
// (PairedTest): the same seed gives both the same head initialisation and data order, so the
// paired difference removes what the seed alone does. The decision is the paired t-test at
// p < 0.05; the exact sign-flip permutation test is reported beside it in the CSV, but its
// smallest p is 2/2^n (0.25 at 3 seeds, 0.0625 at 5), so below 6 seeds it can never reject
// and cannot decide. A best cell is bold only when it beats every other row and the chance
// score this way; a run that predicts one class for every input is flagged and never best.
//
// Output is deterministic: the same sweep folder and Spec give the same files, byte for
// byte (the random baselines are seeded by Spec.Seed).
package analysis
