package sweeprun

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"loralab/datasets"
	"loralab/experiments"
	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/pretrain"
)

// BaseConfig says how to build the pretrained model a run starts from: its shape, the
// corpus (a task name of kind corpus) and the pretraining settings; or, with From set, the
// model folder to read it from instead.
type BaseConfig struct {
	Model model.Config // NumLabels is ignored: heads are added per task
	// From is a model folder (model.Open: loralab or Hugging Face GPT-2 / RoBERTa) and
	// FromSHA256 the experiments.HashModelFolder its contents had when the sweep was read; a folder
	// changed since is an error, not a silently different base.
	From       string
	FromSHA256 string
	Corpus     string
	Steps      int
	Batch      int
	SeqLen     int
	LR         float64
	Seed       uint64
	DataSeed   uint64 // seed of the embedded corpus
	Threads    int
}

// Bases builds base models once per process and shares them: runs that need the same base
// wait for the first to build it rather than pretraining it again.
type Bases struct {
	// CacheDir holds the fetched data, pretrained models and tokenizers; "" means the
	// datasets package's default cache folder.
	CacheDir string
	mu       sync.Mutex
	building map[string]*baseEntry
	builds   int // bases built or loaded so far, for the tests
}

type baseEntry struct {
	once sync.Once
	base Base
	err  error
}

// Base is a pretrained model with its tokenizer, its pretraining statistics and the
// checkpoint folder it is cached in.
type Base struct {
	Model *model.Model // shared and frozen: Share or Clone it before changing it
	Tok   *tokenizer.Tokenizer
	Stats model.PretrainStats
	// Dir is the folder the model is cached in or was read from (model.from); a folder that
	// carries model.HeldOutFile gives the held-out windows that measure forgetting.
	Dir string
	// Corpus is the pretraining corpus's documents, from which the held-out ones that
	// measure forgetting are drawn (model.NewHeldOutSet).
	Corpus []string
}

// NewBases returns a base-model builder caching under cacheDir.
func NewBases(cacheDir string) *Bases {
	if cacheDir == "" {
		cacheDir = datasets.DefaultCacheDir()
	}
	return &Bases{CacheDir: cacheDir, building: map[string]*baseEntry{}}
}

// Get returns the pretrained base model for cfg. progress sees pretraining steps.
func (b *Bases) Get(ctx context.Context, cfg BaseConfig, progress func(step, total int, loss float64)) (Base, error) {
	key := fmt.Sprintf("%+v", cfg)
	b.mu.Lock()
	e, ok := b.building[key]
	if !ok {
		e = &baseEntry{}
		b.building[key] = e
	}
	b.mu.Unlock()
	e.once.Do(func() {
		e.base, e.err = b.build(ctx, cfg, progress)
		if e.err == nil {
			e.base.Model.Freeze() // runs share it read-only: no gradient buffers
		}
		b.mu.Lock()
		b.builds++
		b.mu.Unlock()
	})
	if e.err != nil {
		b.mu.Lock()
		delete(b.building, key) // a cancelled or failed build may be retried
		b.mu.Unlock()
	}
	return e.base, e.err
}

func (b *Bases) build(ctx context.Context, cfg BaseConfig, progress func(step, total int, loss float64)) (Base, error) {
	if cfg.From != "" {
		return fromFolder(b.CacheDir, cfg)
	}
	docs, err := pretrain.CorpusDocs(ctx, b.CacheDir, cfg.DataSeed, cfg.Corpus)
	if err != nil {
		return Base{}, fmt.Errorf("base model: %w", err)
	}
	tok, err := pretrain.CorpusTokenizer(docs, cfg.Corpus, cfg.Model.Vocab, b.CacheDir)
	if err != nil {
		return Base{}, fmt.Errorf("base model: %w", err)
	}
	mc := cfg.Model
	mc.NumLabels = 0
	if cfg.Steps == 0 {
		// No pretraining: the sweep asks for a randomly initialised base, the control
		// that shows what pretraining is worth.
		m, err := model.NewModel(mc, cfg.Seed)
		if err != nil {
			return Base{}, fmt.Errorf("base model: %w", err)
		}
		return Base{Model: m, Tok: tok, Corpus: docs}, nil
	}
	pc := model.PretrainConfig{Model: mc, Corpus: cfg.Corpus, Steps: cfg.Steps, Batch: cfg.Batch,
		SeqLen: min(cfg.SeqLen, mc.MaxLen), LR: float32(cfg.LR), Warmup: cfg.Steps / 20,
		WeightDecay: 0.01, ClipNorm: 1, Seed: cfg.Seed, Threads: cfg.Threads}
	var cb func(int, float64)
	if progress != nil {
		cb = func(step int, loss float64) { progress(step, cfg.Steps, loss) }
	}
	p, err := model.Pretrain(ctx, pc, docs, tok, filepath.Join(b.CacheDir, "pretrained"), cb)
	if err != nil {
		return Base{}, fmt.Errorf("base model: %w", err)
	}
	return Base{Model: p.Model, Tok: tok, Stats: p.Stats, Dir: p.Dir, Corpus: docs}, nil
}

// fromFolder reads the base from the model folder cfg.From, checking that it is the folder
// the sweep was read with (same content hash, with the file SHA-256s remembered in
// cacheDir; same config up to dropout; a tokenizer). A classification head the folder
// carries is dropped: heads are added per task.
func fromFolder(cacheDir string, cfg BaseConfig) (Base, error) {
	digest, err := experiments.HashModelFolder(cacheDir, cfg.From)
	if err != nil {
		return Base{}, fmt.Errorf("base model: %w", err)
	}
	if digest != cfg.FromSHA256 {
		return Base{}, fmt.Errorf("base model: the folder %s changed since the sweep was read (contents %.12s, want %.12s)", cfg.From, digest, cfg.FromSHA256)
	}
	m, tok, err := model.Open(cfg.From)
	if err != nil {
		return Base{}, fmt.Errorf("base model: %w", err)
	}
	if tok == nil {
		return Base{}, fmt.Errorf("base model: %s has no tokenizer (tokenizer.json, or vocab.json and merges.txt)", cfg.From)
	}
	m.Head, m.Cfg.NumLabels = nil, 0
	want := cfg.Model
	want.NumLabels, want.Dropout = 0, m.Cfg.Dropout
	if m.Cfg != want {
		return Base{}, fmt.Errorf("base model: %s holds a model of config %+v, the sweep expects %+v", cfg.From, m.Cfg, want)
	}
	m.Cfg.Dropout = cfg.Model.Dropout
	return Base{Model: m, Tok: tok, Dir: cfg.From}, nil
}
