package sweeprun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"loralab/experiments/record"
	"loralab/model"
	"loralab/tuner"
)

// forgetting scores models of the runs on their base's held-out pretraining documents: those
// of the corpus split for a base the sweep pretrains, those its folder carries
// (model.HeldOutFile) for a base read with model.from. The held-out set and the base's
// score are made once per base and token count.
type forgetting struct {
	mu   sync.Mutex
	sets map[string]*heldOutEntry
}

type heldOutEntry struct {
	once sync.Once
	set  *model.HeldOutSet
	base model.HeldOutEval
	err  error
}

// probe measures one run: the held-out set of its base, the base's score and the score of
// the model before training.
type probe struct {
	set         *model.HeldOutSet
	base, step0 model.HeldOutEval
}

// start scores the model m (the method applied, not trained) on the held-out documents of
// its base, at most tokens held-out tokens, and returns the probe that finish completes
// after training. It returns nil when tokens is 0 or forgetting cannot be measured: a base
// that was neither pretrained by the sweep nor read from a folder carrying its held-out
// windows (model.HeldOutFile) has no held-out documents, and a prefix method needs slot
// positions that the pretraining text does not have.
func (f *forgetting) start(base Base, meth tuner.Method, m *model.Model, tokens, threads int) (*probe, error) {
	if lp, li := meth.Slots(); tokens == 0 || lp+li > 0 {
		return nil, nil
	}
	key, build := heldOutSource(base, tokens, threads)
	if build == nil {
		return nil, nil
	}
	e := f.entry(key, base.Model, build)
	if e.err != nil {
		return nil, fmt.Errorf("forgetting: %w", e.err)
	}
	step0, err := e.set.Score(m)
	if err != nil {
		return nil, fmt.Errorf("forgetting: %w", err)
	}
	return &probe{set: e.set, base: e.base, step0: step0}, nil
}

// heldOutSource says where the held-out windows of base come from, under a key naming them:
// the split of the corpus a base the sweep pretrained was pretrained on (model.NewHeldOutSet),
// or the windows its folder carries (model.ReadHeldOut), at most tokens held-out tokens. It
// returns a nil build for a base that has neither.
func heldOutSource(base Base, tokens, threads int) (key string, build func() (*model.HeldOutSet, error)) {
	switch {
	case base.Stats.Key != "":
		return fmt.Sprintf("pretrained %s %d", base.Stats.Key, tokens), func() (*model.HeldOutSet, error) {
			return model.NewHeldOutSet(base.Stats.Config, base.Corpus, base.Tok, tokens, threads)
		}
	case base.Dir != "" && hasHeldOutFile(base.Dir):
		return fmt.Sprintf("folder %s %d", base.Dir, tokens), func() (*model.HeldOutSet, error) {
			return model.ReadHeldOut(base.Dir, tokens, threads)
		}
	}
	return "", nil
}

// hasHeldOutFile reports whether the model folder dir has a model.HeldOutFile: any entry of
// that name, so that an unreadable one is an error when read rather than a silent gap.
func hasHeldOutFile(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, model.HeldOutFile))
	return !errors.Is(err, fs.ErrNotExist)
}

// entry returns the held-out set under key and the base's score on it, made on first use.
func (f *forgetting) entry(key string, base *model.Model, build func() (*model.HeldOutSet, error)) *heldOutEntry {
	f.mu.Lock()
	if f.sets == nil {
		f.sets = map[string]*heldOutEntry{}
	}
	e, found := f.sets[key]
	if !found {
		e = &heldOutEntry{}
		f.sets[key] = e
	}
	f.mu.Unlock()
	e.once.Do(func() {
		if e.set, e.err = build(); e.err == nil {
			e.base, e.err = e.set.Score(base)
		}
	})
	return e
}

// finish scores the trained model and returns the metrics recorded under record.ForgettingSplit.
func (p *probe) finish(m *model.Model) (map[string]float64, error) {
	after, err := p.set.Score(m)
	if err != nil {
		return nil, fmt.Errorf("forgetting: %w", err)
	}
	return map[string]float64{record.NLLBase: p.base.NLL, record.NLLStep0: p.step0.NLL, record.NLLAfter: after.NLL, record.NLLTokens: float64(after.Tokens)}, nil
}
