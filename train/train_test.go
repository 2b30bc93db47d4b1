package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/method"
	"loralab/model"
	"loralab/model/tokenizer"
	"loralab/nn"
)

// fullFT trains every base tensor: the simplest Method, enough to test the loop.
type fullFT struct{ m *model.Model }

func (f *fullFT) Spec() method.Spec { return method.Spec{Name: method.FT} }
func (f *fullFT) Apply(m *model.Model, _ uint64) error {
	f.m = m
	for _, p := range m.Params() {
		p.SetTrainable(true)
	}
	return nil
}
func (f *fullFT) Trainable() []*nn.Tensor {
	var out []*nn.Tensor
	for _, p := range f.m.Params() {
		if !strings.HasPrefix(p.Name, "head.") {
			out = append(out, p)
		}
	}
	return out
}
func (f *fullFT) Slots() (int, int) { return 0, 0 }
func (f *fullFT) Merge() error      { return nil }
func (f *fullFT) Unmerge() error    { return nil }

// sentimentTask is a toy task whose label is whether "good" or "bad" dominates the text.
func sentimentTask(n int, seed uint64) *datasets.Task {
	rng := rand.New(rand.NewPCG(seed, 1))
	filler := []string{"the", "film", "was", "a", "plot", "and", "actor", "very", "so", "it"}
	make1 := func(i int) datasets.Example {
		label := rng.IntN(2)
		w := []string{"bad", "good"}[label]
		var words []string
		for j := 0; j < 6; j++ {
			words = append(words, filler[rng.IntN(len(filler))])
		}
		words[rng.IntN(len(words))] = w
		return datasets.Example{Text: strings.Join(words, " "), Label: label, Group: fmt.Sprint(i)}
	}
	t := &datasets.Task{Name: "toy-sentiment", Kind: datasets.Classification, Labels: []string{"neg", "pos"},
		MainMetric: datasets.MetricAccuracy, Metrics: []string{datasets.MetricAccuracy}}
	for i := 0; i < n; i++ {
		t.Train = append(t.Train, make1(i))
	}
	for i := 0; i < 64; i++ {
		t.Validation = append(t.Validation, make1(n+i))
		t.Test = append(t.Test, make1(n+64+i))
	}
	return t
}

func toyTokenizer(t *testing.T, task *datasets.Task) *tokenizer.Tokenizer {
	tok, err := tokenizer.Train(datasets.Texts(task.Train), tokenizer.TrainConfig{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func toyEncoder(t *testing.T, vocab int) *model.Model {
	cfg := model.Config{Arch: model.Encoder, Vocab: vocab, DModel: 32, Layers: 2, Heads: 2, DFF: 64, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AttachHead(2, 3); err != nil {
		t.Fatal(err)
	}
	return m
}

func finetuneToy(t *testing.T, threads int) (Outcome, []float64) {
	task := sentimentTask(256, 5)
	tok := toyTokenizer(t, task)
	m := toyEncoder(t, tok.VocabSize())
	meth := &fullFT{}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	var losses []float64
	cfg := Config{Steps: 60, Batch: 16, MicroBatch: 8, SeqLen: 32, LR: 3e-3, Warmup: 5, WeightDecay: 0.01,
		MaxGradNorm: 1, EvalEvery: 20, Seed: 9, Threads: threads}
	out, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg,
		Progress: func(_, _ int, loss float64) { losses = append(losses, loss) }})
	if err != nil {
		t.Fatal(err)
	}
	return out, losses
}

func TestFinetuneLearnsAndIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model")
	}
	out1, losses1 := finetuneToy(t, 1)
	if acc := out1.Metrics["test"][datasets.MetricAccuracy]; acc < 0.9 {
		t.Errorf("test accuracy %.3f after fine-tuning a toy task, want >= 0.9 (losses %v)", acc, losses1)
	}
	first, last := mean(losses1[:5]), mean(losses1[len(losses1)-5:])
	if !(last < first/2) {
		t.Errorf("loss went from %.3f to %.3f, want at least halved", first, last)
	}
	out2, losses2 := finetuneToy(t, 2)
	if !reflect.DeepEqual(losses1, losses2) || !reflect.DeepEqual(out1.Metrics, out2.Metrics) {
		t.Errorf("1 and 2 threads differ:\n%v\n%v\n%v\n%v", losses1, losses2, out1.Metrics, out2.Metrics)
	}
	if out1.BestStep%20 != 0 {
		t.Errorf("best step %d is not an evaluation step", out1.BestStep)
	}
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func TestEncodeLayout(t *testing.T) {
	task := sentimentTask(8, 1)
	tok := toyTokenizer(t, task)
	sp := tok.Specials()
	text := tok.Encode("good film")
	enc := Encoder{Tok: tok, Arch: model.Encoder, MaxLen: 32, Prefix: 2, Infix: 1}
	s, err := enc.Encode(datasets.Classification, datasets.Example{Text: "good film"}, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]int32{sp.CLS, sp.PAD, sp.PAD}, text...), sp.PAD, sp.EOS)
	if !reflect.DeepEqual(s.IDs, want) {
		t.Fatalf("ids %v, want %v", s.IDs, want)
	}
	infixAt := int32(3 + len(text))
	if !reflect.DeepEqual(s.Slots, []int32{1, 2, infixAt}) || !reflect.DeepEqual(s.SlotIDs, []int32{0, 1, 2}) || s.Index != 4 {
		t.Fatalf("slots %v ids %v index %d", s.Slots, s.SlotIDs, s.Index)
	}
	// Truncation keeps the total within MaxLen and keeps the special tokens.
	short := Encoder{Tok: tok, Arch: model.Encoder, MaxLen: 6}
	long := strings.Repeat("the film was good ", 10)
	s, _ = short.Encode(datasets.Classification, datasets.Example{Text: long, Text2: long}, 0)
	if len(s.IDs) != 6 || s.IDs[0] != sp.CLS || s.IDs[5] != sp.EOS {
		t.Fatalf("truncated pair %v, want 6 tokens from cls to eos", s.IDs)
	}
	// The decoder layout and its loss targets.
	dec := Encoder{Tok: tok, Arch: model.Decoder, MaxLen: 32, Prefix: 1}
	g, err := dec.Encode(datasets.Generation, datasets.Example{Source: "film", Refs: []string{"good"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	src, ref := tok.Encode("film"), tok.Encode("good")
	want = append(append(append(append([]int32{sp.BOS, sp.PAD}, src...), sp.SEP), ref...), sp.EOS)
	if !reflect.DeepEqual(g.IDs, want) || g.Prompt != 3+len(src) {
		t.Fatalf("decoder ids %v prompt %d, want %v prompt %d", g.IDs, g.Prompt, want, 3+len(src))
	}
	T := len(g.IDs) + 2
	tg := LMTargets([]Sequence{g}, T)
	for i, v := range tg {
		wantV := Ignore
		if i >= g.Prompt-1 && i < len(g.IDs)-1 {
			wantV = g.IDs[i+1]
		}
		if v != wantV {
			t.Fatalf("target %d = %d, want %d (all %v)", i, v, wantV, tg)
		}
	}
	// Wrong architecture for the task kind.
	if _, err := dec.Encode(datasets.Classification, datasets.Example{Text: "x"}, 0); err == nil {
		t.Fatal("classification with a decoder: no error")
	}
}

func TestCollate(t *testing.T) {
	seqs := []Sequence{{IDs: []int32{5, 6, 7}, Slots: []int32{1}, SlotIDs: []int32{0}}, {IDs: []int32{8}}}
	b := Collate(seqs, 1)
	if b.B != 2 || b.T != 3 || !reflect.DeepEqual(b.IDs, []int32{5, 6, 7, 8, 1, 1}) ||
		!reflect.DeepEqual(b.Pad, []bool{false, false, false, false, true, true}) ||
		!reflect.DeepEqual(b.Slots, []int32{1}) {
		t.Fatalf("collated %+v", b)
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Steps: 10, Batch: 4, SeqLen: 8, LR: 1e-3}
	for _, steps := range [][]int{{1, 10}, {5}} {
		good.SaveSteps = steps
		if err := good.Validate(); err != nil {
			t.Errorf("save_steps %v: %v", steps, err)
		}
	}
	for _, steps := range [][]int{{0}, {11}, {3, 3}, {4, 2}} {
		good.SaveSteps = steps
		if err := good.Validate(); err == nil || !strings.Contains(err.Error(), "save_steps") {
			t.Errorf("save_steps %v: error %v, want one about save_steps", steps, err)
		}
	}

	err := Config{Steps: 0, Batch: 4, MicroBatch: 8, SeqLen: 2, LR: 0, Schedule: "step", SaveSteps: []int{1}}.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"steps = 0", "micro_batch = 8", "seq_len = 2", "lr = 0", `schedule "step"`, "save_steps [1]"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

// copyTask is a toy generation task: repeat the source words in reverse order.
func copyTask(n int, seed uint64) *datasets.Task {
	rng := rand.New(rand.NewPCG(seed, 2))
	words := []string{"red", "blue", "green", "cat", "dog", "sun"}
	ex := func(i int) datasets.Example {
		a, b := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
		return datasets.Example{Source: a + " " + b, Refs: []string{b + " " + a}, Group: fmt.Sprint(i)}
	}
	t := &datasets.Task{Name: "toy-reverse", Kind: datasets.Generation, MainMetric: datasets.MetricExactMatch,
		Metrics: []string{datasets.MetricExactMatch, datasets.MetricBLEU}}
	for i := 0; i < n; i++ {
		t.Train = append(t.Train, ex(i))
	}
	for i := 0; i < 24; i++ {
		t.Validation = append(t.Validation, ex(n+i))
		t.Test = append(t.Test, ex(n+24+i))
	}
	return t
}

func TestFinetuneGeneration(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small decoder")
	}
	task := copyTask(400, 3)
	tok, err := tokenizer.Train(append(datasets.Texts(task.Train), "red blue green cat dog sun"), tokenizer.TrainConfig{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	cfg := model.Config{Arch: model.Decoder, Vocab: tok.VocabSize(), DModel: 32, Layers: 2, Heads: 2, DFF: 64, MaxLen: 32,
		Activation: "gelu", LNEps: 1e-5}
	m, err := model.NewModel(cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	meth := &fullFT{}
	meth.Apply(m, 1)
	out, err := Finetune(context.Background(), Run{Model: m, Method: meth, Task: task, Tok: tok,
		Cfg: Config{Steps: 150, Batch: 16, SeqLen: 32, LR: 3e-3, Warmup: 10, EvalEvery: 50, Beam: 3, MaxNew: 8, Seed: 2, Threads: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if em := out.Metrics["test"][datasets.MetricExactMatch]; em < 0.8 {
		t.Errorf("exact match %.3f on reversing two words, want >= 0.8 (%v)", em, out.Metrics)
	}
}

// TestFinetuneCheckpointSteps: Checkpoint is called after exactly the save steps, with the
// parameters of that step (so consecutive copies differ), and its error stops the run.
func TestFinetuneCheckpointSteps(t *testing.T) {
	task := sentimentTask(32, 5)
	tok := toyTokenizer(t, task)
	m := toyEncoder(t, tok.VocabSize())
	meth := &fullFT{}
	if err := meth.Apply(m, 1); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Steps: 5, Batch: 4, SeqLen: 16, LR: 1e-3, SaveSteps: []int{2, 3, 5}, Seed: 1}
	var steps []int
	var copies [][]float32
	run := Run{Model: m, Method: meth, Task: task, Tok: tok, Cfg: cfg, Checkpoint: func(step int) error {
		steps = append(steps, step)
		copies = append(copies, slices.Clone(m.Blocks[0].Q.W.Data))
		return nil
	}}
	if _, err := Finetune(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(steps, []int{2, 3, 5}) || slices.Equal(copies[0], copies[1]) {
		t.Errorf("checkpoints at %v (first two equal: %v), want at 2, 3, 5 with different weights", steps, slices.Equal(copies[0], copies[1]))
	}
	run.Checkpoint = func(step int) error { return fmt.Errorf("disk full") }
	if _, err := Finetune(context.Background(), run); err == nil || !strings.Contains(err.Error(), "checkpoint at step 2: disk full") {
		t.Errorf("error %v, want the checkpoint's at step 2", err)
	}
}
