// Package experiments expands a sweep file into training runs, runs them — resumable,
// parallel, shardable over many machines — and hands the finished sweep folder to the report.
// It is what `runexp sweep.yaml` does; the training of one run is an Executor's job.
//
// # The sweep file
//
// A sweep is one YAML document. Load checks all of it before anything runs and reports every
// problem at once, each as file:line:col: what was wrong, what was expected. Unknown keys are
// errors. A full example, with the default of each optional key:
//
//	name: table6_rank          # names the results folder: <out>/table6_rank/
//	version: 1                 # the format version (default 1)
//
//	model:
//	  arch: encoder            # encoder (RoBERTa-like, masked-LM) or decoder (GPT-2-like, causal LM)
//	  preset: tiny             # tiny, small or gpt2-small; or give every dimension below
//	  vocab: 4096              # BPE vocabulary size (default 4096)
//	  d_model: 128             # explicit dimensions override the preset's
//	  layers: 4
//	  heads: 4
//	  d_ff: 512
//	  max_len: 256
//	  dropout: 0.1
//	  activation: gelu         # gelu or relu
//	  pretraining:
//	    corpus: embedded-corpus  # a corpus task: embedded-corpus, moby-dick, sotu, real-english
//	    steps: 300             # 0 = no pretraining (a random base model)
//	    batch: 16              # default 16
//	    seq_len: 128           # default min(128, max_len)
//	    lr: 5e-4               # default 5e-4
//	    seed: 1                # default 1
//
//	data:                      # optional
//	  seed: 0                  # seed of the embedded data and of the splits (default 0)
//	  max_train: 2000          # caps on split sizes: 0 = the task's default, -1 = all
//	  max_validation: 500
//	  max_test: 500
//
//	tasks: [embedded-cls, embedded-reg]   # task names of package datasets (runexp data list)
//	# a task may give its own steps or epochs, replacing train's for its runs:
//	#   tasks: [{name: cmudict-g2p, steps: 2000}, {name: embedded-d2t, epochs: 3}, sotu-party]
//
//	train:
//	  steps: 400               # optimizer steps; or epochs: 3 (exactly one of the two; neither
//	                           # when every task gives its own)
//	  batch: 16                # default 16
//	  micro_batch: 8           # gradient accumulation; a divisor of batch (default batch)
//	  lr:                      # a number, or per method name or family with a default
//	    default: 1e-3
//	    lora: [1e-3, 3e-3]     # a method name ... (a list is a learning-rate search, below)
//	    adapter: 1e-3          # ... or a family: adapter (adapter_h/l/p/d), prefix (prefix_embed/layer)
//	    ft: 1e-4
//	  lr_tuning: grid          # grid: every lr on every seed; first_seed: every lr on the first
//	                           # seed, the other seeds at the chosen lr only (default grid)
//	  head_lr: 1e-3            # the task head's learning rate, its own parameter group, the same
//	                           # for every method (default: each method's lr)
//	  warmup: 0.06             # warmup as a fraction of the steps (default 0.06); or warmup_steps: 50
//	  schedule: linear         # linear, cosine or constant after warmup (default linear)
//	  seq_len: 128             # default min(128, max_len)
//	  weight_decay: 0.01       # default 0.01
//	  label_smoothing: 0       # default 0
//	  max_grad_norm: 1.0       # 0 = no clipping (default 1.0)
//	  eval_every: 100          # steps between evaluations; 0 = at the end only (default 0)
//	  eval_limit: 200          # validation examples of the periodic evaluations (default 0 = all;
//	                           # the final validation and test scores use every example)
//	  save_steps: [25, 50, 100]  # keep what was trained after these steps, under checkpoints/ (default none)
//	  forgetting_tokens: 8192  # held-out pretraining tokens read before and after, at most (default 0 = not measured):
//	                           # the split of a base the sweep pretrains, or the heldout.safetensors of a from: folder
//	                           # (models/encoder's: 108,585 tokens, 16,387 of them masked; asking more reads all of it,
//	                           # and the table gives the tokens scored); a folder without one is not measured
//	  generation:              # decoding of generation tasks (the paper: beam 10, 0.9, 4)
//	    beam: 10               # default 1 (greedy)
//	    length_penalty: 0.9    # default 1
//	    no_repeat_ngram: 4     # 0 = off (default 0)
//	    max_new_tokens: 64     # default 64
//
//	methods:                   # each entry: a method name and its fields; a list sweeps a field
//	  - {name: lora, rank: [1, 2, 4, 8, 64], targets: [[q], [q, v], [q, k, v, o]], alpha: 16}
//	  - {name: lora, rank: 8, targets: [q, v], layers: [2, 3], scaling: rslora, init: gaussian, dropout: 0.1}
//	  - {name: adapter_h, size: [4, 16]}
//	  - {name: adapter_d, size: 8, drop_k: 1}
//	  - {name: prefix_layer, prefix: [4, 16], infix: 0}
//	  - {name: ft, lr: 1e-4}   # lr on an entry beats train.lr
//	  - {name: fttop2}
//	  - {name: bitfit}
//	  - {name: lora, targets: [[q], [k], [v], [o], [q, k], [q, v], [q, k, v, o]], budget: 18432}
//
//	budget: {params: 18432, method: lora}  # optional: a budget for every lora entry without rank
//
//	seeds: [1, 2, 3]           # the replicate axis
//	threads: 2                 # total threads when --threads is not given (0 = all CPUs)
//
//	analysis:                  # what the report makes (package analysis); every key optional
//	  table:                   # the comparison table: tables/main.{md,csv,tex}, report.md/.html
//	    metric: accuracy       # the metric of every column (default: each task's main metric)
//	    split: test            # test, validation or train (default test)
//	  tables:                  # further tables, one task under several metrics (paper Table 3):
//	    - name: d2t            # tables/<name>.{md,csv,tex}
//	      task: embedded-d2t
//	      metrics: [bleu, nist, meteor, rouge_l, cider]
//	      split: test          # default test
//	  subspace:                # paper Figure 3: phi between the A matrices of two LoRA runs
//	    - a: {rank: 8}         # a run selector: setting (exact label), method, rank, targets,
//	      b: {rank: 64, targets: [q, v], task: embedded-cls, seed: 1}   # task, seed
//	      layers: [0, 3]       # blocks to compare (default: every block both runs adapted)
//	      matrices: [q, v]     # q, k, v, o, fc1, fc2 (default [q, v])
//	  seed_pairs:              # paper Figure 4: one setting trained from two seeds
//	    - {setting: {method: lora, rank: 8}, seeds: [1, 2], layers: [3], matrices: [q]}
//	  amplification:           # paper Table 7: how much the update amplifies directions of W
//	    ranks: [4, 64]         # the LoRA ranks compared (required)
//	    layers: [2]            # default: the middle block
//	    matrices: [q]          # default [q]
//	    task: embedded-cls     # default: any task
//	    base: pretrained/model.safetensors  # W, relative to the sweep folder (default: the runs' base)
//	  amplification_steps:     # Table 7 at each checkpoint of train.save_steps, against steps
//	    ranks: [1, 4, 16]      # the LoRA ranks followed (required); layers, matrices, task, base
//	                           # as in amplification
//	  forgetting:              # held-out pretraining loss after minus before fine-tuning, against
//	    task: sotu-era         # the task metric (runs measure it with train.forgetting_tokens)
//	  update_rank:             # effective rank of every update ΔW (FT's W_ft - W0, merged LoRA...)
//	    energy: 0.9            # singular values holding this share of ||ΔW||_F² (default 0.9),
//	                           # beside the entropy effective rank (Roy and Vetterli 2007)
//	    layers: [0, 3]         # default: every changed layer; matrices, task and base as above
//	  intruders:               # intruder dimensions of W + ΔW (Shuttleworth et al. 2024)
//	    k: 10                  # top singular vectors of W + ΔW examined (default 10)
//	    base_k: 0              # W's top singular vectors compared with (default 0 = all)
//	    epsilon: 0.5           # the table's threshold on the largest |cosine| (default 0.5)
//	    epsilons: [0.1, 0.5, 0.9]  # the figure's thresholds (default 0.1 ... 0.9)
//	  cost:                    # seconds per training step, tokens/s and each run's memory
//	    task: spam             # (result.json memory_bytes), per setting and task (default: every task)
//	  base_strength:           # on the base axis (model: {from: [DIR, ...]}): each setting's metric and
//	    tasks: [sotu-era-small]  # the LoRA − FT gap (95 % CI, paired by seed) against the bases'
//	    lora: lora r=8 q,v     # pretraining tokens; tasks default to all, lora and ft to the only
//	    ft: ft                 # setting of that method (the labels the tables show)
//	  plots: [heatmaps, rank, params, curves]  # the figures (default all of them; [] = none)
//	  heatmap_scale: fixed     # heat map colours: fixed (phi on 0-1, figures compare) or auto
//	                           # (the figure's own range, to tell small values apart)
//	  seed: 1                  # seed of the random baselines (default 1)
//
// The fields of a method entry are the keys its method declares in the registry of method
// kinds (package method; each method registers its kind from its own file, and the parser
// checks every value against the key's type and range): lora and lora_fa take rank, alpha,
// targets (q, k, v, o, fc1, fc2, emb, package model/target's table; default [q, v]), layers
// (default all), scaling (standard or rslora), init (kaiming or gaussian), dropout;
// adapter_h, adapter_l and adapter_p take size; adapter_d takes size and drop_k;
// prefix_embed and prefix_layer take prefix and infix; head_only, ft, fttop2, bitfit and ia3
// take nothing else; every method takes lr. A scalar is one value, a list is swept; for targets and layers, which are lists
// themselves, a list of lists is swept. An entry expands to the cartesian product of its
// fields, its last field varying fastest.
//
// # Learning-rate searches
//
// A list of learning rates, in train.lr or as an entry's lr, runs each setting at every rate,
// as the paper tuned each method's learning rate. The report picks, per task and setting, the
// rate with the best mean validation metric over the seeds every rate ran (ChooseLR; a rate
// that fails, or whose runs predict one class while another rate's learn, is out) and shows
// the test metric at that rate. lr_tuning: first_seed keeps the cost down: the first
// seed runs at every rate, and once all of a search's first-seed runs have ended, the other
// seeds run at the chosen rate only. The two phases are drawn from the full grid, so each run
// has the id it would have in a grid: a resumed sweep finds its runs, and reads the choice
// again from their results. On many workers a search whose first-seed runs are still running
// elsewhere waits; running the sweep again when they have ended runs its other seeds.
//
// The analyses that read runs rather than tables (subspace, seed_pairs, amplification,
// amplification_steps, update_rank, intruders, forgetting) read only the runs at the rate
// chosen for their setting and task, the runs the tables report. A run selector picks the run
// of the lowest seed among them; two runs at that seed (two tasks, say) are an error that asks
// for a task, setting or targets, and so is a selected run missing at the chosen rate (its
// search chose none, or it ran at other rates only); each becomes a note in the report.
//
// Problems in the analysis section are reported like the others, at the line of the key or
// value they are about (runexp checks it with analysis.ParseSpecNode).
//
// # Tasks from your own files
//
// Besides the built-in tasks, a task name may point at files: jsonl:DIR reads train.jsonl,
// validation.jsonl and, when present, test.jsonl (datasets.LoadJSONL); e2e:DIR reads the E2E
// NLG challenge's trainset.csv, devset.csv and testset_w_refs.csv (datasets.LoadE2E).
// glue:TASK:DIR reads a GLUE task folder as distributed, TASK one of CoLA, SST-2, MRPC, STS-B,
// QQP, MNLI, MNLI-mm, QNLI, RTE, WNLI. GLUE's test labels are private, so, as the paper
// reports, the splits of a GLUE task are:
//
//	test        the dev file: dev.tsv (MNLI: dev_matched.tsv, MNLI-mm: dev_mismatched.tsv)
//	validation  a seeded 5% of train.tsv (data.seed), split by sentence so that no sentence
//	            is on both sides
//	train       the rest of train.tsv
//
// test.tsv is not used. The main metric is the Matthews correlation for CoLA, the Pearson
// correlation for STS-B, and accuracy for the others (MRPC and QQP report F1 too).
//
// # Pretraining corpora
//
// Only the corpus's train split is pretrained on: a corpus drawn from the source of real
// tasks (sotu, real-english) keeps every validation and test document of those tasks out of
// it (package datasets).
//
// # Starting from a model folder
//
// Instead of pretraining, model: {from: DIR} reads the base from a model folder: one
// `runexp pretrain` wrote (or one of its kept checkpoints), any loralab model folder, or a
// Hugging Face GPT-2 or RoBERTa folder (model.Open). DIR is relative to the working
// directory. The folder gives the shape; shape keys beside from (arch, preset, vocab,
// d_model, layers, heads, d_ff, max_len, activation) are checked against it, and dropout,
// which only fine-tuning uses, may be changed:
//
//	model:
//	  from: models/encoder
//	  preset: small            # optional: an error at this line if the folder is not small
//	  dropout: 0.1
//
// pretraining: beside from is an error. The contents of the folder (HashModelFolder: the
// name, size and SHA-256 of each file the loader reads), not its path, are part of the run
// ids: the same base copied elsewhere gives the same ids, a retrained one new ids, and a
// folder changed after the sweep was read fails its runs rather than mixing two bases. A
// folder runexp pretrain wrote records its corpus and split seed (pretrain.ReadProvenance);
// the preflight refuses, at the task's line, a task drawn from that corpus's source split
// with another data.seed, whose held-out documents may be in the base's pretraining text.
//
// # The base axis
//
// A list of folders repeats every run of the sweep on each base, to compare bases (the
// base-strength study: one pretraining run's kept checkpoints, experiments/base_strength.yaml):
//
//	model:
//	  from: [models/encoder/checkpoints/step-000000, models/encoder/checkpoints/step-000916, models/encoder]
//
// The bases must hold one architecture (every key of config.json but dropout), be distinct
// in path and contents, and record their pretraining tokens in a stats.json (`runexp
// pretrain` writes it: "tokens" in a kept checkpoint, "tokens_seen" in the finished folder;
// BaseTokens); each problem is an error at its item. The shape keys beside from are checked
// against the first. The bases come first in the run order (all the runs of the first base,
// then of the second...), a run's axes name its folder (axis "base") and its config.json
// records it with its tokens (RunSpec.Base). A run has the id it would have in a sweep from
// that one folder, and a learning-rate search is per base. The report never mixes bases:
// it makes one comparison table per base, and analysis: {base_strength: ...} plots the
// metric and the LoRA − FT gap against the pretraining tokens (package analysis).
//
// # Pretraining recipes
//
// `runexp pretrain RECIPE.yaml` pretrains a base to a model folder that from: can read
// (package pretrain runs it; LoadRecipe reads the file, with the same file:line:col errors).
// The recipe (experiments/pretrain/encoder.yaml; defaults in brackets):
//
//	model: {arch: encoder, preset: small, vocab: 8192, max_len: 128}  # as above, without pretraining:
//	corpus: real-english       # a corpus task; only its train split is read
//	data_seed: 0               # the datasets seed the corpus is split with [0]: use the same in the sweeps
//	tokens: 40_000_000         # a token budget: steps = ceil(tokens / (batch * seq_len)); or steps: N
//	batch: 32                  # windows per step [32]
//	seq_len: 128               # tokens per window [min(128, max_len)]
//	lr: 5e-4                   # peak learning rate [5e-4]: linear warmup, then cosine decay to 0
//	warmup: 500                # warmup steps [steps / 20]
//	weight_decay: 0.01         # [0.01]
//	clip_norm: 1               # gradient-norm clipping, 0 = none [1]
//	seed: 1                    # [1]
//	held_out: 0.05             # fraction of the documents held out for evaluation [0.05]
//	eval_tokens: 65536         # held-out tokens per evaluation [65536]
//	eval_every: 250            # steps between evaluations [500]
//	checkpoint_minutes: 5      # wall time between saved training states [5]
//	keep: [0, 0.125, 0.25, 0.5]  # fractions of the run kept as model folders under OUT/checkpoints/
//	threads: 2                 # 0 = all CPUs [0]; no effect on the result
//	out: models/encoder        # the output model folder
//	fp16: true                 # store the output weights as F16 [false]
//
// The run is resumable: the training state is saved every checkpoint_minutes and on Ctrl-C,
// and the same command continues from it bit-identically. OUT ends up a model folder
// (config.json, model.safetensors, tokenizer.json) with stats.json, curve.csv and
// curve.png/.svg beside it.
//
// # Parameter budgets
//
// An entry with budget: N (or the sweep-wide budget: {params: N, method: M}) does not give its
// size: for each setting of its other fields SolveBudget picks the LoRA rank, adapter size or
// prefix length whose trainable-parameter count by the paper's formula is closest to N without
// going above it (the smallest size when nothing fits). This is the paper's Table 5: one
// budget, several target sets, each with its own rank. A list of budgets sweeps them (Table 4,
// Figure 2). The dry run and the runs' axes say what was chosen.
//
// # Runs and their folders
//
// Expand lists the runs in a stable order: bases (on the base axis), tasks, then method
// entries, then settings, then seeds. Each run's fully resolved config (model, pretraining,
// data, task, train settings, method setting, seed) is hashed into its id, RunSpec.RunID:
// the same run has the same id in any sweep and on any machine, and changing any field
// changes it. The thread count is not part of it: results are bit-identical whatever the
// threads. A task or corpus read from
// files (jsonl:DIR, e2e:DIR, glue:TASK:DIR) enters the id by the size and SHA-256 of every
// file in its folder (HashDir, recorded in RunSpec.Inputs), not by the folder's path:
// editing a file re-runs what reads it, moving the folder re-runs nothing. The SHA-256s are
// cached in the data cache folder (ContentCacheFile, under --cache or LORALAB_DATA) by path,
// size and mtime. Run writes
//
//	<out>/<name>/sweep.yaml             a copy of the sweep file
//	<out>/<name>/plan.json              every run of the sweep, in order (Plan)
//	<out>/<name>/runs/<id>/config.json  the RunSpec, written first
//	<out>/<name>/runs/<id>/metrics.jsonl  one record.Point per reported step, as the run goes
//	<out>/<name>/runs/<id>/result.json  record.Result, written last and atomically
//
// Before any run starts (and in a dry run), Preflight has an executor that is a Checker
// load and check every task and corpus the shard's runs read against their architecture and
// method; every problem is returned at once as Problems, at the line of the task, corpus or
// method entry concerned, and nothing is pretrained or run.
//
// A run folder is claimed with an O_EXCL .claim file whose heartbeat keeps it fresh, so
// workers on many machines (Options.Shard, ShardFromEnv for Slurm arrays and Kubernetes
// indexed Jobs) can share one results folder. Running a sweep again skips the runs whose
// result says done, and the failed ones unless Options.RetryFailed. A failed run (error,
// panic, non-finite loss) is recorded with its reason and the sweep goes on. Cancelling the
// context stops the running jobs; they leave no result, and the next Run starts them afresh.
//
// Sweeps under one results root share their runs. A run that another sweep folder of
// Options.Out has finished (the same id: the same base, data, training, method and seed) is
// adopted instead of trained: its files are hard-linked (copied across file systems) into
// this sweep's run folder, config.json and the labels of result.json are this sweep's, and
// result.json keeps the measurements and provenance of the run that trained it, with its
// folder in reused_from. Table 2, Figure 2, Tables 5 and 6 share many spam runs this way.
// Options.NoReuse (runexp --no-reuse) trains every run.
//
// # Using it
//
//	sw, err := experiments.Load("experiments/quick.yaml")
//	sum, err := experiments.Run(ctx, sw, experiments.Options{Jobs: 2, Progress: os.Stdout}, executor)
//	report, err := experiments.Status("results/quick")
package experiments
