package model

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPretrainFraming checks the windows the model trains on. Encoder: every window opens
// with <s>; every document of the stream ends with </s> and nothing else is special; the
// window, its masked positions restored, is a run of the stream; no special token is a
// masked-LM target. Decoder: documents are separated by the end-of-text token and each
// target is the next stream token.
func TestPretrainFraming(t *testing.T) {
	for _, arch := range []string{Encoder, Decoder} {
		cfg, corpus, tok := toySetup(t, arch)
		p, err := NewPretrainer(cfg, corpus, tok)
		if err != nil {
			t.Fatal(err)
		}
		sp := tok.Specials()
		end := sp.EOS
		if arch == Encoder {
			end = sp.SEP
		}
		stream := p.TrainStream()
		d := p.Dataset()
		ends := 0
		for _, id := range stream {
			if id == end {
				ends++
			} else if tok.IsAdded(id) {
				t.Fatalf("%s: special token %d inside a document of the stream", arch, id)
			}
		}
		if ends != d.TrainDocs || stream[len(stream)-1] != end {
			t.Errorf("%s: %d document ends in the stream of %d documents (last token %d)", arch, ends, d.TrainDocs, stream[len(stream)-1])
		}
		for range 3 {
			ids, targets := p.SampleBatch()
			for w := range ids {
				checkWindow(t, arch, ids[w], targets[w], stream, sp.CLS, tok.IsAdded)
			}
			if _, err := p.Step(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkWindow checks one window against the stream it was cut from.
func checkWindow(t *testing.T, arch string, ids, targets, stream []int32, cls int32, special func(int32) bool) {
	t.Helper()
	if arch == Decoder {
		input := slices.Concat(ids, targets[len(targets)-1:])
		if !slices.Equal(ids[1:], targets[:len(targets)-1]) || !containsRun(stream, input) {
			t.Fatalf("decoder window %v / targets %v is not a run of the stream with its next tokens", ids, targets)
		}
		return
	}
	if ids[0] != cls {
		t.Fatalf("encoder window opens with %d, want <s> = %d", ids[0], cls)
	}
	orig := slices.Clone(ids)
	for i, tg := range targets {
		if tg >= 0 {
			if special(tg) {
				t.Fatalf("special token %d is a masked-LM target", tg)
			}
			orig[i] = tg
		}
	}
	if targets[0] >= 0 || !containsRun(stream, orig[1:]) {
		t.Fatalf("encoder window %v (restored %v) is not <s> and a run of the stream", ids, orig)
	}
}

// containsRun reports whether run occurs contiguously in s.
func containsRun(s, run []int32) bool {
	for i := 0; i+len(run) <= len(s); i++ {
		if slices.Equal(s[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// TestPretrainerResumesBitIdentically runs N steps straight, and k steps, a save, a fresh
// Pretrainer loading the state, then the remaining steps: the weights, the AdamW moments
// and the losses must be identical to the bit.
func TestPretrainerResumesBitIdentically(t *testing.T) {
	for _, arch := range []string{Encoder, Decoder} {
		cfg, corpus, tok := toySetup(t, arch)
		run := func(p *Pretrainer, until int) []float64 {
			var losses []float64
			for p.Done() < until {
				l, err := p.Step()
				if err != nil {
					t.Fatal(err)
				}
				losses = append(losses, l)
			}
			return losses
		}
		straight, _ := NewPretrainer(cfg, corpus, tok)
		want := run(straight, cfg.Steps)

		first, _ := NewPretrainer(cfg, corpus, tok)
		got := run(first, 2)
		path := filepath.Join(t.TempDir(), "state.safetensors")
		if err := first.SaveState(path, []byte(`{"note":1}`)); err != nil {
			t.Fatal(err)
		}
		cfg.Threads = 2 // threads change no result, so a resume may use others
		resumed, _ := NewPretrainer(cfg, corpus, tok)
		extra, err := resumed.LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(extra) != `{"note":1}` || resumed.Done() != 2 {
			t.Fatalf("%s: resumed at step %d with extra %s", arch, resumed.Done(), extra)
		}
		got = append(got, run(resumed, cfg.Steps)...)
		if !slices.Equal(got, want) {
			t.Errorf("%s: losses differ after resuming:\n%v\n%v", arch, got, want)
		}
		a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
		if err := straight.SaveState(a, nil); err != nil {
			t.Fatal(err)
		}
		if err := resumed.SaveState(b, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readBytes(t, a), readBytes(t, b)) {
			t.Errorf("%s: the state after resuming differs from the straight run's", arch)
		}
	}
}

// TestLoadStateRefusesAnotherRun: a state file of another configuration is an error.
func TestLoadStateRefusesAnotherRun(t *testing.T) {
	cfg, corpus, tok := toySetup(t, Decoder)
	p, _ := NewPretrainer(cfg, corpus, tok)
	path := filepath.Join(t.TempDir(), "state.safetensors")
	if err := p.SaveState(path, nil); err != nil {
		t.Fatal(err)
	}
	cfg.LR *= 2
	q, _ := NewPretrainer(cfg, corpus, tok)
	if _, err := q.LoadState(path); err == nil {
		t.Error("loaded the state of another learning rate")
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
