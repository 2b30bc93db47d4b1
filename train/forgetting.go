package train

import (
	"fmt"
	"sync"

	"loralab/model"
	"loralab/tuner"
)

// Forgetting is recorded in a run's result under the metrics key ForgettingSplit: the
// held-out pretraining loss (mean NLL in nats; masked-LM for an encoder, next-token for a
// decoder) of the base, of the model with the method applied before any step, and of the
// fine-tuned model, on the same held-out tokens.
const (
	ForgettingSplit = "heldout"
	NLLBase         = "nll_base"  // the base model
	NLLStep0        = "nll_step0" // the method applied, untrained: differs from the base for methods that do not start as the identity
	NLLAfter        = "nll"       // after fine-tuning, with the parameters the run kept
	NLLTokens       = "tokens"    // predicted tokens scored
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

// measurer returns a function that scores a model on base's held-out documents, and the
// base's own score; ok is false when forgetting cannot be measured: a base that was not
// pretrained has no held-out documents, and a prefix method needs slot positions that the
// pretraining text does not have.
func (f *forgetting) measurer(base Base, meth tuner.Method, tokens, threads int) (score func(*model.Model) (model.HeldOutEval, error), baseEval model.HeldOutEval, ok bool, err error) {
	if lp, li := meth.Slots(); base.Stats.Key == "" || lp+li > 0 {
		return nil, model.HeldOutEval{}, false, nil
	}
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
	if e.err != nil {
		return nil, model.HeldOutEval{}, false, fmt.Errorf("forgetting: %w", e.err)
	}
	return e.set.Score, e.base, true, nil
}

// forgettingMetrics are the three scores as recorded under ForgettingSplit.
func forgettingMetrics(base, step0, after model.HeldOutEval) map[string]float64 {
	return map[string]float64{NLLBase: base.NLL, NLLStep0: step0.NLL, NLLAfter: after.NLL, NLLTokens: float64(after.Tokens)}
}
