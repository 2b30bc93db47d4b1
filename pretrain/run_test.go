package pretrain

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loralab/model"
)

// tinyRecipe pretrains a tiny encoder on the embedded corpus (no fetched data needed).
func tinyRecipe(out string) Recipe {
	return Recipe{
		File: "tiny.yaml", Source: []byte("tiny"),
		Model: model.Config{Arch: model.Encoder, Vocab: 300, DModel: 16, Layers: 2, Heads: 2, DFF: 32, MaxLen: 32,
			Dropout: 0.1, Activation: "gelu", LNEps: 1e-5},
		Corpus: "embedded-corpus", Steps: 12, Batch: 4, SeqLen: 32, LR: 3e-3, Warmup: 2, WeightDecay: 0.01, ClipNorm: 1,
		Seed: 3, HeldOut: 0.1, EvalTokens: 512, Threads: 1, EvalEvery: 4, CheckpointEvery: time.Hour,
		Keep: []float64{0, 0.5}, Out: out,
	}
}

var errKilled = errors.New("killed")

// TestRunResumesBitIdentically runs a recipe straight through, and again stopped part way
// and resumed, in three ways: Ctrl-C (the context is cancelled: the state is saved), a kill
// after a checkpoint (nothing saved at the kill; checkpoints every step), and a kill with
// no checkpoint yet (the resume starts over). Every way must end with the same weights
// file, byte for byte, and the same curve and kept checkpoints.
func TestRunResumesBitIdentically(t *testing.T) {
	cache := t.TempDir()
	want := filepath.Join(t.TempDir(), "straight")
	if _, err := Run(context.Background(), tinyRecipe(want), Options{CacheDir: cache}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		checkpoint time.Duration
		stop       func(cancel context.CancelFunc) error // what happens after step 7
	}{
		{"ctrl-c", time.Hour, func(cancel context.CancelFunc) error { cancel(); return nil }},
		{"kill after checkpoints", time.Nanosecond, func(context.CancelFunc) error { return errKilled }},
		{"kill before any checkpoint", time.Hour, func(context.CancelFunc) error { return errKilled }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "resumed")
			r := tinyRecipe(out)
			r.CheckpointEvery = c.checkpoint
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Run(ctx, r, Options{CacheDir: cache, AfterStep: func(step int) error {
				if step == 7 {
					return c.stop(cancel)
				}
				return nil
			}})
			if err == nil {
				t.Fatal("the stopped run reported success")
			}
			if _, statErr := os.Stat(filepath.Join(out, StatsFile)); statErr == nil {
				t.Fatal("a stopped run wrote stats.json")
			}
			r.Threads = 2 // a resume may use other threads
			st, err := Run(context.Background(), r, Options{CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			if st.Steps != r.Steps {
				t.Errorf("resumed run reports %d steps, want %d", st.Steps, r.Steps)
			}
			for _, f := range []string{model.WeightsFile, filepath.Join(CheckpointsDir, "step-000006", model.WeightsFile),
				filepath.Join(CheckpointsDir, "step-000000", model.WeightsFile)} {
				if !bytes.Equal(read(t, filepath.Join(want, f)), read(t, filepath.Join(out, f))) {
					t.Errorf("%s differs from the straight run's", f)
				}
			}
			if a, b := curveValues(t, want), curveValues(t, out); !slices.EqualFunc(a, b, slices.Equal) {
				t.Errorf("curves differ:\n%v\n%v", a, b)
			}
			if _, err := os.Stat(filepath.Join(out, resumeDir)); !os.IsNotExist(err) {
				t.Errorf("the resume state is left behind: %v", err)
			}
		})
	}
}

// curveValues reads curve.csv without its wall-time and load columns.
func curveValues(t *testing.T, dir string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(read(t, filepath.Join(dir, CurveFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		rows[i] = row[:len(row)-2]
	}
	return rows
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRunOutput checks the finished folder: a model folder model.Open loads (F16 weights
// equal to the trained ones rounded), curve points at every eval interval and the end,
// stats that add up, and a second Run that leaves the finished folder alone.
func TestRunOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r := tinyRecipe(out)
	r.FP16 = true
	cache := t.TempDir()
	st, err := Run(context.Background(), r, Options{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	m, tok, err := model.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Cfg != r.Model || tok == nil || tok.VocabSize() != st.Tokenizer.Vocab {
		t.Errorf("opened config %+v (tokenizer %v), want %+v", m.Cfg, tok != nil, r.Model)
	}
	rows := curveValues(t, out)
	var steps []string
	for _, row := range rows[1:] {
		steps = append(steps, row[0])
	}
	if want := []string{"0", "4", "8", "12"}; !slices.Equal(steps, want) {
		t.Errorf("curve steps %v, want %v", steps, want)
	}
	if st.TokensSeen != int64(r.Steps*r.Batch*r.SeqLen) || st.WeightsDType != "F16" || len(st.Kept) != 2 || len(st.Sessions) != 1 {
		t.Fatalf("stats: %d tokens, dtype %s, %d kept, %d sessions", st.TokensSeen, st.WeightsDType, len(st.Kept), len(st.Sessions))
	}
	if s := st.Sessions[0]; s.CPUSeconds <= 0 || s.Seconds <= 0 || s.ToStep != r.Steps || len(s.LoadAvg) != 4 {
		t.Errorf("session %+v: want CPU and wall time, steps 0-%d and a load sample per evaluation", s, r.Steps)
	}
	for _, f := range []string{"curve.png", "curve.svg", model.TokenizerFile, "config.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	checkHeldOutFiles(t, r, st, cache, m)
	again, err := Run(context.Background(), r, Options{CacheDir: t.TempDir()})
	if err != nil || !again.Sessions[0].Start.Equal(st.Sessions[0].Start) {
		t.Errorf("a second run did not return the finished stats: %v", err)
	}
	r.Seed++
	if _, err := Run(context.Background(), r, Options{CacheDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "another recipe") {
		t.Errorf("another recipe on a finished folder: error %v", err)
	}
}

// TestRunRefusesAnotherRecipe: a saved state of another recipe is not resumed.
func TestRunRefusesAnotherRecipe(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	r := tinyRecipe(out)
	_, err := Run(ctx, r, Options{CacheDir: cache, AfterStep: func(int) error { cancel(); return nil }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want a cancellation", err)
	}
	r.LR *= 2
	_, err = Run(context.Background(), r, Options{CacheDir: cache})
	if err == nil || !strings.Contains(err.Error(), "another recipe") {
		t.Errorf("error %v, want one saying the folder holds another recipe's run", err)
	}
}

// checkHeldOutFiles: the finished folder and each kept checkpoint carry the run's held-out
// windows; read under the recipe's eval_tokens they are the rebuilt split's (the same
// score, bit for bit) and predict the tokens stats.json records.
func checkHeldOutFiles(t *testing.T, r Recipe, st *Stats, cache string, m *model.Model) {
	t.Helper()
	docs, err := CorpusDocs(context.Background(), cache, r.DataSeed, r.Corpus)
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := model.Open(r.Out)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, err := model.NewHeldOutSet(st.Config, docs, tok, r.EvalTokens, 1)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := rebuilt.Score(m)
	for _, k := range append([]Kept{{Dir: "."}}, st.Kept...) {
		h, err := model.ReadHeldOut(filepath.Join(r.Out, k.Dir), r.EvalTokens, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.Score(m)
		if err != nil {
			t.Fatal(err)
		}
		if got.NLL != want.NLL || got.Tokens != want.Tokens || got.Tokens != st.HeldOut.Tokens {
			t.Errorf("%s: the folder's held-out windows score %+v, the rebuilt split %+v (stats.json: %d tokens)", k.Dir, got, want, st.HeldOut.Tokens)
		}
	}
}
