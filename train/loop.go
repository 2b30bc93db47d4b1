package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"loralab/datasets"
	"loralab/experiments/record"
	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/nn"
	"loralab/tuner"
)

// Run is one fine-tuning job: a model with a method already applied, the task, and how to
// train.
type Run struct {
	Model  *model.Model
	Method tuner.Method
	Task   *datasets.Task
	Tok    *tokenizer.Tokenizer
	Cfg    Config
	// Log receives each line of the learning curve (training loss, evaluations); may be nil.
	Log func(record.Point)
	// Progress is told about every optimizer step; may be nil.
	Progress func(step, total int, loss float64)
	// Checkpoint is called after each step of Cfg.SaveSteps, with the parameters of that
	// step, to keep a copy of them; may be nil.
	Checkpoint func(step int) error
	// Encodings, if not nil, shares the encoded task with the other runs that use it.
	Encodings *Encodings
}

// Outcome is what a finished run measured.
type Outcome struct {
	// Metrics maps "validation" and "test" to the task's metrics, scored with the
	// parameters of the best validation evaluation.
	Metrics map[string]map[string]float64
	// Predicted maps "validation" and "test" to the count of predictions of each class
	// (classification only): one non-zero count is a run that collapsed to one class.
	Predicted map[string][]int
	// Chance maps "validation" and "test" to the metrics of a model that ignores its input
	// (the majority class of classification).
	Chance          map[string]map[string]float64
	BestStep        int
	TrainSeconds    float64
	TokensPerSecond float64 // non-padding tokens through forward+backward per second
	// MemoryBytes is the run's memory at its largest as its tensors account for it (Go's
	// heap overhead not counted): every weight the model reads, the shared base included,
	// the gradients, the AdamW moments and the tape's buffers, measured when the run ends;
	// the buffers only grow, so this covers training and evaluation.
	MemoryBytes int64
}

// trainer holds the state of one Finetune call.
type trainer struct {
	Run
	tape   *nn.Tape
	params []*nn.Tensor // everything the optimizer updates: method tensors and head
	opt    *nn.AdamW
	sched  nn.Schedule
	enc    Encoder
	train  []Sequence
	val    []Sequence
	test   []Sequence
	scale  targetScale
	pad    int32
	tokens int
	rng    *rand.Rand
	order  []int
	cursor int
	// clipInStep says that opt updates exactly params, each once, so that clipping's
	// rescale is applied by the optimizer step (nn.AdamW.StepScaled) instead of by a
	// pass over the gradients of its own: the same updates, bit for bit.
	clipInStep bool
}

// Finetune trains r.Method's tensors (and the task head) on r.Task, evaluates on validation
// every EvalEvery steps keeping the best parameters, and scores validation and test with them.
func Finetune(ctx context.Context, r Run) (Outcome, error) {
	tr, err := newTrainer(r)
	if err != nil {
		return Outcome{}, err
	}
	return tr.run(ctx)
}

func newTrainer(r Run) (*trainer, error) {
	if err := r.Cfg.Validate(); err != nil {
		return nil, err
	}
	if len(r.Task.Train) == 0 || len(r.Task.Validation) == 0 || len(r.Task.Test) == 0 {
		return nil, fmt.Errorf("train: task %s has an empty split (train %d, validation %d, test %d)",
			r.Task.Name, len(r.Task.Train), len(r.Task.Validation), len(r.Task.Test))
	}
	if err := checkHead(r.Model, r.Task); err != nil {
		return nil, err
	}
	lp, li := r.Method.Slots()
	tr := &trainer{Run: r, tape: nn.NewTape(max(r.Cfg.Threads, 1)), pad: r.Tok.Specials().PAD,
		enc: Encoder{Tok: r.Tok, Arch: r.Model.Cfg.Arch, MaxLen: min(r.Cfg.SeqLen, r.Model.Cfg.MaxLen), Prefix: lp, Infix: li},
		rng: rand.New(rand.NewPCG(r.Cfg.Seed, 0x747261696e))} // "train"
	splits, err := r.Encodings.splits(tr.enc, r.Task)
	if err != nil {
		return nil, err
	}
	tr.train, tr.val, tr.test = splits[0], splits[1], splits[2]
	if r.Task.Kind == datasets.Regression {
		tr.scale = newTargetScale(r.Task.Train)
	}
	tr.params = slices.Clone(r.Method.Trainable())
	for _, h := range tuner.HeadParams(r.Model) {
		h.SetTrainable(true)
		tr.params = append(tr.params, h)
	}
	tr.opt = nn.NewAdamW(paramGroups(tr.params, float32(r.Cfg.WeightDecay), tr.lrScale))
	tr.clipInStep = sameParams(tr.params, tr.opt.Groups)
	tr.sched = nn.Schedule{Peak: float32(r.Cfg.LR), Warmup: r.Cfg.Warmup, Total: r.Cfg.Steps, Decay: r.Cfg.Schedule}
	return tr, nil
}

// checkHead makes sure the model can produce what the task asks for.
func checkHead(m *model.Model, t *datasets.Task) error {
	want := 0
	switch t.Kind {
	case datasets.Classification:
		want = len(t.Labels)
	case datasets.Regression:
		want = 1
	case datasets.Generation:
		if m.Cfg.Arch != model.Decoder {
			return fmt.Errorf("train: task %s is generation and needs a decoder", t.Name)
		}
		return nil
	default:
		return fmt.Errorf("train: cannot fine-tune on task %s of kind %s", t.Name, t.Kind)
	}
	if m.Head == nil || m.Cfg.NumLabels != want {
		return fmt.Errorf("train: task %s needs a head with %d outputs, the model has %d", t.Name, want, m.Cfg.NumLabels)
	}
	return nil
}

// paramGroups puts matrices (weights, LoRA factors, prefix tables) under weight decay and
// leaves vectors (biases, LayerNorm gains) undecayed, as is usual for AdamW; tensors the
// method trains at a multiple of the rate (lrScale, see tuner.LRScaler) get groups of their
// own, in order of first appearance.
func paramGroups(params []*nn.Tensor, decay float32, lrScale func(*nn.Tensor) float32) []nn.ParamGroup {
	var gs []nn.ParamGroup
	for _, vectors := range []bool{false, true} {
		first := len(gs)
		for _, p := range params {
			if (len(p.Shape) < 2) != vectors {
				continue
			}
			scale := lrScale(p)
			i := slices.IndexFunc(gs[first:], func(g nn.ParamGroup) bool { return g.LRScale == scale })
			if i < 0 {
				g := nn.ParamGroup{Name: "decay", WeightDecay: decay, LRScale: scale}
				if vectors {
					g = nn.ParamGroup{Name: "no_decay", LRScale: scale}
				}
				if scale != 1 {
					g.Name += fmt.Sprintf(" lr×%g", scale)
				}
				gs = append(gs, g)
				i = len(gs) - 1 - first
			}
			gs[first+i].Params = append(gs[first+i].Params, p)
		}
	}
	return gs
}

func (tr *trainer) run(ctx context.Context) (Outcome, error) {
	cfg := tr.Cfg
	best, bestStep, haveBest := 0.0, 0, false
	var snapshot [][]float32
	var trainTime time.Duration
	for step := range cfg.Steps {
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		if cfg.ThreadsNow != nil {
			tr.tape.SetThreads(cfg.ThreadsNow())
		}
		start := time.Now()
		loss, err := tr.step(step)
		trainTime += time.Since(start)
		if err != nil {
			return Outcome{}, err
		}
		tr.log(record.Point{Step: step + 1, Loss: loss, LR: float64(tr.sched.LR(step))})
		if tr.Progress != nil {
			tr.Progress(step+1, cfg.Steps, loss)
		}
		if tr.Checkpoint != nil && slices.Contains(cfg.SaveSteps, step+1) {
			if err := tr.Checkpoint(step + 1); err != nil {
				return Outcome{}, fmt.Errorf("train: checkpoint at step %d: %w", step+1, err)
			}
		}
		last := step+1 == cfg.Steps
		if (cfg.EvalEvery > 0 && (step+1)%cfg.EvalEvery == 0) || last {
			ms, _, err := tr.evaluate(tr.val, tr.Task.Validation, cfg.EvalLimit)
			if err != nil {
				return Outcome{}, err
			}
			tr.log(record.Point{Step: step + 1, Loss: loss, Split: "validation", Metrics: ms})
			v := ms[tr.Task.MainMetric]
			if !haveBest || better(tr.Task.MainMetric, v, best) {
				best, bestStep, haveBest = v, step+1, true
				snapshot = tr.save(snapshot)
			}
		}
	}
	tr.restore(snapshot)
	out := Outcome{Metrics: map[string]map[string]float64{}, BestStep: bestStep, TrainSeconds: trainTime.Seconds()}
	if trainTime > 0 {
		out.TokensPerSecond = float64(tr.tokens) / trainTime.Seconds()
	}
	for _, s := range []struct {
		name string
		seqs []Sequence
		exs  []datasets.Example
	}{{"validation", tr.val, tr.Task.Validation}, {"test", tr.test, tr.Task.Test}} {
		ms, p, err := tr.evaluate(s.seqs, s.exs, 0)
		if err != nil {
			return Outcome{}, err
		}
		out.Metrics[s.name] = ms
		if tr.Task.Kind == datasets.Classification {
			if out.Predicted == nil {
				out.Predicted = map[string][]int{}
			}
			out.Predicted[s.name] = classCounts(p.Labels, len(tr.Task.Labels))
		}
	}
	out.MemoryBytes = tr.memory()
	var err error
	out.Chance, err = chanceScores(tr.Task)
	return out, err
}

// memory is what the run's tensors hold now (Outcome.MemoryBytes): the model's and the
// method's tensors and their gradients, each counted once, the optimizer's moments and the
// tape's buffers.
func (tr *trainer) memory() int64 {
	p := nn.ParamBytes(append(tr.Model.Params(), tr.params...))
	return p.Weights + p.Gradients + tr.opt.StateBytes() + tr.tape.Memory().Total()
}

func (tr *trainer) log(p record.Point) {
	if tr.Log != nil {
		tr.Log(p)
	}
}

// better says whether metric value a beats b (error rates are better lower).
func better(metric string, a, b float64) bool {
	if datasets.HigherIsBetter(metric) {
		return a > b
	}
	return a < b
}

// save copies the trainable parameters into buf (reusing it).
func (tr *trainer) save(buf [][]float32) [][]float32 {
	if buf == nil {
		buf = make([][]float32, len(tr.params))
	}
	for i, p := range tr.params {
		buf[i] = append(buf[i][:0], p.Data...)
	}
	return buf
}

func (tr *trainer) restore(buf [][]float32) {
	for i, p := range tr.params {
		copy(p.Data, buf[i])
	}
}

// nextBatch draws the next batch of training examples, reshuffling at each epoch.
func (tr *trainer) nextBatch(n int) []Sequence {
	out := make([]Sequence, 0, n)
	for len(out) < n {
		if tr.cursor == len(tr.order) {
			tr.order = tr.rng.Perm(len(tr.train))
			tr.cursor = 0
		}
		out = append(out, tr.train[tr.order[tr.cursor]])
		tr.cursor++
	}
	return out
}

// step runs one optimizer step over Batch examples in micro-batches, returning the mean loss.
func (tr *trainer) step(step int) (float64, error) {
	cfg := tr.Cfg
	nn.ZeroGrads(tr.params)
	batch := tr.nextBatch(cfg.Batch)
	micro := cfg.microBatch()
	total := 0.0
	for lo := 0; lo < len(batch); lo += micro {
		part := batch[lo:min(lo+micro, len(batch))]
		tr.tape.SetTrain(true)
		tr.tape.SetGrad(true)
		b := Collate(part, tr.pad)
		ctx := &model.Context{Batch: b, Train: true, Seed: model.SubSeed(cfg.Seed, uint64(step*1000+lo))}
		loss := tr.loss(b, part, ctx)
		v := float64(loss.Data[0])
		if math.IsNaN(v) || math.IsInf(v, 0) {
			tr.tape.Reset()
			return v, fmt.Errorf("train: loss is %v at step %d", v, step+1)
		}
		total += v * float64(len(part))
		tr.tape.Backward(tr.tape.Scale(loss, float32(len(part))/float32(len(batch))))
		tr.tape.Reset()
		for _, pad := range b.Pad {
			if !pad {
				tr.tokens++
			}
		}
	}
	lr := tr.sched.LR(step)
	switch {
	case cfg.MaxGradNorm > 0 && tr.clipInStep:
		scale, _ := nn.ClipScale(tr.params, float32(cfg.MaxGradNorm))
		tr.opt.StepScaled(lr, scale)
	case cfg.MaxGradNorm > 0:
		nn.ClipGradNorm(tr.params, float32(cfg.MaxGradNorm))
		tr.opt.Step(lr)
	default:
		tr.opt.Step(lr)
	}
	return total / float64(len(batch)), nil
}

// sameParams says whether groups hold exactly the tensors of params, each once.
func sameParams(params []*nn.Tensor, groups []nn.ParamGroup) bool {
	seen := map[*nn.Tensor]int{}
	for _, p := range params {
		seen[p]++
	}
	n := 0
	for _, g := range groups {
		for _, p := range g.Params {
			if seen[p] != 1 {
				return false
			}
			seen[p]++
			n++
		}
	}
	return n == len(seen) && len(seen) == len(params)
}

// loss is the task loss of one micro-batch.
func (tr *trainer) loss(b *model.Batch, seqs []Sequence, ctx *model.Context) *nn.Tensor {
	t, m := tr.tape, tr.Model
	h := m.Forward(t, b, ctx)
	smooth := float32(tr.Cfg.LabelSmoothing)
	switch tr.Task.Kind {
	case datasets.Classification:
		labels := make([]int32, len(seqs))
		for i, s := range seqs {
			labels[i] = int32(tr.Task.Train[s.Index].Label)
		}
		return t.CrossEntropy(m.HeadLogits(t, h, b.B, b.T), labels, -1, smooth)
	case datasets.Regression:
		ys := make([]float32, len(seqs))
		for i, s := range seqs {
			ys[i] = float32(tr.scale.forward(tr.Task.Train[s.Index].Target))
		}
		return t.MSE(m.HeadLogits(t, h, b.B, b.T), ys)
	default:
		return m.LMLoss(t, h, LMTargets(seqs, b.T), Ignore, smooth)
	}
}

// targetScale standardises regression targets with the training split's mean and spread.
type targetScale struct{ mean, std float64 }

func newTargetScale(exs []datasets.Example) targetScale {
	var s, ss float64
	for _, e := range exs {
		s += e.Target
	}
	mean := s / float64(len(exs))
	for _, e := range exs {
		ss += (e.Target - mean) * (e.Target - mean)
	}
	std := math.Sqrt(ss / float64(len(exs)))
	if std == 0 {
		std = 1
	}
	return targetScale{mean, std}
}

func (s targetScale) forward(y float64) float64 { return (y - s.mean) / s.std }
func (s targetScale) inverse(z float64) float64 { return z*s.std + s.mean }
