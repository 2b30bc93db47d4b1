package pretrain

import (
	"context"
	"slices"
	"strings"
	"testing"

	"loralab/datasets"
	"loralab/model"
	"loralab/model/tokenizer"
)

// realCorpora are the corpora drawn from the sources of real tasks, and those tasks (the
// ones the corpus keeps out the held-out documents of; for real-english also cmudict-g2p,
// whose words its prose holds).
var realCorpora = []struct {
	corpus string
	tasks  []string
}{
	{"sotu", guardedTasks["sotu"]},
	{"real-english", append(slices.Clone(guardedTasks["real-english"]), "cmudict-g2p")},
}

// TestNoHeldOutDocumentReachesPretraining is the leak test. For each corpus drawn from a
// real task's source it builds the token stream every pretraining window is cut from, as
// runexp pretrain does, and checks that no validation or test example of any task on that
// source — uncapped, so every example that could ever be held out — occurs in it: each
// example's tokens (less its first and last words, whose tokenization depends on their
// neighbours in a document) must not be a run of the stream.
//
// The sources quote themselves: presidents repeat passages of earlier addresses, spam
// repeats its templates across unrelated messages. A held-out example whose text also
// occurs in a train example of its own task is exposed by the task itself, whatever the
// corpus does; such examples are counted, must stay rare, and are logged. A control shows
// the check bites: the sotu corpus with its validation addresses added (what train/base.go
// pretrained on before) is caught.
func TestNoHeldOutDocumentReachesPretraining(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the real data; skipped in -short mode")
	}
	if _, err := datasets.StdlibRoot(datasets.DefaultCacheDir()); err != nil {
		t.Skipf("real data not prepared (run `make data`): %v", err)
	}
	ctx := context.Background()
	reg := datasets.NewRegistry(datasets.Options{MaxTrain: -1, MaxValidation: -1, MaxTest: -1})
	tasks := map[string]*datasets.Task{}
	trainIdx := map[string]*runIndex{}
	for _, c := range realCorpora {
		t.Run(c.corpus, func(t *testing.T) {
			docs, err := CorpusDocs(ctx, "", 0, c.corpus)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := CorpusTokenizer(docs, c.corpus, 4096, "")
			if err != nil {
				t.Fatal(err)
			}
			stream := encoderStream(t, c.corpus, docs, tok)
			idx := newRunIndex(stream)
			for _, name := range c.tasks {
				if tasks[name] == nil {
					if tasks[name], err = reg.Load(ctx, name); err != nil {
						t.Fatal(err)
					}
				}
				task := tasks[name]
				key := c.corpus + "/" + name // the tokenizers differ by corpus
				checked, exempt, short := 0, 0, 0
				for _, text := range datasets.Texts(slices.Concat(task.Validation, task.Test)) {
					run := innerTokens(text, tok)
					if len(run) < runKey {
						short++
						continue
					}
					checked++
					if !idx.contains(run) {
						continue
					}
					if trainIdx[key] == nil {
						trainIdx[key] = newRunIndex(tokenStream(datasets.Texts(task.Train), tok))
					}
					if !trainIdx[key].contains(run) {
						t.Errorf("%s: a held-out example of %s reaches the pretraining stream: %.120q", c.corpus, name, text)
						continue
					}
					exempt++
					t.Logf("%s: held-out example of %s also in its own train split, exempt: %.80q", c.corpus, name, text)
				}
				t.Logf("%s: %d held-out examples of %s checked against %d stream tokens; %d also in the task's train split; %d too short to check",
					c.corpus, checked, name, len(stream), exempt, short)
				if checked == 0 || exempt > checked/50 {
					t.Errorf("%s: %d examples of %s checked, %d exempt: want some, and under 2%% exempt", c.corpus, checked, name, exempt)
				}
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		corpus, err := reg.Load(ctx, "sotu")
		if err != nil {
			t.Fatal(err)
		}
		docs := datasets.Texts(slices.Concat(corpus.Train, corpus.Validation)) // 1% are held out of the stream
		tok, err := CorpusTokenizer(docs, "sotu", 4096, "")
		if err != nil {
			t.Fatal(err)
		}
		idx := newRunIndex(encoderStream(t, "sotu", docs, tok))
		caught := 0
		for _, text := range datasets.Texts(tasks["sotu-era"].Validation) {
			if run := innerTokens(text, tok); len(run) >= runKey && idx.contains(run) {
				caught++
			}
		}
		if n := len(tasks["sotu-era"].Validation); caught < n*95/100 {
			t.Errorf("pretraining on the validation addresses too: %d of %d validation passages caught, want nearly all", caught, n)
		}
	})
}

// innerTokens encodes text without its first and last words, as those words read inside a
// document, after a space.
func innerTokens(text string, tok *tokenizer.Tokenizer) []int32 {
	words := strings.Fields(text)
	if len(words) < 3 {
		return nil
	}
	return tok.Encode(" " + strings.Join(words[1:len(words)-1], " "))
}

// encoderStream is the training stream of an encoder pretrained on docs.
func encoderStream(t *testing.T, corpus string, docs []string, tok *tokenizer.Tokenizer) []int32 {
	t.Helper()
	cfg := model.PretrainConfig{Model: model.Config{Arch: model.Encoder, Vocab: tok.VocabSize(), DModel: 8, Layers: 1, Heads: 1,
		DFF: 8, MaxLen: 64, Activation: "gelu", LNEps: 1e-5}, Corpus: corpus, Steps: 1, Batch: 1, SeqLen: 64, LR: 1e-3, HeldOut: 0.01}
	pt, err := model.NewPretrainer(cfg, docs, tok)
	if err != nil {
		t.Fatal(err)
	}
	return pt.TrainStream()
}

// tokenStream tokenizes texts into one stream, -1 between texts so no run spans two.
func tokenStream(texts []string, tok *tokenizer.Tokenizer) []int32 {
	var out []int32
	for _, s := range texts {
		out = append(append(out, tok.Encode(s)...), -1)
	}
	return out
}

// runKey is the length of the token runs the index keys on.
const runKey = 6

// runIndex finds runs of tokens in a stream: it maps the hash of every runKey-token run to
// its positions.
type runIndex struct {
	stream []int32
	at     map[uint64][]int32
}

func newRunIndex(stream []int32) *runIndex {
	idx := &runIndex{stream: stream, at: map[uint64][]int32{}}
	for i := 0; i+runKey <= len(stream); i++ {
		h := hashRun(stream[i : i+runKey])
		idx.at[h] = append(idx.at[h], int32(i))
	}
	return idx
}

func hashRun(run []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, id := range run {
		h = (h ^ uint64(uint32(id))) * 1099511628211
	}
	return h
}

// contains reports whether run (at least runKey tokens) occurs in the stream.
func (idx *runIndex) contains(run []int32) bool {
	for _, i := range idx.at[hashRun(run[:runKey])] {
		if int(i)+len(run) <= len(idx.stream) && equal(idx.stream[int(i):int(i)+len(run)], run) {
			return true
		}
	}
	return false
}

func equal(a, b []int32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
