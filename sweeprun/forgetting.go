package sweeprun

import (
	"fmt"
	"sync"

	"loralab/experiments/record"
	"loralab/model"
	"loralab/tuner"
)

// forgetting scores models of the runs on their base's held-out pretraining documents. The
// held-out set and the base's score are made once per base and token count.
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
// its base, at most tokens predicted tokens, and returns the probe that finish completes
// after training. It returns nil when tokens is 0 or forgetting cannot be measured: a base
// that was not pretrained has no held-out documents, and a prefix method needs slot
// positions that the pretraining text does not have.
func (f *forgetting) start(base Base, meth tuner.Method, m *model.Model, tokens, threads int) (*probe, error) {
	if lp, li := meth.Slots(); tokens == 0 || base.Stats.Key == "" || lp+li > 0 {
		return nil, nil
	}
	e := f.entry(base, tokens, threads)
	if e.err != nil {
		return nil, fmt.Errorf("forgetting: %w", e.err)
	}
	step0, err := e.set.Score(m)
	if err != nil {
		return nil, fmt.Errorf("forgetting: %w", err)
	}
	return &probe{set: e.set, base: e.base, step0: step0}, nil
}

// entry returns the held-out set of a base and the base's score, made on first use.
func (f *forgetting) entry(base Base, tokens, threads int) *heldOutEntry {
	key := fmt.Sprintf("%s %d", base.Stats.Key, tokens)
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
		if e.set, e.err = model.NewHeldOutSet(base.Stats.Config, base.Corpus, base.Tok, tokens, threads); e.err == nil {
			e.base, e.err = e.set.Score(base.Model)
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
