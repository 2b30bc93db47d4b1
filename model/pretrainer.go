package model

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"loralab/model/safetensors"
	"loralab/model/tokenizer"
	"loralab/nn"
)

// Pretrainer runs masked-LM or causal-LM pretraining one step at a time, so that a caller
// can evaluate, checkpoint and resume between steps. Its whole state — weights, AdamW
// moments and step count, the data sampler's random state and the step — goes into one
// state file (SaveState), and a Pretrainer that loads it (LoadState) continues
// bit-identically to one that never stopped: the learning rate is a function of the step
// and dropout masks derive from (seed, step).
type Pretrainer struct {
	cfg     PretrainConfig
	data    *pretrainData
	model   *Model
	params  []*nn.Tensor
	opt     *nn.AdamW
	sched   nn.Schedule
	tape    *nn.Tape
	src     *rand.PCG // the sampler's generator, whose state is saved
	rng     *rand.Rand
	batch   *Batch
	targets []int32
	step    int
}

// NewPretrainer tokenizes and splits the corpus as Pretrain does and initialises a model
// of cfg.Model from cfg.Seed.
func NewPretrainer(cfg PretrainConfig, corpus []string, tok *tokenizer.Tokenizer) (*Pretrainer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if tok.VocabSize() > cfg.Model.Vocab {
		return nil, fmt.Errorf("pretrain: the tokenizer has %d tokens but the model's vocabulary only %d", tok.VocabSize(), cfg.Model.Vocab)
	}
	data, err := newPretrainData(cfg, corpus, tok)
	if err != nil {
		return nil, err
	}
	return newPretrainer(cfg, data)
}

func newPretrainer(cfg PretrainConfig, data *pretrainData) (*Pretrainer, error) {
	m, err := NewModel(cfg.Model, cfg.Seed)
	if err != nil {
		return nil, err
	}
	params := m.Params()
	src := rand.NewPCG(cfg.Seed, 0x7072657472616e) // "pretrain"
	return &Pretrainer{
		cfg: cfg, data: data, model: m, params: params,
		opt:   nn.NewAdamW(decayGroups(params, cfg.WeightDecay)),
		sched: nn.Schedule{Peak: cfg.LR, Warmup: cfg.Warmup, Total: cfg.Steps, Decay: "cosine"},
		tape:  nn.NewTape(cfg.Threads),
		src:   src, rng: rand.New(src),
		batch:   &Batch{B: cfg.Batch, T: cfg.SeqLen, IDs: make([]int32, cfg.Batch*cfg.SeqLen)},
		targets: make([]int32, cfg.Batch*cfg.SeqLen),
	}, nil
}

// Model is the model being trained (live: it changes with every Step).
func (p *Pretrainer) Model() *Model { return p.model }

// Done is the number of steps taken.
func (p *Pretrainer) Done() int { return p.step }

// Dataset describes the tokenized corpus and its split.
func (p *Pretrainer) Dataset() PretrainDataset { return p.data.describe() }

// TrainStream is the training token stream, documents framed as the model family wants:
// every training window is cut from it (the encoder's windows after an opening <s>).
func (p *Pretrainer) TrainStream() []int32 { return p.data.train }

// SampleBatch returns the batch the next Step will train on, without advancing the
// sampler: each window's token ids as the model sees them (after masked-LM corruption for
// the encoder) and its targets (-1 = not predicted). Tests inspect the framing with it.
func (p *Pretrainer) SampleBatch() (ids, targets [][]int32) {
	src := *p.src // a copy: the real sampler does not move
	T := p.cfg.SeqLen
	b := &Batch{B: p.cfg.Batch, T: T, IDs: make([]int32, p.cfg.Batch*T)}
	tg := make([]int32, len(b.IDs))
	p.data.sampleBatch(rand.New(&src), b, tg)
	for s := range b.B {
		ids, targets = append(ids, b.IDs[s*T:(s+1)*T]), append(targets, tg[s*T:(s+1)*T])
	}
	return ids, targets
}

// Step takes one AdamW step on a fresh batch and returns its training loss.
func (p *Pretrainer) Step() (float64, error) {
	if p.step >= p.cfg.Steps {
		return 0, fmt.Errorf("pretrain: all %d steps are done", p.cfg.Steps)
	}
	p.data.sampleBatch(p.rng, p.batch, p.targets)
	p.tape.Reset()
	p.tape.SetTrain(true)
	c := &Context{Batch: p.batch, Train: true, Seed: SubSeed(p.cfg.Seed, uint64(p.step))}
	loss, _ := lmLoss(p.tape, p.model, p.model.Forward(p.tape, p.batch, c), p.targets)
	p.tape.Backward(loss)
	if p.cfg.ClipNorm > 0 {
		nn.ClipGradNorm(p.params, p.cfg.ClipNorm)
	}
	p.opt.Step(p.sched.LR(p.step))
	nn.ZeroGrads(p.params)
	l := float64(loss.Data[0])
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return 0, fmt.Errorf("pretrain: loss is %g at step %d: lower the learning rate", l, p.step+1)
	}
	p.step++
	return l, nil
}

// Evaluate scores the current model on the held-out documents (see HeldOutEval). It does
// not touch the training state, so evaluating does not change what training does next.
func (p *Pretrainer) Evaluate() HeldOutEval {
	return evaluateHeldOut(p.model, p.cfg, p.data)
}

// stateKey is the safetensors metadata key of a state file's scalars.
const stateKey = "loralab.pretrain_state"

// pretrainerState is what a state file holds besides the tensors. Config is there to
// refuse resuming a different run; Extra is the caller's (a curve, say), restored as is.
type pretrainerState struct {
	Config    PretrainConfig  `json:"config"`
	Step      int             `json:"step"`
	AdamSteps int             `json:"adam_steps"`
	Sampler   []byte          `json:"sampler"` // the PCG's binary state
	Extra     json.RawMessage `json:"extra,omitempty"`
}

// SaveState writes the whole training state to path atomically, with extra (any JSON
// value, or nil) stored beside it for the caller.
func (p *Pretrainer) SaveState(path string, extra json.RawMessage) error {
	sampler, err := p.src.MarshalBinary()
	if err != nil {
		return fmt.Errorf("pretrain: save state: %w", err)
	}
	st := pretrainerState{Config: p.cfg, Step: p.step, AdamSteps: p.opt.Steps(), Sampler: sampler, Extra: extra}
	meta, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("pretrain: save state: %w", err)
	}
	var tensors []safetensors.Named
	for _, t := range p.params {
		tensors = append(tensors, safetensors.Named{Name: "param/" + t.Name, Shape: t.Shape, Data: t.Data})
	}
	mom, vel := p.opt.Moments()
	for gi, g := range p.opt.Groups {
		for pi, t := range g.Params {
			tensors = append(tensors,
				safetensors.Named{Name: "adam_m/" + t.Name, Shape: t.Shape, Data: mom[gi][pi]},
				safetensors.Named{Name: "adam_v/" + t.Name, Shape: t.Shape, Data: vel[gi][pi]})
		}
	}
	if err := safetensors.WriteFile(path, tensors, map[string]string{stateKey: string(meta)}); err != nil {
		return fmt.Errorf("pretrain: save state: %w", err)
	}
	return nil
}

// LoadState restores the training state written by SaveState for the same configuration
// (threads aside) and returns the caller's extra value.
func (p *Pretrainer) LoadState(path string) (json.RawMessage, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, fmt.Errorf("pretrain: load state: %w", err)
	}
	var st pretrainerState
	if err := json.Unmarshal([]byte(f.Metadata()[stateKey]), &st); err != nil {
		return nil, fmt.Errorf("pretrain: load state %s: metadata %q: %w", path, stateKey, err)
	}
	want, _ := json.Marshal(p.cfg)
	got, _ := json.Marshal(st.Config)
	if string(want) != string(got) {
		return nil, fmt.Errorf("pretrain: load state %s: it is the state of another configuration:\n  saved %s\n  now   %s", path, got, want)
	}
	read := func(name string, shape []int, dst []float32) error {
		data, err := f.Float32(name, shape)
		if err != nil {
			return fmt.Errorf("pretrain: load state: %w", err)
		}
		copy(dst, data)
		return nil
	}
	for _, t := range p.params {
		if err := read("param/"+t.Name, t.Shape, t.Data); err != nil {
			return nil, err
		}
	}
	mom, vel := p.opt.Moments()
	for gi, g := range p.opt.Groups {
		for pi, t := range g.Params {
			if err := read("adam_m/"+t.Name, t.Shape, mom[gi][pi]); err != nil {
				return nil, err
			}
			if err := read("adam_v/"+t.Name, t.Shape, vel[gi][pi]); err != nil {
				return nil, err
			}
		}
	}
	if err := p.src.UnmarshalBinary(st.Sampler); err != nil {
		return nil, fmt.Errorf("pretrain: load state %s: sampler: %w", path, err)
	}
	p.opt.SetSteps(st.AdamSteps)
	p.step = st.Step
	return st.Extra, nil
}
