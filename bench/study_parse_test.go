package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"loralab/experiments"
)

const minimalStudy = `study: latency
name: lat
batch: [1, 4]
seq: [32, 128]
sizes: [10, 100]
`

func TestParseLatencyStudyDefaults(t *testing.T) {
	s, err := ParseLatencyStudy("lat.yaml", []byte(minimalStudy))
	if err != nil {
		t.Fatal(err)
	}
	want := Shape{Arch: "decoder", DModel: 768, Layers: 12, Heads: 12, DFF: 3072, Vocab: 50257, MaxLen: 1024}
	if s.Shape != want || s.Preset != "gpt2-small" {
		t.Errorf("shape %+v (preset %s), want %+v (gpt2-small)", s.Shape, s.Preset, want)
	}
	if s.RepsAt(1) != 10 || s.RepsAt(4) != 10 || s.Warmup != 1 || s.Seed != 1 || s.Threads != 0 {
		t.Errorf("reps %d warmup %d seed %d threads %d, want 10 1 1 0", s.Reps, s.Warmup, s.Seed, s.Threads)
	}
	if !slices.Equal(s.Variants, defaultVariants) || !slices.Equal(s.LoRATargets, []string{"q", "v"}) {
		t.Errorf("variants %v targets %v", s.Variants, s.LoRATargets)
	}
	if !slices.Equal(s.Batches, []int{1, 4}) || !slices.Equal(s.Seqs, []int{32, 128}) || !slices.Equal(s.Sizes, []int{10, 100}) {
		t.Errorf("grid %v x %v x %v", s.Batches, s.Seqs, s.Sizes)
	}
	vs := s.VariantsAt(100)
	if len(vs) != 4 || !vs[0].Merged || vs[1].Merged || vs[0].Spec.Rank != 100 || vs[0].Spec.Alpha != 100 || vs[2].Spec.Size != 100 {
		t.Errorf("variants at 100: %+v", vs)
	}
}

func TestParseLatencyStudyExplicitShape(t *testing.T) {
	src := `study: latency
name: lat
model: {preset: tiny, vocab: 300, d_model: 64, layers: 2, heads: 2, max_len: 64}
batch: 2
seq: [16]
sizes: [4]
variants: [adapter_l, prefix_layer]
lora_targets: [q, k, v, o]
reps: 3
warmup: 0
threads: 1
seed: 7
`
	s, err := ParseLatencyStudy("lat.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Shape{Arch: "decoder", DModel: 64, Layers: 2, Heads: 2, DFF: 512, Vocab: 300, MaxLen: 64}
	if s.Shape != want || !slices.Equal(s.Batches, []int{2}) || s.RepsAt(2) != 3 || s.Warmup != 0 || s.Seed != 7 || s.Threads != 1 {
		t.Errorf("parsed %+v", s)
	}
	if vs := s.VariantsAt(4); len(vs) != 2 || vs[1].Spec.Prefix != 4 || vs[0].Spec.Size != 4 {
		t.Errorf("variants %+v", vs)
	}
}

func TestParseLatencyStudyRepsPerBatch(t *testing.T) {
	s, err := ParseLatencyStudy("lat.yaml", []byte(minimalStudy+"reps: {1: 20, 4: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.RepsAt(1) != 20 || s.RepsAt(4) != 3 || s.RepsText() != "20 times at batch 1, 3 at batch 4" {
		t.Errorf("reps %v: %q", s.Reps, s.RepsText())
	}
}

func TestParseLatencyStudyErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // each a problem, in file order, as file:line:col: message fragment
	}{
		{"not yaml", "study: latency\nbatch: [1, 2\n", []string{"bad.yaml:2:1: invalid YAML"}},
		{"empty", "", []string{"bad.yaml:1:1: empty latency study"}},
		{"a list", "- 1\n- 2\n", []string{"bad.yaml:1:1: want a mapping"}},
		{"missing keys", "study: latency\nname: x\n", []string{
			`bad.yaml:1:1: missing key "batch"`, `bad.yaml:1:1: missing key "seq"`, `bad.yaml:1:1: missing key "sizes"`}},
		{"wrong study", strings.Replace(minimalStudy, "study: latency", "study: sweep", 1), []string{
			`bad.yaml:1:8: study: want "latency", found "sweep"`}},
		{"unknown key", minimalStudy + "repetitions: 5\n", []string{`bad.yaml:6:1: unknown key "repetitions"`}},
		{"duplicate key", minimalStudy + "batch: [2]\n", []string{`bad.yaml:6:1: key "batch" given twice`}},
		{"bad name", strings.Replace(minimalStudy, "name: lat", "name: ../up", 1), []string{`bad.yaml:2:7: name: want letters`}},
		{"bad numbers", "study: latency\nname: x\nbatch: [1, 0, two]\nseq: []\nsizes: [8, 8]\nreps: 0\n", []string{
			`bad.yaml:3:12: batch: want an integer >= 1, found "0"`, `bad.yaml:3:15: batch: want an integer >= 1, found "two"`,
			`bad.yaml:4:6: seq: want at least one value`, `bad.yaml:5:12: sizes: 8 given twice`, `bad.yaml:6:7: reps: want an integer >= 1, found "0"`}},
		{"seq beyond max_len", strings.Replace(minimalStudy, "seq: [32, 128]", "seq: [32, 2048]", 1), []string{
			`bad.yaml:4:11: seq 2048 exceeds the model's max_len 1024`}},
		{"unknown variant", minimalStudy + "variants: [lora_merged, adapter_x, lora_merged]\n", []string{
			`bad.yaml:6:25: variants: unknown variant "adapter_x"`, `bad.yaml:6:36: variants: "lora_merged" given twice`}},
		{"bad target", minimalStudy + "lora_targets: [q, z]\n", []string{`bad.yaml:5:9: size 10 for lora_merged`, `bad.yaml:5:9: size 10 for lora_unmerged`,
			`bad.yaml:5:13: size 100 for lora_merged`, `bad.yaml:5:13: size 100 for lora_unmerged`}},
		{"prefix too long", strings.Replace(minimalStudy, "sizes: [10, 100]", "sizes: [31]", 1) + "variants: [prefix_layer]\n", []string{
			`bad.yaml:6:11: prefix_layer with 31 prefix tokens does not fit in seq 32`}},
		{"reps per batch", minimalStudy + "reps: {1: 5, 2: 3, x: 1}\n", []string{
			`bad.yaml:6:7: reps: no entry for batch 4`, `bad.yaml:6:14: reps: batch 2 is not in the study's batch list [1 4]`,
			`bad.yaml:6:20: reps key: want an integer >= 1, found "x"`}},
		{"bad preset", minimalStudy + "model: {preset: huge}\n", []string{`bad.yaml:6:8: model preset "huge"`}},
		{"bad model key", minimalStudy + "model: {preset: tiny, depth: 3, arch: lstm}\n", []string{
			`bad.yaml:6:23: unknown key model.depth`, `bad.yaml:6:39: model.arch: want decoder or encoder, found "lstm"`}},
		{"heads do not divide", minimalStudy + "model: {preset: tiny, heads: 3}\n", []string{`bad.yaml:6:30: model:`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseLatencyStudy("bad.yaml", []byte(c.src))
			var ps experiments.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v (%T), want experiments.Problems", err, err)
			}
			if len(ps) != len(c.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(ps), len(c.want), err)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(ps[i].Error(), w) {
					t.Errorf("problem %d is\n  %s\nwant it to start with\n  %s", i, ps[i].Error(), w)
				}
			}
		})
	}
}
