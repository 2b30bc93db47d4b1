package analysis

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	yamlText := `
table: {metric: accuracy, split: validation}
subspace:
  - {a: {rank: 8}, b: {rank: 64, targets: [v, q]}, layers: [0, 3], matrices: [q, v]}
seed_pairs:
  - {setting: {setting: "lora r=64 q"}, seeds: [1, 2], matrices: [q]}
amplification: {ranks: [4, 64], layers: [2], base: pretrained}
plots: [heatmaps, rank]
seed: 7
`
	s, err := ParseSpec([]byte(yamlText))
	if err != nil {
		t.Fatal(err)
	}
	if s.Table.Metric != "accuracy" || s.Table.split() != "validation" || s.seed() != 7 {
		t.Errorf("table %+v seed %d", s.Table, s.seed())
	}
	if len(s.Subspace) != 1 || s.Subspace[0].B.Rank != 64 || len(s.Subspace[0].Layers) != 2 {
		t.Errorf("subspace %+v", s.Subspace)
	}
	if s.SeedPairs[0].Seeds != [2]int{1, 2} || s.Amplification.Base != "pretrained" {
		t.Errorf("seed pairs %+v amplification %+v", s.SeedPairs, s.Amplification)
	}
	if !s.wantsPlot(PlotRank) || s.wantsPlot(PlotCurves) {
		t.Errorf("plots %v: rank wanted, curves not", s.Plots)
	}
	u, err := ParseSpec([]byte("forgetting: {}\nupdate_rank: {layers: [1]}\nintruders: {base_k: 8}\namplification_steps: {ranks: [1, 4]}"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Forgetting == nil || u.UpdateRank.energy() != 0.9 || u.UpdateRank.Layers[0] != 1 || u.Intruders.k(128) != 10 ||
		u.Intruders.k(6) != 6 || u.Intruders.baseK(128) != 8 || u.Intruders.epsilon() != 0.5 || len(u.Intruders.epsilons()) != 9 ||
		len(u.AmplificationSteps.Ranks) != 2 {
		t.Errorf("update analyses %+v %+v %+v %+v", u.Forgetting, u.UpdateRank, u.Intruders, u.AmplificationSteps)
	}
	jobs := s.subspaceJobs()
	if len(jobs) != 2 || jobs[1].a.Seed != 1 || jobs[1].b.Seed != 2 || jobs[1].a.Setting != "lora r=64 q" {
		t.Errorf("subspace jobs %+v", jobs)
	}
}

func TestParseSpecDefaults(t *testing.T) {
	for _, text := range []string{"", "{}", "table: {}"} {
		s, err := ParseSpec([]byte(text))
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if s.Table.split() != "test" || s.seed() != 1 {
			t.Errorf("%q: split %q seed %d, want test and 1", text, s.Table.split(), s.seed())
		}
		for _, p := range AllPlots() {
			if !s.wantsPlot(p) {
				t.Errorf("%q: plot %s not wanted by default", text, p)
			}
		}
	}
	s, _ := ParseSpec([]byte("plots: []"))
	if s.wantsPlot(PlotCurves) {
		t.Error("plots: [] still wants curves")
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown field", "tabel: {}", []string{"line 1", "field tabel not found"}},
		{"wrong type", "seed: many", []string{"line 1", "cannot unmarshal"}},
		{"bad split", "table: {split: dev}", []string{`table.split "dev": want test, validation or train`}},
		{"bad plot", "plots: [pie]", []string{`plots: unknown plot "pie" (want one of heatmaps, rank, params, curves)`}},
		{"bad matrix and layer", "subspace: [{a: {rank: 2}, b: {rank: 8}, matrices: [w], layers: [-1]}]",
			[]string{`subspace[0]: unknown matrix "w" (want one of q, k, v, o, fc1, fc2)`, "subspace[0]: negative layer -1"}},
		{"same seeds", "seed_pairs: [{setting: {rank: 8}, seeds: [3, 3]}]", []string{"seed_pairs[0]: seeds must be two different seeds, found [3 3]"}},
		{"no ranks", "amplification: {layers: [1]}", []string{"amplification: ranks is empty"}},
		{"bad rank", "amplification: {ranks: [0]}", []string{"amplification: rank 0, want >= 1"}},
		{"bad energy", "update_rank: {energy: 1.5, matrices: [x]}", []string{"update_rank: energy 1.5", `update_rank: unknown matrix "x"`}},
		{"bad intruders", "intruders: {k: -1, epsilon: 2, epsilons: [0, 0.5], layers: [-2]}",
			[]string{"intruders: k -1", "intruders: epsilon 2", "intruders: epsilons: 0,", "intruders: negative layer -2"}},
		{"unknown intruders key", "intruders: {eps: 0.3}", []string{"field eps not found"}},
		{"no step ranks", "amplification_steps: {}", []string{"amplification_steps: ranks is empty"}},
		{"bad step rank", "amplification_steps: {ranks: [-4]}", []string{"amplification_steps: rank -4, want >= 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec([]byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
