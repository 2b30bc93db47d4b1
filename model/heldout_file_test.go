package model

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"loralab/model/safetensors"
)

// TestHeldOutFileRoundTrip: windows saved to a folder and read back score what the set they
// came from scores (the unigram baseline aside), at each token cap, and the cap keeps the
// leading windows NewHeldOutSet reads under the same cap.
func TestHeldOutFileRoundTrip(t *testing.T) {
	for _, arch := range []string{Decoder, Encoder} {
		cfg, corpus, tok := toySetup(t, arch)
		dir := t.TempDir()
		if err := WriteHeldOut(dir, cfg, corpus, tok, "toy"); err != nil {
			t.Fatal(err)
		}
		m, _ := NewModel(cfg.Model, 5)
		for _, maxTokens := range []int{45, 200, cfg.EvalTokens} {
			want, err := NewHeldOutSet(cfg, corpus, tok, maxTokens, 1)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadHeldOut(dir, maxTokens, 2)
			if err != nil {
				t.Fatal(err)
			}
			wi, wt := want.Windows()
			gi, gt := got.Windows()
			if !slices.EqualFunc(wi, gi, slices.Equal) || !slices.EqualFunc(wt, gt, slices.Equal) {
				t.Fatalf("%s, cap %d: read %d windows that differ from the %d rebuilt", arch, maxTokens, len(gi), len(wi))
			}
			we, _ := want.Score(m)
			ge, err := got.Score(m)
			if err != nil {
				t.Fatal(err)
			}
			if ge.NLL != we.NLL || ge.Tokens != we.Tokens || ge.Accuracy != we.Accuracy || ge.UnigramNLL != 0 {
				t.Errorf("%s, cap %d: read windows score %+v, rebuilt %+v", arch, maxTokens, ge, we)
			}
		}
		all, err := ReadHeldOut(dir, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if huge, _ := ReadHeldOut(dir, 1<<40, 1); len(huge.ids) != len(all.ids) {
			t.Errorf("%s: a cap beyond the file read %d windows, the file holds %d", arch, len(huge.ids), len(all.ids))
		}
	}
}

// TestHeldOutFileKeepsEnoughWindows: Save keeps the shortest run of leading windows that
// predicts HeldOutFileTokens tokens, in I16 for a small vocabulary and I32 for a large one;
// a pretraining's evaluation windows, if more, are all kept.
func TestHeldOutFileKeepsEnoughWindows(t *testing.T) {
	const T = 8 // 3 predicted per window: 16384/3 needs 5462 windows
	for _, vocab := range []int{300, 40000} {
		var ids, targets [][]int32
		for w := range 6000 {
			ids = append(ids, []int32{0, 1, 2, 3, 4, 5, 6, int32(vocab - 1)})
			targets = append(targets, []int32{-1, int32(w % vocab), -1, 5, -1, -1, int32(vocab - 1), -1})
		}
		h, err := NewHeldOutWindows(Encoder, vocab, 4, ids, targets)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := h.Save(dir, "synthetic"); err != nil {
			t.Fatal(err)
		}
		f, err := safetensors.Read(filepath.Join(dir, HeldOutFile))
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Info("targets")
		wantType := safetensors.I16
		if vocab > 32767 {
			wantType = safetensors.I32
		}
		if !slices.Equal(info.Shape, []int{5462, T}) || info.DType != wantType {
			t.Errorf("vocabulary %d: saved %s %v, want %s [5462 %d]", vocab, info.DType, info.Shape, wantType, T)
		}
		more := t.TempDir()
		if err := h.save(more, "", 5900); err != nil {
			t.Fatal(err)
		}
		if m, err := ReadHeldOut(more, 0, 1); err != nil || len(m.ids) != 5900 {
			t.Errorf("vocabulary %d: asked to keep 5,900 windows: %v", vocab, err)
		}
		got, err := ReadHeldOut(dir, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got.targets, targets[:5462], slices.Equal) || !slices.EqualFunc(got.ids, ids[:5462], slices.Equal) {
			t.Errorf("vocabulary %d: the windows read back differ from those saved", vocab)
		}
		if got.Batch() != 4 || got.arch != Encoder || got.vocab != vocab {
			t.Errorf("vocabulary %d: read batch %d, arch %s, vocabulary %d", vocab, got.Batch(), got.arch, got.vocab)
		}
	}
}

// TestReadHeldOutRejectsBadFiles feeds the reader malformed files: each error names the file
// and what is wrong with it.
func TestReadHeldOutRejectsBadFiles(t *testing.T) {
	meta := func(arch, vocab string) map[string]string {
		return map[string]string{heldOutArch: arch, heldOutVocab: vocab, heldOutBatch: "2"}
	}
	good := []float32{1, 2, 3, 4}
	tgt := []float32{-1, 2, -1, 4}
	tensor := func(name string, shape []int, data []float32) safetensors.Named {
		return safetensors.Named{Name: name, Shape: shape, DType: safetensors.I16, Data: data}
	}
	cases := []struct {
		name    string
		tensors []safetensors.Named
		meta    map[string]string
		want    string
	}{
		{"missing targets", []safetensors.Named{tensor("ids", []int{2, 2}, good)}, meta("decoder", "10"), `missing tensor "targets"`},
		{"missing ids", []safetensors.Named{tensor("targets", []int{2, 2}, tgt)}, meta("decoder", "10"), `missing tensor "ids"`},
		{"shape mismatch", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{1, 4}, tgt)}, meta("decoder", "10"), "shape mismatch: found [1 4], want [2 2]"},
		{"ids not a matrix", []safetensors.Named{tensor("ids", []int{4}, good), tensor("targets", []int{4}, tgt)}, meta("decoder", "10"), `tensor "ids" of shape [4], want [windows, seq_len]`},
		{"token id beyond the vocabulary", []safetensors.Named{tensor("ids", []int{2, 2}, []float32{1, 2, 3, 10}), tensor("targets", []int{2, 2}, tgt)}, meta("decoder", "10"), "window 1 position 1: token id 10 outside the vocabulary of 10"},
		{"negative token id", []safetensors.Named{tensor("ids", []int{2, 2}, []float32{1, -1, 3, 4}), tensor("targets", []int{2, 2}, tgt)}, meta("decoder", "10"), "window 0 position 1: token id -1"},
		{"target beyond the vocabulary", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, []float32{-1, 2, 11, 4})}, meta("decoder", "10"), "window 1 position 0: target 11, want -1 (none) or a token id below 10"},
		{"target below -1", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, []float32{-2, 2, 1, 4})}, meta("decoder", "10"), "window 0 position 0: target -2"},
		{"nothing predicted", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, []float32{-1, -1, -1, -1})}, meta("decoder", "10"), "no position has a target"},
		{"float tensor", []safetensors.Named{{Name: "ids", Shape: []int{2, 2}, Data: good}, tensor("targets", []int{2, 2}, tgt)}, meta("decoder", "10"), "unsupported dtype: found F32, want I32 or I16"},
		{"unknown arch", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, tgt)}, meta("lstm", "10"), `arch "lstm", want encoder or decoder`},
		{"vocabulary not a number", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, tgt)}, meta("decoder", "ten"), `metadata loralab.heldout.vocab = "ten": want an integer`},
		{"no metadata", []safetensors.Named{tensor("ids", []int{2, 2}, good), tensor("targets", []int{2, 2}, tgt)}, nil, "want an integer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, HeldOutFile)
			if err := safetensors.WriteFile(path, c.tensors, c.meta); err != nil {
				t.Fatal(err)
			}
			_, err := ReadHeldOut(dir, 0, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and saying %q", err, path, c.want)
			}
		})
	}

	t.Run("truncated", func(t *testing.T) {
		dir := t.TempDir()
		h, err := NewHeldOutWindows(Decoder, 10, 2, [][]int32{{1, 2}, {3, 4}}, [][]int32{{2, 3}, {4, 5}})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Save(dir, ""); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, HeldOutFile)
		b, _ := os.ReadFile(path)
		if err := os.WriteFile(path, b[:len(b)-3], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadHeldOut(dir, 0, 1); !errors.Is(err, safetensors.ErrTruncated) && !errors.Is(err, safetensors.ErrOffsets) || !strings.Contains(err.Error(), path) {
			t.Errorf("truncated file: error %v, want a truncation naming %s", err, path)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := ReadHeldOut(dir, 0, 1); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, HeldOutFile)) {
			t.Errorf("missing file: error %v, want os.ErrNotExist naming the file", err)
		}
	})
	t.Run("negative cap", func(t *testing.T) {
		if _, err := ReadHeldOut(t.TempDir(), -1, 1); err == nil {
			t.Error("a negative token cap was accepted")
		}
	})
}

// TestHeldOutScoreChecksTheModel: windows longer than the model reads are refused, not cut.
func TestHeldOutScoreChecksTheModel(t *testing.T) {
	cfg, _, _ := toySetup(t, Decoder)
	n := cfg.Model.MaxLen + 1
	ids, targets := [][]int32{make([]int32, n)}, [][]int32{make([]int32, n)}
	h, err := NewHeldOutWindows(Decoder, cfg.Model.Vocab, 1, ids, targets)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := NewModel(cfg.Model, 1)
	if _, err := h.Score(m); err == nil || !strings.Contains(err.Error(), "the model reads at most") {
		t.Errorf("windows longer than max_len: error %v", err)
	}
}
