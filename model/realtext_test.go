package model

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loralab/model/tokenizer"
)

// realText returns real English documents found on this machine: the chapters of Moby Dick
// when the data cache holds them (make data), otherwise the license texts every Debian
// system ships, one document per license.
func realText(t *testing.T) (name string, docs []string) {
	t.Helper()
	cache := os.Getenv("LORALAB_DATA")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache", "loralab")
		}
	}
	if chapters, _ := filepath.Glob(filepath.Join(cache, "*", "moby-dick", "data", "chapter_*.txt")); len(chapters) > 0 {
		slices.Sort(chapters)
		return "moby-dick", readDocs(t, chapters)
	}
	var files []string
	entries, _ := os.ReadDir("/usr/share/common-licenses")
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, filepath.Join("/usr/share/common-licenses", e.Name()))
		}
	}
	return "common-licenses", readDocs(t, files)
}

// readDocs reads each file as one document, its white space folded to single spaces.
func readDocs(t *testing.T, paths []string) []string {
	t.Helper()
	var docs []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, strings.Join(strings.Fields(string(b)), " "))
	}
	return docs
}

// TestPretrainRealText pretrains the tiny decoder preset on real English text and requires
// its held-out perplexity to be clearly (at least 1.5 times) below the unigram baseline.
func TestPretrainRealText(t *testing.T) {
	if testing.Short() {
		t.Skip("pretrains a tiny model for about a minute")
	}
	name, docs := realText(t)
	if len(docs) < 5 {
		t.Skip("no real English text on this machine")
	}
	tok, err := tokenizer.Train(docs, tokenizer.TrainConfig{VocabSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := Preset("tiny", Decoder, tok.VocabSize())
	if err != nil {
		t.Fatal(err)
	}
	cfg := PretrainConfig{Model: mc, Corpus: name, Steps: 300, Batch: 8, SeqLen: 64, LR: 2e-3, Warmup: 30,
		WeightDecay: 0.01, ClipNorm: 1, Seed: 1, Threads: 2, EvalTokens: 16384}
	start := time.Now()
	p, err := Pretrain(context.Background(), cfg, docs, tok, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := p.Stats.Eval
	t.Logf("%s: %+v; %d steps in %v; held-out %+v", name, p.Stats.Data, cfg.Steps, time.Since(start).Round(time.Second), e)
	if !(e.Perplexity*1.5 < e.UnigramPPL) {
		t.Errorf("held-out perplexity %.1f is not clearly below the unigram baseline %.1f", e.Perplexity, e.UnigramPPL)
	}
}
