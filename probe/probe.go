// Package probe measures what a frozen model's features already carry about a task: it
// fits a linear model (multinomial logistic regression for classification, ridge for
// regression, the L2 strength chosen on the validation split) on a fixed feature of every
// example and scores it with the task's metrics.
//
// The default feature is the final hidden state of the first token, <s>, which is what the
// RoBERTa classification head reads; "mean" averages the states of the real (non-pad)
// tokens, and "last" takes the state of the last real token (the one a causal decoder has
// seen the whole input at). A probe is the ceiling of what training only a head on the
// frozen base can reach, so a task on which the probe already matches full fine-tuning does
// not test adaptation.
package probe

import (
	"fmt"
	"math"

	"loralab/datasets"
	"loralab/internal/linfit"
	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/nn"
	"loralab/train"
)

// Pooling names the feature read from the final hidden states.
const (
	PoolFirst = "first"
	PoolMean  = "mean"
	PoolLast  = "last"
)

// Options set up a probe.
type Options struct {
	// Pool is PoolFirst, PoolMean or PoolLast; "" means PoolFirst for an encoder and
	// PoolLast for a decoder.
	Pool string
	// MaxLen caps an example's tokens; 0 means the model's max_len.
	MaxLen  int
	Threads int
}

// Result is the probe's scores on one task.
type Result struct {
	Task       string             `json:"task"`
	Pool       string             `json:"pool"`
	Features   int                `json:"features"`
	Penalty    float64            `json:"penalty"` // the L2 strength chosen on validation
	Validation map[string]float64 `json:"validation"`
	Test       map[string]float64 `json:"test"`
}

// Run fits the probe on the task's train split and scores it on validation and test.
func Run(m *model.Model, tok *tokenizer.Tokenizer, task *datasets.Task, o Options) (Result, error) {
	if task.Kind != datasets.Classification && task.Kind != datasets.Regression {
		return Result{}, fmt.Errorf("probe %s: a %s task has no linear probe (want classification or regression)", task.Name, task.Kind)
	}
	o = o.withDefaults(m)
	feats := make([][][]float64, 3)
	for i, split := range [][]datasets.Example{task.Train, task.Validation, task.Test} {
		f, err := Features(m, tok, task.Kind, split, o)
		if err != nil {
			return Result{}, fmt.Errorf("probe %s: %w", task.Name, err)
		}
		feats[i] = f
	}
	rows := standardize(feats[0], feats[1:]...)
	features := m.Cfg.DModel + 1
	res := Result{Task: task.Name, Pool: o.Pool, Features: m.Cfg.DModel}
	var pv, pt datasets.Predictions
	if task.Kind == datasets.Classification {
		lm, penalty, err := linfit.ChooseLogistic(rows[0], datasets.Labels(task.Train), rows[1], datasets.Labels(task.Validation), features, len(task.Labels))
		if err != nil {
			return Result{}, fmt.Errorf("probe %s: %w", task.Name, err)
		}
		res.Penalty = penalty
		pv.Labels, pt.Labels = lm.Predict(rows[1]), lm.Predict(rows[2])
	} else {
		w, penalty, err := linfit.ChooseRidge(rows[0], datasets.Targets(task.Train), rows[1], datasets.Targets(task.Validation), features)
		if err != nil {
			return Result{}, fmt.Errorf("probe %s: %w", task.Name, err)
		}
		res.Penalty = penalty
		pv.Values, pt.Values = linfit.PredictLinear(rows[1], w), linfit.PredictLinear(rows[2], w)
	}
	var err error
	if res.Validation, err = datasets.Evaluate(task, task.Validation, pv); err != nil {
		return Result{}, err
	}
	if res.Test, err = datasets.Evaluate(task, task.Test, pt); err != nil {
		return Result{}, err
	}
	return res, nil
}

func (o Options) withDefaults(m *model.Model) Options {
	if o.Pool == "" {
		o.Pool = PoolFirst
		if m.Cfg.Arch == model.Decoder {
			o.Pool = PoolLast
		}
	}
	if o.MaxLen <= 0 || o.MaxLen > m.Cfg.MaxLen {
		o.MaxLen = m.Cfg.MaxLen
	}
	o.Threads = max(o.Threads, 1)
	return o
}

// featureBatch is how many examples one forward pass takes.
const featureBatch = 32

// Features returns the pooled final hidden state of every example, encoded as fine-tuning
// encodes it (train.Encoder), from a forward pass without dropout or gradients.
func Features(m *model.Model, tok *tokenizer.Tokenizer, kind datasets.Kind, exs []datasets.Example, o Options) ([][]float64, error) {
	o = o.withDefaults(m)
	if o.Pool != PoolFirst && o.Pool != PoolMean && o.Pool != PoolLast {
		return nil, fmt.Errorf("pool %q: want %s, %s or %s", o.Pool, PoolFirst, PoolMean, PoolLast)
	}
	if o.Pool == PoolFirst && m.Cfg.Arch == model.Decoder {
		return nil, fmt.Errorf("pool %s: a causal decoder's first state sees only <bos>; use %s or %s", PoolFirst, PoolMean, PoolLast)
	}
	seqs, err := encode(m.Cfg.Arch, tok, kind, exs, o.MaxLen)
	if err != nil {
		return nil, err
	}
	pad := tok.Specials().PAD
	tape := nn.NewTape(o.Threads)
	tape.SetGrad(false)
	tape.SetTrain(false)
	d := m.Cfg.DModel
	out := make([][]float64, 0, len(seqs))
	for lo := 0; lo < len(seqs); lo += featureBatch {
		part := seqs[lo:min(lo+featureBatch, len(seqs))]
		b := train.Collate(part, pad)
		h := m.Forward(tape, b, &model.Context{Batch: b})
		for i, s := range part {
			out = append(out, pool(h.Data[i*b.T*d:(i*b.T+len(s.IDs))*d], d, o.Pool))
		}
		tape.Reset()
	}
	return out, nil
}

// encode lays the examples out as fine-tuning does for an encoder (train.Encoder); for a
// decoder, which fine-tuning only trains to generate, as <bos> text (<sep> text2) <eos>.
func encode(arch string, tok *tokenizer.Tokenizer, kind datasets.Kind, exs []datasets.Example, maxLen int) ([]train.Sequence, error) {
	if arch == model.Encoder {
		enc := &train.Encoder{Tok: tok, Arch: arch, MaxLen: maxLen}
		return enc.EncodeAll(kind, exs)
	}
	sp := tok.Specials()
	if sp.BOS == tokenizer.NoToken || sp.EOS == tokenizer.NoToken {
		return nil, fmt.Errorf("the tokenizer lacks bos or eos (have %+v)", sp)
	}
	sep := sp.SEP
	if sep == tokenizer.NoToken {
		sep = sp.EOS
	}
	out := make([]train.Sequence, len(exs))
	for i, ex := range exs {
		ids := append([]int32{sp.BOS}, tok.Encode(ex.Text)...)
		if ex.Text2 != "" {
			ids = append(append(ids, sep), tok.Encode(ex.Text2)...)
		}
		ids = append(ids[:min(len(ids), maxLen-1)], sp.EOS)
		out[i] = train.Sequence{IDs: ids, Index: i}
	}
	return out, nil
}

// pool reduces the hidden states of one example's real tokens (rows of d) to one vector.
func pool(states []float32, d int, how string) []float64 {
	n := len(states) / d
	v := make([]float64, d)
	switch how {
	case PoolFirst:
		for j := range v {
			v[j] = float64(states[j])
		}
	case PoolLast:
		for j := range v {
			v[j] = float64(states[(n-1)*d+j])
		}
	case PoolMean:
		for i := range n {
			for j := range v {
				v[j] += float64(states[i*d+j]) / float64(n)
			}
		}
	}
	return v
}

// standardize returns the rows of the train features and of every other split, each
// feature shifted and scaled by its train mean and standard deviation (a constant feature
// is only shifted), so that one grid of L2 strengths suits every model.
func standardize(train [][]float64, others ...[][]float64) [][]linfit.Row {
	d := len(train[0])
	mean, scale := make([]float64, d), make([]float64, d)
	for _, x := range train {
		for j, v := range x {
			mean[j] += v / float64(len(train))
		}
	}
	for _, x := range train {
		for j, v := range x {
			scale[j] += (v - mean[j]) * (v - mean[j]) / float64(len(train))
		}
	}
	for j := range scale {
		if scale[j] = math.Sqrt(scale[j]); scale[j] == 0 {
			scale[j] = 1
		}
	}
	out := make([][]linfit.Row, 0, 1+len(others))
	for _, split := range append([][][]float64{train}, others...) {
		rows := make([]linfit.Row, len(split))
		z := make([]float64, d)
		for i, x := range split {
			for j, v := range x {
				z[j] = (v - mean[j]) / scale[j]
			}
			rows[i] = linfit.DenseRow(z)
		}
		out = append(out, rows)
	}
	return out
}
