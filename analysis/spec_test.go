package analysis

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"loralab/experiments"
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
		{"unknown field", "tabel: {}", []string{"analysis spec:1:1: tabel: unknown key, want one of amplification, amplification_steps, base_strength, cost, forgetting, heatmap_scale, intruders, plots, seed, seed_pairs, subspace, table, tables, update_rank"}},
		{"wrong type", "seed: many", []string{"analysis spec:1:7: cannot unmarshal !!str `many` into uint64"}},
		{"bad metric", "table: {metric: acc}", []string{`analysis spec:1:17: table.metric "acc": unknown metric, want one of accuracy, f1,`}},
		{"bad scale", "heatmap_scale: log", []string{`analysis spec:1:16: heatmap_scale: unknown scale "log" (want one of fixed, auto)`}},
		{"bad split", "table: {split: dev}", []string{`table.split "dev": want test, validation or train`}},
		{"bad plot", "plots: [pie]", []string{`analysis spec:1:9: plots[0]: unknown plot "pie" (want one of heatmaps, rank, params, curves)`}},
		{"bad matrix and layer", "subspace: [{a: {rank: 2}, b: {rank: 8}, matrices: [w], layers: [-1]}]",
			[]string{`subspace[0].matrices[0]: unknown matrix "w" (want one of q, k, v, o, fc1, fc2)`, "subspace[0].layers[0]: negative layer -1"}},
		{"same seeds", "seed_pairs: [{setting: {rank: 8}, seeds: [3, 3]}]", []string{"seed_pairs[0]: seeds must be two different seeds, found [3 3]"}},
		{"no ranks", "amplification: {layers: [1]}", []string{"amplification: ranks is empty"}},
		{"bad rank", "amplification: {ranks: [0]}", []string{"amplification.ranks[0]: rank 0, want >= 1"}},
		{"bad energy", "update_rank: {energy: 1.5, matrices: [x]}", []string{"update_rank: energy 1.5", `update_rank.matrices[0]: unknown matrix "x"`}},
		{"bad intruders", "intruders: {k: -1, epsilon: 2, epsilons: [0, 0.5], layers: [-2]}",
			[]string{"intruders: k -1", "intruders: epsilon 2", "intruders: epsilons: 0,", "intruders.layers[0]: negative layer -2"}},
		{"unknown intruders key", "intruders: {eps: 0.3}", []string{"analysis spec:1:13: intruders.eps: unknown key"}},
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

// TestParseSpecNodePositions feeds a multi-line analysis section with four mistakes and
// checks that each is reported at the line and column of its own key or value, not at the
// section's start.
func TestParseSpecNodePositions(t *testing.T) {
	text := "analysis:\n" +
		"  table: {metric: acc}\n" + // line 2: the metric's value at column 19
		"  plots:\n" +
		"    - params\n" +
		"    - pie\n" + // line 5: the second plot at column 7
		"  subspace:\n" +
		"    - {a: {rank: 2}, b: {rank: 8}, matrices: [q, w]}\n" +
		"  seed_pairs:\n" +
		"    - {setting: {rank: 8}, seeds: [1, 2], layer: [0]}\n" // line 9: the unknown key at column 44
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	_, err := ParseSpecNode(doc.Content[0].Content[1])
	var ps experiments.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want experiments.Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, problemPath(p.Msg)))
	}
	want := []string{"9:43 seed_pairs[0].layer"}
	if !slices.Equal(got, want) {
		t.Errorf("unknown keys are reported before the values are checked: got %q, want %q", got, want)
	}
	text = strings.Replace(text, "layer:", "layers:", 1)
	doc = yaml.Node{}
	yaml.Unmarshal([]byte(text), &doc)
	_, err = ParseSpecNode(doc.Content[0].Content[1])
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want experiments.Problems", err)
	}
	got = got[:0]
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Col, problemPath(p.Msg)))
	}
	want = []string{"2:19 table.metric", "7:50 subspace[0].matrices[1]", "5:7 plots[1]"}
	if !slices.Equal(got, want) {
		t.Errorf("positions %q, want %q", got, want)
	}
}

// TestSweepDocDocumentsEveryKey keeps experiments/doc.go honest about the analysis section:
// its example's section decodes without a problem, and names every key of Spec.
func TestSweepDocDocumentsEveryKey(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "experiments", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "//\tanalysis:")
	end := strings.Index(text, "// The fields of a method entry")
	if start < 0 || end < start {
		t.Fatal("experiments/doc.go: the analysis section of the example not found")
	}
	var lines []string
	for _, l := range strings.Split(text[start:end], "\n") {
		if l = strings.TrimPrefix(l, "//"); strings.HasPrefix(l, "\t") {
			lines = append(lines, l[1:])
		}
	}
	section := strings.Join(lines, "\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(section), &doc); err != nil {
		t.Fatalf("the documented section is not YAML: %v\n%s", err, section)
	}
	if _, err := ParseSpecNode(doc.Content[0].Content[1]); err != nil {
		t.Errorf("the documented analysis section does not decode: %v", err)
	}
	var keys []string
	var collect func(reflect.Type)
	collect = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		for key, ft := range yamlFields(typ) {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
				collect(ft)
			}
		}
	}
	collect(reflect.TypeOf(Spec{}))
	for _, k := range keys {
		if !regexp.MustCompile(`[\s{,]` + regexp.QuoteMeta(k) + `:`).MatchString(section) {
			t.Errorf("experiments/doc.go does not document the analysis key %q", k)
		}
	}
}
