package pretrain

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvenanceLeak: a base pretrained on a corpus drawn from a task's source is leak-free
// for that task only at the corpus's split seed; other tasks and other corpora take any seed.
func TestProvenanceLeak(t *testing.T) {
	tests := []struct {
		corpus   string
		baseSeed uint64
		task     string
		seed     uint64
		want     []string // in the error; nil = no leak
	}{
		{"real-english", 0, "sotu-era", 0, nil},
		{"real-english", 0, "sotu-era", 1, []string{"pretrained on real-english split with data seed 0", "documents of sotu-era's split with that seed only",
			"with data.seed 1, held-out documents of that split may be in the base's pretraining text", "use data.seed 0"}},
		{"real-english", 0, "spam3", 2, []string{"of spam3's split", "with data.seed 2"}},
		{"real-english", 3, "spam", 0, []string{"split with data seed 3", "use data.seed 3, or a base pretrained with data seed 0"}},
		{"real-english", 0, "embedded-cls", 1, nil},   // not drawn from the corpus's source
		{"real-english", 0, "sotu-era-small", 1, nil}, // its split is always seed 0's
		{"sotu", 1, "sotu-era-small", 1, []string{"sotu-era-small is always split with data seed 0, so its held-out documents may be in the base's pretraining text",
			"use a base pretrained with data seed 0"}},
		{"sotu", 0, "spam", 4, nil},
		{"embedded-corpus", 0, "embedded-cls", 1, nil},
		{"moby-dick", 0, "sotu-era", 1, nil},
	}
	for _, tc := range tests {
		err := Provenance{Corpus: tc.corpus, DataSeed: tc.baseSeed}.Leak(tc.task, tc.seed)
		if (err != nil) != (tc.want != nil) {
			t.Errorf("%s seed %d, %s seed %d: error %v, want a leak %v", tc.corpus, tc.baseSeed, tc.task, tc.seed, err, tc.want != nil)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s seed %d, %s seed %d: error %q lacks %q", tc.corpus, tc.baseSeed, tc.task, tc.seed, err, w)
			}
		}
	}
}

// TestReadProvenance: a finished run's folder and the models it kept say what they were
// pretrained on; a kept model of an earlier version (no corpus in its stats.json) says it
// through the run's folder; a folder Run did not write says nothing, and a broken
// stats.json is an error.
func TestReadProvenance(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	r := tinyRecipe(out)
	r.DataSeed = 7
	st, err := Run(context.Background(), r, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := Provenance{Corpus: "embedded-corpus", DataSeed: 7}
	kept := filepath.Join(out, st.Kept[1].Dir)
	for _, dir := range []string{out, kept} {
		if p, ok, err := ReadProvenance(dir); err != nil || !ok || p != want {
			t.Errorf("%s: provenance %+v (%v, %v), want %+v", dir, p, ok, err, want)
		}
	}
	old, err := json.Marshal(st.Kept[1]) // the kept stats.json as earlier versions wrote it
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(kept, StatsFile), old, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, ok, err := ReadProvenance(kept); err != nil || !ok || p != want {
		t.Errorf("kept model without its own provenance: %+v (%v, %v), want the run's %+v", p, ok, err, want)
	}
	if _, ok, err := ReadProvenance(t.TempDir()); ok || err != nil {
		t.Errorf("a folder without stats.json: ok %v, error %v; want neither", ok, err)
	}
	if err := os.WriteFile(filepath.Join(kept, StatsFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadProvenance(kept); err == nil || !strings.Contains(err.Error(), StatsFile) {
		t.Errorf("a broken stats.json: error %v, want one naming it", err)
	}
}
